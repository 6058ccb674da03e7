#pragma once
// Order-to-notification latency: a fixed-size histogram (1 ms buckets up to 10 s, then 100 ms
// buckets up to 10 min), so memory stays bounded however long the service runs.
// Thread safety: record() and the readers may be called from any thread (atomic counters).

#include <array>
#include <atomic>
#include <cstdint>

namespace streamstore::notification {

class LatencyRecorder {
public:
    void record(std::int64_t latency_ms) noexcept;

    [[nodiscard]] std::uint64_t count() const noexcept { return count_.load(); }
    /// The smallest bucket bound below which `quantile` (0..1] of the samples fall; 0 when empty.
    [[nodiscard]] std::int64_t percentile_ms(double quantile) const noexcept;
    [[nodiscard]] std::int64_t max_ms() const noexcept { return max_.load(); }

private:
    static constexpr std::size_t kFineBuckets = 10'000;   // 0..9999 ms, 1 ms wide
    static constexpr std::size_t kCoarseBuckets = 5'900;  // 10 s..10 min, 100 ms wide
    static std::size_t bucket_of(std::int64_t ms) noexcept;
    static std::int64_t upper_bound_of(std::size_t bucket) noexcept;

    std::array<std::atomic<std::uint64_t>, kFineBuckets + kCoarseBuckets + 1> buckets_{};
    std::atomic<std::uint64_t> count_{0};
    std::atomic<std::int64_t> max_{0};
};

}  // namespace streamstore::notification
