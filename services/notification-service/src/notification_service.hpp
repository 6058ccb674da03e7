#pragma once
// notification-service: reads orders and payments (read_committed), publishes one notification
// per event to the notifications topic, and prints it on stdout (text or JSON lines).
//
// Exactly once per event: a messaging::Processor commits the notifications and the consumed
// offsets in one transaction (see processor.hpp), and events already notified are skipped by
// event id, so a payment published twice (at-least-once upstream, a replay) is notified once.
// The de-duplication state survives restarts and moves with its partitions: the notification
// for input partition p goes to notifications partition p, and when p is assigned its last
// --dedup-window notifications are read back (read_committed) before p is fetched.
// Lines are printed after their transaction commits: a crash between the commit and the print
// loses a line (the notifications topic keeps it), never prints one twice.
// A malformed payment is dead-lettered to `<payments>.dlq` in the same transaction and processing
// goes on; a malformed order is skipped here (payment-service, which reads orders too, dead-letters
// it: each dead letter topic has one writer, so each bad record is dead-lettered exactly once).
// Trace context: each notification carries a traceparent header, a child span of its event's.
// Metrics (with a registry): streamstore_order_to_notification_seconds{kind}, a histogram of the
// time from an order's creation to the commit of its notification (kind order_received: one hop;
// kind payment: through payment-service). The stop line's latency figures are the same, both kinds.
// Lifecycle and thread safety as PaymentService: async_run() until stop(); stop(), pending_work()
// and readiness() from any thread.

#include <chrono>
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <prometheus/histogram.h>

#include "latency_recorder.hpp"
#include "notifications.hpp"
#include "seen_events.hpp"
#include "streamstore/messaging/admin.hpp"
#include "streamstore/messaging/partition_reader.hpp"
#include "streamstore/events/trace.hpp"
#include "streamstore/messaging/processor.hpp"
#include "streamstore/observability/health.hpp"
#include "streamstore/observability/metrics.hpp"

namespace streamstore::notification {

struct NotificationServiceConfig {
    messaging::ProcessorConfig processor;  ///< group id, guarantee, transactional id; topics set below
    std::string orders_topic = "orders";
    std::string payments_topic = "payments";
    std::string notifications_topic = "notifications";
    int partitions = 3;
    int replication_factor = 1;
    OutputFormat output = OutputFormat::text;
    std::size_t dedup_window = 50'000;  ///< event ids remembered per partition
    std::chrono::milliseconds startup_timeout{30'000};
};

class NotificationService {
public:
    /// Lines go to `out` (stdout in the binary); it must outlive the service. `metrics` may be null
    /// (no latency histogram); the Kafka clients report to config.processor.client.metrics.
    NotificationService(boost::asio::any_io_executor executor, NotificationServiceConfig config, std::FILE* out,
                        std::shared_ptr<observability::Metrics> metrics = nullptr);

    boost::asio::awaitable<int> async_run();
    void stop();
    [[nodiscard]] std::string pending_work();
    /// Ready once input partitions are assigned to this instance.
    [[nodiscard]] observability::Readiness readiness();
    [[nodiscard]] const LatencyRecorder& latency() const { return latency_; }

private:
    [[nodiscard]] std::vector<messaging::TopicSpec> topics_to_create() const;
    void transform(const messaging::Message& message, messaging::Outputs& out);
    void load_state(const std::vector<messaging::TopicPartition>& partitions);
    void forget_state(const std::vector<messaging::TopicPartition>& partitions);
    void print_committed();

    boost::asio::any_io_executor executor_;
    NotificationServiceConfig config_;
    std::FILE* out_;
    LatencyRecorder latency_;
    prometheus::Histogram* order_received_seconds_ = nullptr;  // when metrics are on
    prometheus::Histogram* payment_seconds_ = nullptr;
    events::RandomSource random_;  // span ids; the processor's strand only
    // The processor's strand (and its blocking thread while the strand waits for it):
    SeenEvents seen_;
    std::optional<messaging::PartitionReader> reader_;
    struct PendingLine {
        std::string text;                      // what to print once committed
        std::int64_t order_created_at_ms = -1;  // -1: unknown
        bool order_received = false;            // else a payment's notification
    };
    std::vector<PendingLine> pending_lines_;               // of the open unit of work
    std::deque<std::vector<PendingLine>> closed_lines_;   // of closed units not committed yet, oldest first
    std::vector<messaging::TopicPartition> assigned_;
    std::uint64_t duplicates_ = 0;
    std::uint64_t skipped_orders_ = 0;

    std::mutex mutex_;  // guards the two below
    std::optional<messaging::Processor> processor_;
    bool stop_requested_ = false;
};

}  // namespace streamstore::notification
