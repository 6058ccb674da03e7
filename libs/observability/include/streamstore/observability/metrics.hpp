#pragma once
// The process's Prometheus metrics: a prometheus-cpp registry with StreamStore's families, fed by
// the messaging clients through messaging::MetricsSink and served by /metrics (health.hpp).
//
//   auto metrics = std::make_shared<observability::Metrics>("payment-service", "0.1.0");
//   config.client.metrics = metrics;                          // every client built from it reports
//   config.client.statistics_interval = std::chrono::seconds(5);  // consumer lag
//   auto& family = prometheus::BuildHistogram().Name("...").Help("...").Register(*metrics->registry());
//
// Families (README.md has the table): streamstore_records_produced_total{topic},
// streamstore_produced_bytes_total{topic}, streamstore_records_failed_total{topic},
// streamstore_records_consumed_total{topic}, streamstore_consumed_bytes_total{topic},
// streamstore_dead_letters_total{topic,error_class}, streamstore_transactions_committed_total,
// streamstore_transactions_aborted_total, streamstore_offset_commits_total,
// streamstore_rewinds_total, streamstore_processing_seconds (histogram),
// streamstore_commit_seconds (histogram),
// streamstore_consumer_lag{topic,partition} (gauge, records), streamstore_build_info{service,version}.
//
// Thread safety: every member may be called from any thread concurrently (the sink methods are
// called from the clients' strands and librdkafka's threads). The sink methods never throw.
// Cost on the hot path: a per-topic counter is created the first time its topic is seen and its
// prometheus::Counter& is cached in a map under a reader-writer lock, so on_produced/on_consumed
// take a shared lock, one hash lookup (no allocation) and an atomic add per counter. Series are
// never removed from the per-topic families (topics are few and fixed per service).
// Ownership: hold it by shared_ptr (ClientConfig::metrics does); it owns the registry, which may
// be shared further through registry().

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <prometheus/registry.h>

#include "streamstore/messaging/metrics.hpp"

namespace streamstore::observability {

class Metrics final : public messaging::MetricsSink {
public:
    /// `service` and `version` label streamstore_build_info (always 1). Throws only std::bad_alloc.
    Metrics(std::string_view service, std::string_view version);
    ~Metrics() override;
    Metrics(const Metrics&) = delete;
    Metrics& operator=(const Metrics&) = delete;

    /// The registry every family lives in; services add their own with prometheus-cpp's builders
    /// (BuildCounter, BuildHistogram, ...). Registering a name already registered with another
    /// type throws std::invalid_argument (prometheus-cpp).
    const std::shared_ptr<prometheus::Registry>& registry() const noexcept { return registry_; }

    /// Every family of the registry in the Prometheus text exposition format 0.0.4
    /// (Content-Type "text/plain; version=0.0.4; charset=utf-8"). Throws only std::bad_alloc.
    std::string serialize() const;

    // messaging::MetricsSink (metrics.hpp says when the clients call each).
    void on_produced(std::string_view topic, std::uint64_t records, std::uint64_t bytes) noexcept override;
    void on_produce_failed(std::string_view topic, std::uint64_t records) noexcept override;
    void on_consumed(std::string_view topic, std::uint64_t records, std::uint64_t bytes) noexcept override;
    void on_dead_letter(std::string_view source_topic, std::string_view error_class) noexcept override;
    /// transactions_committed_total when `transactional`, else offset_commits_total.
    void on_commit(bool transactional, std::chrono::nanoseconds elapsed) noexcept override;
    /// transactions_aborted_total when `transactional`, else rewinds_total.
    void on_abort(bool transactional) noexcept override;
    /// One observation of streamstore_processing_seconds (buckets 1 µs … 1 s, 1-2.5-5 steps).
    void on_processed(std::chrono::nanoseconds elapsed) noexcept override;
    /// Updates streamstore_consumer_lag from a consumer handle's statistics (librdkafka_stats.hpp
    /// says how lag is computed). A partition that handle reported before and no longer reports
    /// (revoked) loses its series, unless another handle of the process still reports it. A handle
    /// that has stopped reporting for 10 of its own statistics intervals (measured with the
    /// statistics' "ts") loses its series too, so a closed consumer leaves no stale lag behind.
    /// Producer statistics are ignored; malformed JSON is ignored and logged at debug level.
    void on_statistics(std::string_view json) noexcept override;

private:
    struct State;
    std::shared_ptr<prometheus::Registry> registry_;
    std::unique_ptr<State> state_;
};

}  // namespace streamstore::observability
