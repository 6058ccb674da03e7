#pragma once
// payment-service: consumes orders, decides each payment, publishes it to the payments topic.
//
// A messaging::Processor does the Kafka side (see processor.hpp for the guarantees):
// - exactly-once (default): payments, dead letters and the consumed order offsets are committed in
//   one transaction every --commit-interval; a crash or abort leaves no payment behind that the
//   next owner of the partition would pay again.
// - at-least-once: no payment is lost; after a crash some orders may be paid twice (with the same
//   payment event id, so notification-service de-duplicates them).
// A malformed order is dead-lettered to `<orders>.dlq` with the reason in its headers, in the same
// unit of work as its offset, and processing goes on. Several instances in one consumer group share
// the partitions; each needs its own transactional id.
//
// Lifecycle: async_run() creates the topics if missing, then processes until stop(); then it
// commits the open transaction and leaves the group. It co_returns 0, or throws (exit 1) on a
// fatal error such as being fenced by another instance with the same transactional id.
// Trace context: each payment carries a traceparent header, a child span of its order's (a new
// trace when the order has none or an invalid one).
// Metrics (with a registry): streamstore_payments_total{status="approved|declined"}, counted when
// decided (an aborted transaction's payments are decided again).
// Thread safety: stop(), pending_work() and readiness() from any thread.

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <prometheus/counter.h>

#include "payment_rules.hpp"
#include "streamstore/events/trace.hpp"
#include "streamstore/events/decode_error.hpp"
#include "streamstore/messaging/admin.hpp"
#include "streamstore/messaging/processor.hpp"
#include "streamstore/observability/health.hpp"
#include "streamstore/observability/metrics.hpp"

namespace streamstore::payment {

struct PaymentServiceConfig {
    messaging::ProcessorConfig processor;  ///< group id, orders topic, guarantee, transactional id
    std::string payments_topic = "payments";
    int partitions = 3;
    int replication_factor = 1;
    PaymentRules rules;
    std::chrono::milliseconds startup_timeout{30'000};
};

/// What to publish for one order record: its payment, or why it cannot be paid (to dead-letter).
using PaymentOutcome = std::variant<events::Event<events::Payment>, events::DecodeError>;

/// The business step, without Kafka: decode `value` (an order record's value; nullopt for a null
/// value), decide, and build the payment event stamped `now_ms`.
PaymentOutcome pay(std::optional<std::string_view> value, const PaymentRules& rules, std::int64_t now_ms);

class PaymentService {
public:
    /// `metrics` may be null (no payment counters); the Kafka clients report to
    /// config.processor.client.metrics.
    PaymentService(boost::asio::any_io_executor executor, PaymentServiceConfig config,
                   std::shared_ptr<observability::Metrics> metrics = nullptr);

    boost::asio::awaitable<int> async_run();
    void stop();
    /// What a stop that overran its deadline leaves undone (for the log).
    [[nodiscard]] std::string pending_work();
    /// Ready once partitions of the orders topic are assigned to this instance.
    [[nodiscard]] observability::Readiness readiness();

private:
    [[nodiscard]] std::vector<messaging::TopicSpec> topics_to_create() const;
    void transform(const messaging::Message& order, messaging::Outputs& out);

    boost::asio::any_io_executor executor_;
    PaymentServiceConfig config_;
    events::RandomSource random_;                 // span ids; the processor's strand only
    prometheus::Counter* approved_ = nullptr;     // streamstore_payments_total, when metrics are on
    prometheus::Counter* declined_ = nullptr;
    std::mutex mutex_;                               // guards the two below
    std::optional<messaging::Processor> processor_;  // created once the topics exist
    bool stop_requested_ = false;
};

}  // namespace streamstore::payment
