#pragma once
// Consumer lag from librdkafka's statistics JSON (STATISTICS.md: statistics.interval.ms, stats_cb).
//
// Plain functions, no state: Metrics::on_statistics turns their result into the
// streamstore_consumer_lag gauge. Thread safety: safe to call from any thread.
//
// Lag of one partition, in records: end - position, where
// - end = "ls_offset" (last stable offset: what a read_committed consumer can reach) when >= 0,
//   else "hi_offset" (high watermark). The isolation level is not in the statistics; for a
//   read_uncommitted consumer the two differ only by open transactions;
// - position = "app_offset" (offset of the last record handed to the application + 1) when >= 0,
//   else "committed_offset" when >= 0.
// Partitions are skipped when either is unknown (librdkafka reports -1001), for the internal
// partition -1, and when the partition is not assigned to this consumer: "fetch_state" is "none",
// "stopping" or "stopped", or "desired" is false. A lag below 0 (the high watermark in the
// statistics is older than the position) is reported as 0.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace streamstore::observability {

struct PartitionLag {
    std::string client_id;        ///< "client_id": the client.id the handle was configured with
    std::string topic;
    std::int32_t partition = -1;
    std::int64_t lag = 0;         ///< records, >= 0
};

/// What one consumer handle's statistics say about its lag.
struct ConsumerLag {
    /// "name": the handle's instance name, unique within the process ("payment-service#consumer-2"),
    /// where client_id may be shared by several handles.
    std::string name;
    std::string client_id;                ///< "client_id"
    std::int64_t ts = 0;                  ///< "ts": librdkafka's monotonic clock, microseconds
    std::vector<PartitionLag> partitions; ///< assigned partitions whose lag is known, in JSON order
};

/// Parses one statistics JSON document. Returns nullopt for a handle that is not a consumer
/// ("type" other than "consumer": producers, admin clients).
/// Throws std::invalid_argument (saying what is wrong) when `stats_json` is not JSON or lacks the
/// top-level fields ("type", "name", "client_id"); malformed entries inside "topics" are skipped.
std::optional<ConsumerLag> parse_consumer_lag(std::string_view stats_json);

/// The lag of every assigned partition in `stats_json`, as parse_consumer_lag computes it. Empty
/// for producer statistics and for malformed JSON. Never throws.
std::vector<PartitionLag> consumer_lag(std::string_view stats_json) noexcept;

}  // namespace streamstore::observability
