#pragma once
// order-generator's progress and summary figures, as plain values and functions (no Kafka, no
// terminal), so that they are unit-tested:
// - LatencyHistogram: acknowledgement latencies (send → delivery report) in bounded memory;
// - ProgressMeter: turns periodic samples into a ProgressLine (current rate, recent p99, ETA);
// - format_*: the live progress line, its plain log form, and the final summary (text or JSON).
//
// Thread safety: LatencyHistogram::record and snapshot may be called from any thread
// concurrently (atomic counters). Everything else is a plain value or function; a ProgressMeter
// is used by one caller at a time.

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

namespace streamstore::order_generator {

/// Latencies in log-linear buckets of microseconds (as in HdrHistogram): 1 µs wide up to 64 µs,
/// then 32 buckets per power of two, so any value is known within 1/32 (3 %). Values from
/// 0 to 2^36 µs (19 h) are kept apart; larger ones land in the last bucket. 8 KiB in all.
class LatencySnapshot;

class LatencyHistogram {
public:
    static constexpr int kSubBucketBits = 5;
    static constexpr std::uint64_t kSubBuckets = std::uint64_t{1} << kSubBucketBits;  // 32
    static constexpr int kMaxBits = 36;
    static constexpr std::uint64_t kMaxTrackable = (std::uint64_t{1} << kMaxBits) - 1;  ///< µs
    static constexpr std::size_t kBuckets = (kMaxBits - kSubBucketBits + 1) * kSubBuckets;  // 1,024

    /// The bucket of a latency of `us` microseconds (values over kMaxTrackable: the last bucket).
    static std::size_t bucket_of(std::uint64_t us) noexcept;
    /// The smallest and largest value in microseconds a bucket stands for.
    static std::uint64_t lowest_in(std::size_t bucket) noexcept;
    static std::uint64_t highest_in(std::size_t bucket) noexcept;

    /// Thread-safe, lock-free. Negative latencies (a clock step) count as 0.
    void record(std::chrono::microseconds latency) noexcept;
    /// A consistent-enough copy (each counter read atomically) to compute figures from.
    [[nodiscard]] LatencySnapshot snapshot() const noexcept;

private:
    std::array<std::atomic<std::uint64_t>, kBuckets> buckets_{};
    std::atomic<std::uint64_t> sum_us_{0};
    std::atomic<std::uint64_t> max_us_{0};
};

/// A LatencyHistogram's counts at one moment, or the difference of two moments (a window).
class LatencySnapshot {
public:
    /// Adds one value (for building snapshots by hand, e.g. in tests).
    void record(std::chrono::microseconds latency) noexcept;

    [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
    /// Mean in microseconds; 0 when empty.
    [[nodiscard]] double mean_us() const noexcept;
    /// The largest value recorded (exact); for a window, the largest since the start.
    [[nodiscard]] std::uint64_t max_us() const noexcept { return max_us_; }
    /// The value below or at which `quantile` (0..1] of the values fall, in microseconds: the
    /// highest value of that value's bucket (so within 3 % above), never above max_us(). 0 when empty.
    [[nodiscard]] std::uint64_t percentile_us(double quantile) const noexcept;

    /// What was recorded between `earlier` and this snapshot (max stays this one's).
    [[nodiscard]] LatencySnapshot since(const LatencySnapshot& earlier) const noexcept;

private:
    friend class LatencyHistogram;
    std::array<std::uint64_t, LatencyHistogram::kBuckets> buckets_{};
    std::uint64_t count_ = 0;
    std::uint64_t sum_us_ = 0;
    std::uint64_t max_us_ = 0;
};

/// Orders so far: enqueued, acknowledged by the broker, failed (not enqueued or not delivered).
struct ProgressCounts {
    std::uint64_t sent = 0;
    std::uint64_t acknowledged = 0;
    std::uint64_t failed = 0;
};

/// What the progress line shows.
struct ProgressLine {
    ProgressCounts counts;
    std::optional<std::uint64_t> total;        ///< --count, when fixed
    double rate = 0;                           ///< orders sent per second over the last interval
    std::optional<std::uint64_t> p99_us;       ///< p99 acknowledgement latency, recent window
    std::optional<std::chrono::seconds> eta;   ///< until the last order is sent
    std::chrono::seconds elapsed{0};
};

/// Seconds until `total` orders are sent at `rate` orders/s, `sent` being sent already, capped
/// by `time_left` (what remains of --duration) when given. nullopt when it cannot be told (no
/// total and no time limit, or a zero rate and no time limit).
std::optional<std::chrono::seconds> estimate_eta(std::optional<std::uint64_t> total, std::uint64_t sent,
                                                 double rate,
                                                 std::optional<std::chrono::steady_clock::duration> time_left);

/// Turns samples taken about every interval into ProgressLines: the rate over the last
/// interval, and the p99 and the rate for the ETA over the last `window` samples (smoother).
class ProgressMeter {
public:
    using Clock = std::chrono::steady_clock;

    /// `total`: --count when fixed; `time_limit`: --duration when set (0 = none).
    ProgressMeter(Clock::time_point start, std::optional<std::uint64_t> total, std::chrono::milliseconds time_limit,
                  std::size_t window = 10);

    ProgressLine update(Clock::time_point now, const ProgressCounts& counts, const LatencySnapshot& latency);

private:
    struct Sample {
        Clock::time_point at;
        ProgressCounts counts;
        LatencySnapshot latency;
    };
    Clock::time_point start_;
    std::optional<std::uint64_t> total_;
    std::chrono::milliseconds time_limit_;
    std::size_t window_;
    std::deque<Sample> samples_;  // the last `window_` samples, oldest first
};

/// "1h02m", "3m05s", "42s".
std::string format_eta(std::chrono::seconds eta);

/// A latency for people: "0.84 ms", "12.3 ms", "250 ms".
std::string format_latency_ms(std::uint64_t us);

/// The live progress line, at most `max_width` characters (0 = no limit), e.g.
/// "[ 60%] sent 12000/20000, acked 11950, failed 0, 2001 orders/s, p99 4.21 ms, ETA 4s".
std::string format_progress_line(const ProgressLine& line, std::size_t max_width = 0);

/// The same figures as one log line, for when stderr is not a terminal, e.g.
/// "progress: sent 12000 of 20000, acknowledged 11950, failed 0, 2001 orders/s, p99 4.21 ms".
std::string format_progress_log(const ProgressLine& line);

/// The figures of a finished run.
struct RunSummary {
    std::uint64_t sent = 0;       ///< enqueued in the producer
    std::uint64_t delivered = 0;  ///< acknowledged by the broker
    std::uint64_t failed = 0;     ///< not enqueued, or failed delivery
    double seconds = 0;           ///< from the first send to the end of the flush
    std::uint64_t bytes = 0;      ///< key and value bytes of the acknowledged records
    LatencySnapshot latency;      ///< of the acknowledged records, send → delivery report
};

/// The existing totals line that scripts and tests parse; do not change its shape:
/// "order-generator: sent 1000, delivered 1000, failed 0 in 0.41 s (2439 orders/s)".
std::string format_totals_line(const RunSummary& summary);

/// kafka-producer-perf-test's final line, over the acknowledged records:
/// "1000 records sent, 2439.0 records/sec (0.67 MB/sec), 3.21 ms avg latency, 12.00 ms max
/// latency, 3 ms 50th, 9 ms 95th, 11 ms 99th, 12 ms 99.9th." (MB = 2^20 bytes).
std::string format_perf_line(const RunSummary& summary);

/// The same figures as one JSON object (one line): sent, delivered, failed, seconds, bytes,
/// records_per_sec, mb_per_sec and latency_ms {avg, max, p50, p95, p99, p999}.
std::string format_summary_json(const RunSummary& summary);

}  // namespace streamstore::order_generator
