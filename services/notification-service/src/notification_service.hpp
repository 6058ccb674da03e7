#pragma once
// notification-service: one consumer group reading orders and payments, one line of output per
// event on stdout (text or JSON lines), and the order-to-notification latency of each.
//
// At-least-once, like payment-service: an event's offset is committed once its line is written
// and flushed. A malformed event is dead-lettered to `<topic>.dlq` and processing goes on.
// Lifecycle and thread safety as PaymentService: async_run() until stop(), stop() from any thread.

#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "latency_recorder.hpp"
#include "notifications.hpp"
#include "streamstore/messaging/admin.hpp"
#include "streamstore/messaging/consumer.hpp"
#include "streamstore/messaging/producer.hpp"

namespace streamstore::notification {

struct NotificationServiceConfig {
    messaging::ConsumerConfig consumer;  ///< group id; topics are set from the two below
    messaging::ProducerConfig producer;  ///< for dead letters
    std::string orders_topic = "orders";
    std::string payments_topic = "payments";
    int partitions = 3;
    int replication_factor = 1;
    OutputFormat output = OutputFormat::text;
    std::chrono::milliseconds startup_timeout{30'000};
    std::chrono::milliseconds flush_timeout{10'000};
};

class NotificationService {
public:
    /// Lines go to `out` (stdout in the binary); it must outlive the service.
    NotificationService(boost::asio::any_io_executor executor, NotificationServiceConfig config, std::FILE* out);

    boost::asio::awaitable<int> async_run();
    void stop();
    [[nodiscard]] const LatencyRecorder& latency() const { return latency_; }

private:
    [[nodiscard]] std::vector<messaging::TopicSpec> topics_to_create() const;
    boost::asio::awaitable<void> handle(const messaging::Message& message);
    void emit(const events::Event<events::Notification>& notification);

    NotificationServiceConfig config_;
    std::FILE* out_;
    std::mutex out_mutex_;
    LatencyRecorder latency_;
    messaging::Admin admin_;
    messaging::Producer producer_;
    messaging::Consumer consumer_;
};

}  // namespace streamstore::notification
