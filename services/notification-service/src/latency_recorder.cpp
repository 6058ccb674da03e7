#include "latency_recorder.hpp"

#include <cmath>
#include <memory>

namespace streamstore::notification {

std::size_t LatencyRecorder::bucket_of(std::int64_t ms) noexcept {
    if (ms < 0) ms = 0;
    if (ms < static_cast<std::int64_t>(kFineBuckets)) return static_cast<std::size_t>(ms);
    const auto coarse = static_cast<std::size_t>((ms - static_cast<std::int64_t>(kFineBuckets)) / 100);
    return kFineBuckets + (coarse < kCoarseBuckets ? coarse : kCoarseBuckets);
}

std::int64_t LatencyRecorder::upper_bound_of(std::size_t bucket) noexcept {
    if (bucket < kFineBuckets) return static_cast<std::int64_t>(bucket);
    return static_cast<std::int64_t>(kFineBuckets + (bucket - kFineBuckets + 1) * 100);
}

LatencyRecorder::~LatencyRecorder() {
    for (auto& chunk : chunks_) delete chunk.load();
}

std::uint64_t LatencyRecorder::bucket_count(std::size_t bucket) const noexcept {
    const Chunk* chunk = chunks_[bucket / kChunkBuckets].load(std::memory_order_acquire);
    return chunk == nullptr ? 0 : (*chunk)[bucket % kChunkBuckets].load(std::memory_order_relaxed);
}

void LatencyRecorder::record(std::int64_t latency_ms) noexcept {
    const std::size_t bucket = bucket_of(latency_ms);
    std::atomic<Chunk*>& slot = chunks_[bucket / kChunkBuckets];
    Chunk* chunk = slot.load(std::memory_order_acquire);
    if (chunk == nullptr) {
        auto fresh = std::make_unique<Chunk>();  // value-initialised: zero counts
        if (slot.compare_exchange_strong(chunk, fresh.get(), std::memory_order_acq_rel)) chunk = fresh.release();
        // else another thread published one first: `chunk` is now that one, ours is freed
    }
    (*chunk)[bucket % kChunkBuckets].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    std::int64_t seen = max_.load(std::memory_order_relaxed);
    while (latency_ms > seen && !max_.compare_exchange_weak(seen, latency_ms, std::memory_order_relaxed)) {
    }
}

std::int64_t LatencyRecorder::percentile_ms(double quantile) const noexcept {
    const std::uint64_t total = count_.load();
    if (total == 0) return 0;
    const auto rank = static_cast<std::uint64_t>(std::ceil(quantile * static_cast<double>(total)));
    std::uint64_t seen = 0;
    for (std::size_t b = 0; b < kBuckets; ++b) {
        seen += bucket_count(b);
        if (seen >= rank && seen > 0) {
            // The last bucket is open-ended: the true bound is the largest sample.
            return b + 1 == kBuckets ? max_.load() : upper_bound_of(b);
        }
    }
    return max_.load();
}

}  // namespace streamstore::notification
