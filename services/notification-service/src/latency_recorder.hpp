#pragma once
// Order-to-notification latency: a fixed-size histogram (1 ms buckets up to 10 s, then 100 ms
// buckets up to 10 min), so memory stays bounded however long the service runs.
// Memory: the 15,901 buckets (124 KiB) come in chunks of 1,024 (8 KiB), each allocated when a
// sample first falls into it: an idle service holds none, one whose latencies stay below 1 s one.
// Thread safety: record() and the readers may be called from any thread (atomic counters; a chunk
// is published with a compare-exchange).

#include <array>
#include <atomic>
#include <cstdint>

namespace streamstore::notification {

class LatencyRecorder {
public:
    LatencyRecorder() = default;
    ~LatencyRecorder();
    LatencyRecorder(const LatencyRecorder&) = delete;
    LatencyRecorder& operator=(const LatencyRecorder&) = delete;

    /// Allocates the sample's chunk of buckets the first time (std::bad_alloc: terminates).
    void record(std::int64_t latency_ms) noexcept;

    [[nodiscard]] std::uint64_t count() const noexcept { return count_.load(); }
    /// The smallest bucket bound below which `quantile` (0..1] of the samples fall; 0 when empty.
    [[nodiscard]] std::int64_t percentile_ms(double quantile) const noexcept;
    [[nodiscard]] std::int64_t max_ms() const noexcept { return max_.load(); }

private:
    static constexpr std::size_t kFineBuckets = 10'000;   // 0..9999 ms, 1 ms wide
    static constexpr std::size_t kCoarseBuckets = 5'900;  // 10 s..10 min, 100 ms wide
    static constexpr std::size_t kBuckets = kFineBuckets + kCoarseBuckets + 1;  // the last: beyond 10 min
    static constexpr std::size_t kChunkBuckets = 1'024;
    static constexpr std::size_t kChunks = (kBuckets + kChunkBuckets - 1) / kChunkBuckets;
    using Chunk = std::array<std::atomic<std::uint64_t>, kChunkBuckets>;
    static std::size_t bucket_of(std::int64_t ms) noexcept;
    static std::int64_t upper_bound_of(std::size_t bucket) noexcept;
    /// The count of `bucket`: 0 while its chunk does not exist.
    [[nodiscard]] std::uint64_t bucket_count(std::size_t bucket) const noexcept;

    std::array<std::atomic<Chunk*>, kChunks> chunks_{};  // null until a sample falls into it
    std::atomic<std::uint64_t> count_{0};
    std::atomic<std::int64_t> max_{0};
};

}  // namespace streamstore::notification
