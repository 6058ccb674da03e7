#pragma once
// Where the library's clients report what they do, so a service can export it as metrics
// (libs/observability implements this with prometheus-cpp). The messaging library itself has no
// metrics dependency: give a ClientConfig a MetricsSink and every client built from it reports.
//
// Thread safety: a sink is shared by all the clients of a process and is called from their
// strands and, for on_statistics, from whichever thread serves librdkafka's queue. Implementations
// must be thread-safe, must not throw, and must be cheap: on_produced/on_consumed run per batch of
// records on the hot path.
// Ownership: clients hold the sink by shared_ptr, so it outlives them.

#include <chrono>
#include <cstdint>
#include <string_view>

namespace streamstore::messaging {

class MetricsSink {
public:
    virtual ~MetricsSink() = default;

    /// `records` records (`bytes` bytes of key + value) acknowledged by the broker on `topic`:
    /// successful delivery reports.
    virtual void on_produced(std::string_view topic, std::uint64_t records, std::uint64_t bytes) noexcept {
        (void)topic, (void)records, (void)bytes;
    }
    /// `records` records of `topic` that failed: a delivery report with an error, or a send the
    /// producer refused (other than "queue full", which is waited out).
    virtual void on_produce_failed(std::string_view topic, std::uint64_t records) noexcept {
        (void)topic, (void)records;
    }
    /// `records` records (`bytes` bytes of key + value) consumed from `topic`.
    virtual void on_consumed(std::string_view topic, std::uint64_t records, std::uint64_t bytes) noexcept {
        (void)topic, (void)records, (void)bytes;
    }
    /// A record of `source_topic` was dead-lettered with `error_class` (dead_letter.hpp).
    virtual void on_dead_letter(std::string_view source_topic, std::string_view error_class) noexcept {
        (void)source_topic, (void)error_class;
    }
    /// A unit of work was committed: a transaction (`transactional`) or, at least once, the
    /// consumed offsets; the commit (flushing the outputs included) took `elapsed`.
    virtual void on_commit(bool transactional, std::chrono::nanoseconds elapsed) noexcept {
        (void)transactional, (void)elapsed;
    }
    /// A unit of work was discarded: a transaction aborted (`transactional`), or, at least once,
    /// the consumer rewound to the committed offsets.
    virtual void on_abort(bool transactional) noexcept { (void)transactional; }
    /// One input record went through the processor's Transform in `elapsed` (wall clock).
    virtual void on_processed(std::chrono::nanoseconds elapsed) noexcept { (void)elapsed; }
    /// librdkafka's statistics JSON (STATISTICS.md), every ClientConfig::statistics_interval, from
    /// one client handle (its "client_id" and "type" fields say which). The view lives only for
    /// the call.
    virtual void on_statistics(std::string_view json) noexcept { (void)json; }
};

}  // namespace streamstore::messaging
