#include "payment_service.hpp"

#include <spdlog/spdlog.h>

#include "streamstore/events/codec.hpp"
#include "streamstore/events/ids.hpp"
#include "streamstore/messaging/dead_letter.hpp"

namespace streamstore::payment {
namespace asio = boost::asio;

PaymentOutcome pay(std::optional<std::string_view> value, const PaymentRules& rules, std::int64_t now_ms) {
    if (!value) return events::DecodeError{events::DecodeErrc::empty_payload, "the record's value is null"};
    auto order = events::decode_order_event(*value);
    if (!order) return order.error();
    return make_payment(order.value(), decide(order.value().data, rules), now_ms);
}

PaymentService::PaymentService(asio::any_io_executor executor, PaymentServiceConfig config,
                               std::shared_ptr<observability::Metrics> metrics)
    : executor_(executor), config_(std::move(config)) {
    if (!metrics) return;
    auto& payments = prometheus::BuildCounter()
                         .Name("streamstore_payments_total")
                         .Help("Payments decided, by status (an aborted transaction's are decided again)")
                         .Register(*metrics->registry());
    approved_ = &payments.Add({{"status", "approved"}});
    declined_ = &payments.Add({{"status", "declined"}});
}

std::vector<messaging::TopicSpec> PaymentService::topics_to_create() const {
    const std::string& orders = config_.processor.input_topics.front();
    std::vector<messaging::TopicSpec> topics;
    for (const auto& name : {orders, config_.payments_topic, messaging::dead_letter_topic(orders)}) {
        topics.push_back({name, config_.partitions, config_.replication_factor});
    }
    return topics;
}

void PaymentService::transform(const messaging::Message& order, messaging::Outputs& out) {
    const auto value = order.has_value() ? std::optional<std::string_view>(order.value()) : std::nullopt;
    const PaymentOutcome outcome = pay(value, config_.rules, events::now_ms());
    if (const auto* error = std::get_if<events::DecodeError>(&outcome)) {
        out.dead_letter(order, events::to_string(error->code), error->message);
        return;
    }
    const auto& payment = std::get<events::Event<events::Payment>>(outcome);
    const bool approved = payment.data.status == events::PaymentStatus::approved;
    if (auto* counter = approved ? approved_ : declined_) counter->Increment();
    spdlog::debug("order {}: payment {}", payment.data.order_id, approved ? "approved" : "declined");
    const auto parent = events::parse_traceparent(order.header(events::kTraceparentHeader).value_or(""));
    const auto trace = parent ? parent->child(random_) : events::TraceContext::new_root(random_);
    out.send(config_.payments_topic, payment.data.order_id, events::encode(payment),
             {{std::string(events::kTraceparentHeader), trace.traceparent()}});
}

observability::Readiness PaymentService::readiness() {
    std::lock_guard lock(mutex_);
    if (!processor_) return {false, "starting: creating topics"};
    const auto assigned = processor_->stats().assigned_partitions;
    if (assigned == 0) return {false, "no partitions of '" + config_.processor.input_topics.front() + "' assigned"};
    return {true, std::to_string(assigned) + " partition(s) assigned"};
}

asio::awaitable<int> PaymentService::async_run() {
    const std::vector<messaging::TopicSpec> topics = topics_to_create();
    co_await messaging::async_create_topics(executor_, config_.processor.client, topics, config_.startup_timeout);
    // Connect only now, so the producer's first metadata request already finds the topics.
    messaging::ProcessorConfig processor = config_.processor;
    processor.output_topics = {config_.payments_topic, messaging::dead_letter_topic(processor.input_topics.front())};
    {
        std::lock_guard lock(mutex_);
        processor_.emplace(executor_, std::move(processor),
                           [this](const messaging::Message& m, messaging::Outputs& out) { transform(m, out); });
        if (stop_requested_) processor_->stop();
    }
    spdlog::info("paying orders from '{}' into '{}' as group '{}', {}{}", config_.processor.input_topics.front(),
                 config_.payments_topic, config_.processor.group_id, to_string(config_.processor.guarantee),
                 config_.processor.guarantee == messaging::ProcessingGuarantee::exactly_once
                     ? " with transactional id '" + config_.processor.transactional_id + "'"
                     : std::string());
    co_await processor_->async_run();
    const auto stats = processor_->stats();
    spdlog::info("stopped: {} orders handled, {} dead-lettered, {} commits, {} aborts", stats.consumed,
                 stats.dead_lettered, stats.commits, stats.aborts);
    co_return 0;
}

void PaymentService::stop() {
    std::lock_guard lock(mutex_);
    stop_requested_ = true;
    if (processor_) processor_->stop();
}

std::string PaymentService::pending_work() {
    std::lock_guard lock(mutex_);
    return processor_ ? processor_->pending_work() : "not started";
}

}  // namespace streamstore::payment
