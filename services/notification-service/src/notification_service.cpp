#include "notification_service.hpp"

#include <spdlog/spdlog.h>

#include "streamstore/runtime/scope_exit.hpp"

#include "streamstore/events/codec.hpp"
#include "streamstore/events/ids.hpp"
#include "streamstore/messaging/dead_letter.hpp"
#include "streamstore/messaging/error.hpp"

namespace streamstore::notification {
namespace asio = boost::asio;

namespace {
messaging::ConsumerConfig with_topics(messaging::ConsumerConfig consumer, const NotificationServiceConfig& c) {
    consumer.topics = {c.orders_topic, c.payments_topic};
    return consumer;
}
}  // namespace

NotificationService::NotificationService(asio::any_io_executor executor, NotificationServiceConfig config,
                                         std::FILE* out)
    : config_(std::move(config)),
      out_(out),
      admin_(executor, config_.consumer.client),
      producer_(executor, config_.producer),
      consumer_(executor, with_topics(config_.consumer, config_)) {}

std::vector<messaging::TopicSpec> NotificationService::topics_to_create() const {
    std::vector<messaging::TopicSpec> topics;
    for (const auto& name : std::vector<std::string>{config_.orders_topic, config_.payments_topic,
                             messaging::dead_letter_topic(config_.orders_topic),
                             messaging::dead_letter_topic(config_.payments_topic)}) {
        topics.push_back({name, config_.partitions, config_.replication_factor});
    }
    return topics;
}

asio::awaitable<int> NotificationService::async_run() {
    // However this ends, stop the producer's background polling so the io_context can finish.
    const runtime::ScopeExit close_producer([this] { producer_.close(); });
    const std::vector<messaging::TopicSpec> topics = topics_to_create();
    co_await admin_.async_create_topics(topics, config_.startup_timeout);
    spdlog::info("notifying from '{}' and '{}' as group '{}'", config_.orders_topic, config_.payments_topic,
                 config_.consumer.group_id);

    messaging::MessageHandler handler = [this](const messaging::Message& m) { return handle(m); };
    co_await consumer_.async_run(std::move(handler));

    const std::size_t left = co_await producer_.async_flush(config_.flush_timeout);
    spdlog::info("stopped: {} notifications; order-to-notification latency p50 {} ms, p99 {} ms, max {} ms",
                 latency_.count(), latency_.percentile_ms(0.50), latency_.percentile_ms(0.99), latency_.max_ms());
    co_return left == 0 ? 0 : 1;
}

void NotificationService::stop() { consumer_.stop(); }

asio::awaitable<void> NotificationService::handle(const messaging::Message& message) {
    const bool is_order = message.topic() == config_.orders_topic;
    std::optional<events::DecodeError> error;
    if (is_order) {
        auto order = events::decode_order_event(message.value());
        if (order) emit(notify_order(order.value(), events::now_ms()));
        else error = order.error();
    } else {
        auto payment = events::decode_payment_event(message.value());
        if (payment) emit(notify_payment(payment.value(), events::now_ms()));
        else error = payment.error();
    }
    if (error) co_await messaging::async_dead_letter(producer_, message, events::to_string(error->code), error->message);
}

void NotificationService::emit(const events::Event<events::Notification>& notification) {
    std::string line = render(notification, config_.output);
    line += '\n';
    {
        std::lock_guard lock(out_mutex_);
        std::fwrite(line.data(), 1, line.size(), out_);
        std::fflush(out_);
    }
    if (notification.data.latency_ms >= 0) latency_.record(notification.data.latency_ms);
}

}  // namespace streamstore::notification
