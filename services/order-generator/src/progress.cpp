#include "progress.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include <fmt/format.h>

namespace streamstore::order_generator {

namespace {

constexpr double kBytesPerMegabyte = 1024.0 * 1024.0;  // as kafka-producer-perf-test

double per_second(std::uint64_t n, double seconds) { return seconds > 0 ? static_cast<double>(n) / seconds : 0.0; }

// Whole milliseconds, as kafka-producer-perf-test prints its percentiles.
long long whole_ms(std::uint64_t us) { return static_cast<long long>(std::llround(static_cast<double>(us) / 1000.0)); }

double ms(double us) { return us / 1000.0; }

}  // namespace

// ---------------------------------------------------------------------------------------------
// LatencyHistogram / LatencySnapshot

std::size_t LatencyHistogram::bucket_of(std::uint64_t us) noexcept {
    us = std::min(us, kMaxTrackable);
    if (us < kSubBuckets) return static_cast<std::size_t>(us);
    const int shift = std::bit_width(us) - 1 - kSubBucketBits;  // >= 0
    return static_cast<std::size_t>((static_cast<std::uint64_t>(shift) + 1) * kSubBuckets + ((us >> shift) - kSubBuckets));
}

std::uint64_t LatencyHistogram::lowest_in(std::size_t bucket) noexcept {
    const std::uint64_t group = bucket / kSubBuckets;
    const std::uint64_t position = bucket % kSubBuckets;
    return group == 0 ? position : (kSubBuckets + position) << (group - 1);
}

std::uint64_t LatencyHistogram::highest_in(std::size_t bucket) noexcept {
    const std::uint64_t group = bucket / kSubBuckets;
    return group == 0 ? lowest_in(bucket) : lowest_in(bucket) + (std::uint64_t{1} << (group - 1)) - 1;
}

void LatencyHistogram::record(std::chrono::microseconds latency) noexcept {
    const std::uint64_t us = latency.count() > 0 ? static_cast<std::uint64_t>(latency.count()) : 0;
    buckets_[bucket_of(us)].fetch_add(1, std::memory_order_relaxed);
    sum_us_.fetch_add(us, std::memory_order_relaxed);
    std::uint64_t max = max_us_.load(std::memory_order_relaxed);
    while (us > max && !max_us_.compare_exchange_weak(max, us, std::memory_order_relaxed)) {
    }
}

LatencySnapshot LatencyHistogram::snapshot() const noexcept {
    LatencySnapshot out;
    for (std::size_t i = 0; i < kBuckets; ++i) {
        out.buckets_[i] = buckets_[i].load(std::memory_order_relaxed);
        out.count_ += out.buckets_[i];
    }
    out.sum_us_ = sum_us_.load(std::memory_order_relaxed);
    out.max_us_ = max_us_.load(std::memory_order_relaxed);
    return out;
}

void LatencySnapshot::record(std::chrono::microseconds latency) noexcept {
    const std::uint64_t us = latency.count() > 0 ? static_cast<std::uint64_t>(latency.count()) : 0;
    ++buckets_[LatencyHistogram::bucket_of(us)];
    ++count_;
    sum_us_ += us;
    max_us_ = std::max(max_us_, us);
}

double LatencySnapshot::mean_us() const noexcept {
    return count_ == 0 ? 0.0 : static_cast<double>(sum_us_) / static_cast<double>(count_);
}

std::uint64_t LatencySnapshot::percentile_us(double quantile) const noexcept {
    if (count_ == 0) return 0;
    const double wanted = std::ceil(std::clamp(quantile, 0.0, 1.0) * static_cast<double>(count_));
    const std::uint64_t rank = std::clamp<std::uint64_t>(static_cast<std::uint64_t>(wanted), 1, count_);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
        seen += buckets_[i];
        if (seen >= rank) return std::min(LatencyHistogram::highest_in(i), max_us_);
    }
    return max_us_;  // unreachable while count_ is the sum of the buckets
}

LatencySnapshot LatencySnapshot::since(const LatencySnapshot& earlier) const noexcept {
    LatencySnapshot out;
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
        // Counters only grow; a snapshot taken while others record may still be a little behind.
        out.buckets_[i] = buckets_[i] >= earlier.buckets_[i] ? buckets_[i] - earlier.buckets_[i] : 0;
        out.count_ += out.buckets_[i];
    }
    out.sum_us_ = sum_us_ >= earlier.sum_us_ ? sum_us_ - earlier.sum_us_ : 0;
    out.max_us_ = max_us_;
    return out;
}

// ---------------------------------------------------------------------------------------------
// Progress

std::optional<std::chrono::seconds> estimate_eta(std::optional<std::uint64_t> total, std::uint64_t sent, double rate,
                                                 std::optional<std::chrono::steady_clock::duration> time_left) {
    using std::chrono::seconds;
    std::optional<seconds> eta;
    if (total) {
        if (sent >= *total) {
            eta = seconds(0);
        } else if (rate > 0) {
            // Rounded up, but not for a rate a hair under the round figure (1999.99/s for 2000).
            const double left = static_cast<double>(*total - sent) / rate;
            eta = seconds(static_cast<std::int64_t>(std::ceil(left - 1e-3)));
        }
    }
    if (time_left) {
        const auto left = std::chrono::ceil<seconds>(std::max(*time_left, std::chrono::steady_clock::duration::zero()));
        eta = eta ? std::min(*eta, left) : left;
    }
    return eta;
}

ProgressMeter::ProgressMeter(Clock::time_point start, std::optional<std::uint64_t> total,
                             std::chrono::milliseconds time_limit, std::size_t window)
    : start_(start), total_(total), time_limit_(time_limit), window_(std::max<std::size_t>(window, 1)) {
    samples_.push_back({start, {}, {}});
}

ProgressLine ProgressMeter::update(Clock::time_point now, const ProgressCounts& counts, const LatencySnapshot& latency) {
    const Sample& last = samples_.back();
    const Sample& oldest = samples_.front();
    const double interval = std::chrono::duration<double>(now - last.at).count();
    const double window = std::chrono::duration<double>(now - oldest.at).count();

    ProgressLine line;
    line.counts = counts;
    line.total = total_;
    line.elapsed = std::chrono::duration_cast<std::chrono::seconds>(now - start_);
    line.rate = interval > 0 ? static_cast<double>(counts.sent - std::min(counts.sent, last.counts.sent)) / interval : 0;

    const LatencySnapshot recent = latency.since(oldest.latency);
    if (recent.count() > 0) {
        line.p99_us = recent.percentile_us(0.99);
    } else if (latency.count() > 0) {
        line.p99_us = latency.percentile_us(0.99);  // nothing acknowledged lately: the overall figure
    }

    const double window_rate =
        window > 0 ? static_cast<double>(counts.sent - std::min(counts.sent, oldest.counts.sent)) / window : 0;
    std::optional<Clock::duration> time_left;
    if (time_limit_.count() > 0) time_left = start_ + time_limit_ - now;
    line.eta = estimate_eta(total_, counts.sent, window_rate, time_left);

    samples_.push_back({now, counts, latency});
    while (samples_.size() > window_) samples_.pop_front();
    return line;
}

std::string format_eta(std::chrono::seconds eta) {
    const long long s = std::max<long long>(eta.count(), 0);
    if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, s % 3600 / 60);
    if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
    return fmt::format("{}s", s);
}

std::string format_latency_ms(std::uint64_t us) {
    const double value = ms(static_cast<double>(us));
    if (value < 10) return fmt::format("{:.2f} ms", value);
    if (value < 100) return fmt::format("{:.1f} ms", value);
    return fmt::format("{:.0f} ms", value);
}

namespace {

std::string format_rate(double rate) {
    return rate < 10 ? fmt::format("{:.1f} orders/s", rate) : fmt::format("{:.0f} orders/s", rate);
}

}  // namespace

std::string format_progress_line(const ProgressLine& line, std::size_t max_width) {
    const ProgressCounts& c = line.counts;
    std::string out;
    if (line.total && *line.total > 0) {
        const std::uint64_t percent = std::min(c.sent, *line.total) * 100 / *line.total;
        out = fmt::format("[{:3}%] sent {}/{}", percent, c.sent, *line.total);
    } else {
        out = fmt::format("sent {}", c.sent);
    }
    out += fmt::format(", acked {}, failed {}, {}, p99 {}", c.acknowledged, c.failed, format_rate(line.rate),
                       line.p99_us ? format_latency_ms(*line.p99_us) : std::string("-"));
    if (line.total || line.eta) {
        out += ", ETA " + (line.eta ? format_eta(*line.eta) : std::string("?"));
    } else {
        out += ", " + format_eta(line.elapsed) + " elapsed";
    }
    if (max_width > 0 && out.size() > max_width) out.resize(max_width);
    return out;
}

std::string format_progress_log(const ProgressLine& line) {
    const ProgressCounts& c = line.counts;
    std::string out = fmt::format("progress: sent {}", c.sent);
    if (line.total) out += fmt::format(" of {}", *line.total);
    out += fmt::format(", acknowledged {}, failed {}, {}", c.acknowledged, c.failed, format_rate(line.rate));
    if (line.p99_us) out += ", p99 " + format_latency_ms(*line.p99_us);
    if (line.eta) out += ", ETA " + format_eta(*line.eta);
    return out;
}

// ---------------------------------------------------------------------------------------------
// Summary

std::string format_totals_line(const RunSummary& s) {
    return fmt::format("order-generator: sent {}, delivered {}, failed {} in {:.2f} s ({:.0f} orders/s)", s.sent,
                       s.delivered, s.failed, s.seconds, per_second(s.delivered, s.seconds));
}

std::string format_perf_line(const RunSummary& s) {
    const LatencySnapshot& l = s.latency;
    return fmt::format(
        "{} records sent, {:.1f} records/sec ({:.2f} MB/sec), {:.2f} ms avg latency, {:.2f} ms max latency, "
        "{} ms 50th, {} ms 95th, {} ms 99th, {} ms 99.9th.",
        s.delivered, per_second(s.delivered, s.seconds), per_second(s.bytes, s.seconds) / kBytesPerMegabyte,
        ms(l.mean_us()), ms(static_cast<double>(l.max_us())), whole_ms(l.percentile_us(0.50)),
        whole_ms(l.percentile_us(0.95)), whole_ms(l.percentile_us(0.99)), whole_ms(l.percentile_us(0.999)));
}

std::string format_summary_json(const RunSummary& s) {
    // By hand rather than with Boost.JSON, whose doubles come out as 5.12184741840349E4: the keys
    // are fixed and the values numbers, with as many decimals as the text summary.
    const LatencySnapshot& l = s.latency;
    const auto p = [&](double quantile) { return ms(static_cast<double>(l.percentile_us(quantile))); };
    return fmt::format(
        R"({{"sent":{},"delivered":{},"failed":{},"seconds":{:.3f},"bytes":{},"records_per_sec":{:.1f},)"
        R"("mb_per_sec":{:.2f},"latency_ms":{{"avg":{:.3f},"max":{:.3f},"p50":{:.3f},"p95":{:.3f},"p99":{:.3f},)"
        R"("p999":{:.3f}}}}})",
        s.sent, s.delivered, s.failed, s.seconds, s.bytes, per_second(s.delivered, s.seconds),
        per_second(s.bytes, s.seconds) / kBytesPerMegabyte, ms(l.mean_us()), ms(static_cast<double>(l.max_us())),
        p(0.50), p(0.95), p(0.99), p(0.999));
}

}  // namespace streamstore::order_generator
