#pragma once
// payment-service: consumes orders, decides each payment, publishes it to the payments topic.
//
// At-least-once: an order's offset is committed only after its payment's delivery report came
// back successful (the consumer stores an offset only when the handler finished). A payment that
// cannot be delivered fails the handler: the service stops, exits non-zero, and the order is
// consumed again after a restart. A malformed order is dead-lettered to `<orders>.dlq` with the
// reason in its headers and processing goes on. Several instances in one consumer group share the
// partitions.
//
// Lifecycle: async_run() creates the topics if missing, then consumes until stop(); then it
// finishes in-flight orders, commits, flushes the producer and leaves the group.
// Thread safety: stop() from any thread.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "payment_rules.hpp"
#include "streamstore/messaging/admin.hpp"
#include "streamstore/messaging/consumer.hpp"
#include "streamstore/messaging/producer.hpp"

namespace streamstore::payment {

struct PaymentServiceConfig {
    messaging::ConsumerConfig consumer;  ///< group id and the orders topic
    messaging::ProducerConfig producer;
    std::string payments_topic = "payments";
    int partitions = 3;
    int replication_factor = 1;
    PaymentRules rules;
    std::chrono::milliseconds gateway_latency{0};  ///< simulated, awaited on a timer per order
    std::chrono::milliseconds startup_timeout{30'000};
    std::chrono::milliseconds flush_timeout{10'000};
};

class PaymentService {
public:
    PaymentService(boost::asio::any_io_executor executor, PaymentServiceConfig config);

    boost::asio::awaitable<int> async_run();
    void stop();

private:
    [[nodiscard]] std::vector<messaging::TopicSpec> topics_to_create() const;
    boost::asio::awaitable<void> handle(const messaging::Message& message);

    boost::asio::any_io_executor executor_;
    PaymentServiceConfig config_;
    messaging::Admin admin_;
    std::optional<messaging::Producer> producer_;  // created once the topics exist (see async_run)
    messaging::Consumer consumer_;
};

}  // namespace streamstore::payment
