#pragma once
// order-generator: produces orders to the orders topic and counts their delivery reports.
//
// Lifecycle: async_run() creates the topic if missing (waiting at most startup_timeout for the
// broker), sends orders on the pacing's schedule until `count` orders were made, `duration`
// passed, stop() was called or the producer failed for good (a fatal error, or an order that
// could not be enqueued for any reason but a full queue), then flushes the producer for at most
// flush_timeout and prints a summary on stdout. It co_returns 0 when every order was delivered,
// 1 otherwise.
//
// Every order carries a W3C `traceparent` header starting a new trace; log lines about one order
// carry its trace id. While it runs, a progress line is redrawn on stderr every 500 ms when
// stderr is a terminal; otherwise a plain log line says the same every 10 s.
// Metrics (with a registry): streamstore_orders_sent_total, streamstore_order_ack_seconds.
// Thread safety: stop() and readiness() may be called from any thread; the rest runs on the
// given executor.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <prometheus/counter.h>
#include <prometheus/histogram.h>

#include "pacing.hpp"
#include "progress.hpp"
#include "status_line.hpp"
#include "streamstore/events/events.hpp"
#include "streamstore/events/trace.hpp"
#include "streamstore/messaging/admin.hpp"
#include "streamstore/messaging/producer.hpp"
#include "streamstore/observability/health.hpp"
#include "streamstore/observability/metrics.hpp"

namespace streamstore::order_generator {

enum class SummaryFormat { text, json };

struct GeneratorConfig {
    messaging::ProducerConfig producer;
    messaging::TopicSpec topic{"orders", 3, 1};
    std::uint64_t count = 0;                      ///< 0 = until stopped (or `duration`)
    std::chrono::milliseconds interval{0};        ///< between ticks; 0 = as fast as possible
    std::optional<double> rate;                   ///< orders/s; when set, `interval` is ignored
    std::uint32_t burst = 1;                      ///< orders back to back per tick
    std::chrono::milliseconds duration{0};        ///< stop sending after this long; 0 = no limit
    SummaryFormat summary_format = SummaryFormat::text;
    std::uint64_t seed = 0;                       ///< of the orders (trace ids are always random)
    std::chrono::milliseconds startup_timeout{30'000};
    std::chrono::milliseconds flush_timeout{10'000};

    /// The schedule `interval` or `rate`, and `burst`, make.
    [[nodiscard]] Pacing pacing() const {
        return rate ? Pacing::at_rate(*rate, burst) : Pacing::every(interval, burst);
    }
};

class OrderGenerator final {
public:
    /// `metrics` may be null (no order counters); the producer reports to
    /// config.producer.client.metrics.
    OrderGenerator(boost::asio::any_io_executor executor, GeneratorConfig config,
                   std::shared_ptr<observability::Metrics> metrics = nullptr);
    ~OrderGenerator();
    OrderGenerator(const OrderGenerator&) = delete;
    OrderGenerator& operator=(const OrderGenerator&) = delete;

    boost::asio::awaitable<int> async_run();
    void stop();
    [[nodiscard]] RunSummary summary() const;
    /// Ready once the topic exists and the producer is created; not after a producer failure.
    /// Thread-safe.
    [[nodiscard]] observability::Readiness readiness() const;

private:
    // One record in flight: the delivery listener librdkafka gets back with its report, carrying
    // when the record was sent and its trace. Recycled through a free list, so sending allocates
    // nothing once as many are in flight as will ever be.
    struct PendingSend final : messaging::DeliveryListener {
        OrderGenerator* owner = nullptr;
        std::chrono::steady_clock::time_point sent_at;
        events::TraceContext trace;
        PendingSend* next_free = nullptr;
        void on_delivery(const messaging::DeliveryReport& report,
                         const messaging::ProducerRecord& record) noexcept override;
    };

    boost::asio::awaitable<void> async_send_orders();
    boost::asio::awaitable<void> async_report_progress();
    [[nodiscard]] bool may_send(std::uint64_t made, std::optional<std::chrono::steady_clock::time_point> end) const;
    /// Enqueues one order; counts it as sent or failed unless the queue was full (returned).
    /// Any other failure to enqueue halts sending.
    std::error_code send(const events::Order& order, std::string_view value, const events::TraceContext& trace);
    void on_delivery(PendingSend& pending, const messaging::DeliveryReport& report,
                     const messaging::ProducerRecord& record) noexcept;
    /// Stops sending for good (logs why, once).
    void halt(const std::string& reason);
    void finish_progress();
    [[nodiscard]] ProgressCounts counts() const;
    PendingSend& acquire_pending();
    void release_pending(PendingSend& pending) noexcept;
    void log_start() const;
    int print_summary() const;

    boost::asio::any_io_executor executor_;
    GeneratorConfig config_;
    StatusLine status_;
    LatencyHistogram latency_;
    events::RandomSource trace_random_;  // used by the sending coroutine only

    // Listeners must outlive the producer's reports: declared before producer_.
    std::mutex pending_mutex_;
    std::deque<PendingSend> pending_;  // stable addresses
    PendingSend* free_pending_ = nullptr;

    std::optional<messaging::Producer> producer_;  // created once the topic exists (see async_run)
    boost::asio::steady_timer pacer_;
    boost::asio::strand<boost::asio::any_io_executor> progress_strand_;
    boost::asio::steady_timer progress_timer_;  // on progress_strand_
    bool progress_done_ = false;                // on progress_strand_
    std::atomic<bool> stopping_{false};
    std::atomic<bool> halted_{false};
    std::atomic<bool> connected_{false};
    prometheus::Counter* orders_sent_ = nullptr;    // streamstore_orders_sent_total, with metrics
    prometheus::Histogram* ack_seconds_ = nullptr;  // streamstore_order_ack_seconds, with metrics
    std::atomic<std::uint64_t> sent_{0};
    std::atomic<std::uint64_t> delivered_{0};
    std::atomic<std::uint64_t> failed_{0};
    std::atomic<std::uint64_t> bytes_{0};
    std::chrono::steady_clock::time_point started_;
    std::chrono::steady_clock::time_point finished_;
};

}  // namespace streamstore::order_generator
