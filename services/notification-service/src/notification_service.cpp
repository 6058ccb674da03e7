#include "notification_service.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "streamstore/events/codec.hpp"
#include "streamstore/events/ids.hpp"
#include "streamstore/messaging/dead_letter.hpp"

namespace streamstore::notification {
namespace asio = boost::asio;

NotificationService::NotificationService(asio::any_io_executor executor, NotificationServiceConfig config,
                                         std::FILE* out, std::shared_ptr<observability::Metrics> metrics)
    : executor_(executor),
      config_(std::move(config)),
      out_(out),
      seen_(config_.dedup_window) {
    if (!metrics) return;
    auto& latency = prometheus::BuildHistogram()
                        .Name("streamstore_order_to_notification_seconds")
                        .Help("Time from an order's creation to the commit of its notification, by kind: "
                              "order_received (one hop) or payment (through payment-service)")
                        .Register(*metrics->registry());
    const prometheus::Histogram::BucketBoundaries buckets{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075,
                                                          0.1,   0.15,   0.2,   0.3,  0.5,   0.75, 1,
                                                          1.5,   2,      3,     5,    10,    30};
    order_received_seconds_ = &latency.Add({{"kind", "order_received"}}, buckets);
    payment_seconds_ = &latency.Add({{"kind", "payment"}}, buckets);
}

std::vector<messaging::TopicSpec> NotificationService::topics_to_create() const {
    std::vector<messaging::TopicSpec> topics;
    for (const auto& name : {config_.orders_topic, config_.payments_topic, config_.notifications_topic,
                             messaging::dead_letter_topic(config_.payments_topic)}) {
        topics.push_back({name, config_.partitions, config_.replication_factor});
    }
    return topics;
}

asio::awaitable<int> NotificationService::async_run() {
    const std::vector<messaging::TopicSpec> topics = topics_to_create();
    co_await messaging::async_create_topics(executor_, config_.processor.client, topics, config_.startup_timeout);
    reader_.emplace(config_.processor.client);
    messaging::ProcessorConfig processor = config_.processor;
    processor.input_topics = {config_.orders_topic, config_.payments_topic};
    processor.output_topics = {config_.notifications_topic, messaging::dead_letter_topic(config_.payments_topic)};
    messaging::ProcessorHooks hooks;
    hooks.on_assigned = [this](const auto& partitions) { load_state(partitions); };
    hooks.on_revoked = [this](const auto& partitions) { forget_state(partitions); };
    hooks.on_close = [this] {
        seen_.close_unit();
        closed_lines_.push_back(std::move(pending_lines_));
        pending_lines_.clear();
    };
    hooks.on_commit = [this] { print_committed(); };
    hooks.on_abort = [this] {
        seen_.abort();
        pending_lines_.clear();
        closed_lines_.clear();
    };
    {
        std::lock_guard lock(mutex_);
        processor_.emplace(
            executor_, std::move(processor),
            [this](const messaging::Message& m, messaging::Outputs& out) { transform(m, out); }, std::move(hooks));
        if (stop_requested_) processor_->stop();
    }
    spdlog::info("notifying from '{}' and '{}' into '{}' as group '{}', {}", config_.orders_topic,
                 config_.payments_topic, config_.notifications_topic, config_.processor.group_id,
                 to_string(config_.processor.guarantee));
    co_await processor_->async_run();
    const auto stats = processor_->stats();
    spdlog::info("stopped: {} notifications, {} duplicates skipped, {} malformed orders skipped, {} dead-lettered; "
                 "order-to-notification latency p50 {} ms, p99 {} ms, max {} ms",
                 latency_.count(), duplicates_, skipped_orders_, stats.dead_lettered, latency_.percentile_ms(0.50),
                 latency_.percentile_ms(0.99), latency_.max_ms());
    co_return 0;
}

void NotificationService::stop() {
    std::lock_guard lock(mutex_);
    stop_requested_ = true;
    if (processor_) processor_->stop();
}

std::string NotificationService::pending_work() {
    std::lock_guard lock(mutex_);
    return processor_ ? processor_->pending_work() : "not started";
}

observability::Readiness NotificationService::readiness() {
    std::lock_guard lock(mutex_);
    if (!processor_) return {false, "starting: creating topics"};
    const auto assigned = processor_->stats().assigned_partitions;
    if (assigned == 0) return {false, "no partitions of '" + config_.orders_topic + "' or '" + config_.payments_topic + "' assigned"};
    return {true, std::to_string(assigned) + " partition(s) assigned"};
}

void NotificationService::transform(const messaging::Message& message, messaging::Outputs& out) {
    const std::int64_t now = events::now_ms();
    std::optional<events::Event<events::Notification>> notification;
    std::optional<events::DecodeError> error;
    if (!message.has_value()) {
        error = events::DecodeError{events::DecodeErrc::empty_payload, "the record's value is null"};
    } else if (message.topic() == config_.orders_topic) {
        auto order = events::decode_order_event(message.value());
        if (order) notification = notify_order(order.value(), now);
        else error = order.error();
    } else {
        auto payment = events::decode_payment_event(message.value());
        if (payment) notification = notify_payment(payment.value(), now);
        else error = payment.error();
    }
    if (error) {
        // Each topic's dead letters have one writer: payment-service dead-letters bad orders (it
        // reads them too), this service bad payments. A bad order gets no notification here.
        if (message.topic() == config_.orders_topic) {
            ++skipped_orders_;
            spdlog::debug("skipping malformed order {}[{}]@{} (payment-service dead-letters it): {}", message.topic(),
                          message.partition(), message.offset(), error->message);
            return;
        }
        out.dead_letter(message, events::to_string(error->code), error->message);
        return;
    }
    const std::int32_t partition = message.partition();
    if (seen_.contains(partition, notification->meta.event_id)) {
        ++duplicates_;
        spdlog::debug("skipping duplicate {} for order {}", to_string(notification->data.kind),
                      notification->data.order_id);
        return;
    }
    seen_.add(partition, notification->meta.event_id);
    const auto parent = events::parse_traceparent(message.header(events::kTraceparentHeader).value_or(""));
    const auto trace = parent ? parent->child(random_) : events::TraceContext::new_root(random_);
    spdlog::debug("{} for order {}", to_string(notification->data.kind), notification->data.order_id);
    out.send(config_.notifications_topic, notification->data.order_id, events::encode(*notification),
             {{std::string(events::kTraceparentHeader), trace.traceparent()}}, partition);
    const std::int64_t created_ms = notification->data.order_created_at_ms;
    pending_lines_.push_back(
        {config_.output == OutputFormat::none ? std::string() : render(*notification, config_.output),
         created_ms > 0 ? created_ms : -1, notification->data.kind == events::NotificationKind::order_received});
}

void NotificationService::load_state(const std::vector<messaging::TopicPartition>& partitions) {
    for (const auto& tp : partitions) {
        assigned_.push_back(tp);
        if (seen_.loaded(tp.partition)) continue;  // orders[p] and payments[p] share notifications[p]
        std::vector<std::string> ids;
        const std::size_t read = reader_->read_tail(
            config_.notifications_topic, tp.partition, config_.dedup_window, config_.startup_timeout,
            [&](const messaging::Message& record) {
                if (auto n = events::decode_notification_event(record.value())) ids.push_back(n.value().meta.event_id);
            });
        const std::vector<std::string_view> views(ids.begin(), ids.end());
        seen_.load(tp.partition, views);
        spdlog::info("de-duplication state of {}[{}]: {} notified event(s) loaded", config_.notifications_topic,
                     tp.partition, read);
    }
}

void NotificationService::forget_state(const std::vector<messaging::TopicPartition>& partitions) {
    for (const auto& tp : partitions) std::erase(assigned_, tp);
    for (const auto& tp : partitions) {
        const bool still_used = std::any_of(assigned_.begin(), assigned_.end(),
                                            [&](const auto& other) { return other.partition == tp.partition; });
        if (!still_used) seen_.drop(tp.partition);
    }
}

void NotificationService::print_committed() {
    seen_.commit();
    if (closed_lines_.empty()) return;
    const std::vector<PendingLine> lines = std::move(closed_lines_.front());
    closed_lines_.pop_front();
    if (lines.empty()) return;
    std::string text;
    const std::int64_t committed_ms = events::now_ms();
    for (const auto& line : lines) {
        text += line.text;
        text += '\n';
        if (line.order_created_at_ms < 0) continue;
        const std::int64_t latency_ms = std::max<std::int64_t>(0, committed_ms - line.order_created_at_ms);
        latency_.record(latency_ms);
        if (auto* histogram = line.order_received ? order_received_seconds_ : payment_seconds_) {
            histogram->Observe(static_cast<double>(latency_ms) / 1000.0);
        }
    }
    if (config_.output == OutputFormat::none) return;
    // Blocking: a reader of stdout that stops reading stalls the service (use --output none).
    std::fwrite(text.data(), 1, text.size(), out_);
    std::fflush(out_);
}

}  // namespace streamstore::notification
