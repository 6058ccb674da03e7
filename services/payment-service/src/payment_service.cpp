#include "payment_service.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "streamstore/runtime/scope_exit.hpp"

#include "streamstore/events/codec.hpp"
#include "streamstore/events/ids.hpp"
#include "streamstore/messaging/dead_letter.hpp"
#include "streamstore/messaging/error.hpp"

namespace streamstore::payment {
namespace asio = boost::asio;

PaymentService::PaymentService(asio::any_io_executor executor, PaymentServiceConfig config)
    : executor_(executor),
      config_(std::move(config)),
      admin_(executor, config_.consumer.client),
      consumer_(executor, config_.consumer) {}

std::vector<messaging::TopicSpec> PaymentService::topics_to_create() const {
    std::vector<messaging::TopicSpec> topics;
    for (const auto& name : std::vector<std::string>{config_.consumer.topics.front(), config_.payments_topic,
                             messaging::dead_letter_topic(config_.consumer.topics.front())}) {
        topics.push_back({name, config_.partitions, config_.replication_factor});
    }
    return topics;
}

asio::awaitable<int> PaymentService::async_run() {
    // However this ends, stop the producer's background polling so the io_context can finish.
    const runtime::ScopeExit close_producer([this] {
        if (producer_) producer_->close();
    });
    const std::vector<messaging::TopicSpec> topics = topics_to_create();
    co_await admin_.async_create_topics(topics, config_.startup_timeout);
    // Connect only now, so the producer's first metadata request already finds the topics.
    producer_.emplace(executor_, config_.producer);
    spdlog::info("paying orders from '{}' into '{}' as group '{}'", config_.consumer.topics.front(),
                 config_.payments_topic, config_.consumer.group_id);

    messaging::MessageHandler handler = [this](const messaging::Message& m) { return handle(m); };
    co_await consumer_.async_run(std::move(handler));

    const std::size_t left = co_await producer_->async_flush(config_.flush_timeout);
    const auto stats = consumer_.stats();
    spdlog::info("stopped: {} orders handled", stats.handled);
    if (left > 0) {
        spdlog::error("{} records still undelivered at exit", left);
        co_return 1;
    }
    co_return 0;
}

void PaymentService::stop() { consumer_.stop(); }

asio::awaitable<void> PaymentService::handle(const messaging::Message& message) {
    auto order = events::decode_order_event(message.value());
    if (!order) {
        const auto& error = order.error();
        co_await messaging::async_dead_letter(*producer_, message, events::to_string(error.code), error.message);
        co_return;
    }
    const PaymentDecision decision = decide(order.value().data, config_.rules);
    if (config_.gateway_latency.count() > 0) {
        asio::steady_timer gateway(co_await asio::this_coro::executor, config_.gateway_latency);
        co_await gateway.async_wait(asio::use_awaitable);
    }
    const auto payment = make_payment(order.value(), decision, events::now_ms());
    const std::string value = events::encode(payment);
    const messaging::ProducerRecord record{.topic = config_.payments_topic, .key = payment.data.order_id, .value = value};
    const auto report = co_await producer_->async_send(record);
    if (report.error) {
        throw messaging::KafkaException(report.error, "payment for order " + payment.data.order_id +
                                                          " not delivered: " + report.error.message());
    }
    spdlog::debug("order {}: payment {}", payment.data.order_id, events::to_string(payment.data.status));
}

}  // namespace streamstore::payment
