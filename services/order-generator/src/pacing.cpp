#include "pacing.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace streamstore::order_generator {

Pacing Pacing::every(std::chrono::milliseconds interval, std::uint32_t burst) {
    return Pacing(std::max(std::chrono::duration<double>(interval).count(), 0.0), std::max<std::uint32_t>(burst, 1));
}

Pacing Pacing::at_rate(double rate, std::uint32_t burst) {
    burst = std::max<std::uint32_t>(burst, 1);
    return Pacing(rate > 0 && std::isfinite(rate) ? static_cast<double>(burst) / rate : 0.0, burst);
}

std::optional<double> Pacing::rate() const noexcept {
    if (!paced()) return std::nullopt;
    return static_cast<double>(burst_) / tick_seconds_;
}

std::chrono::nanoseconds Pacing::offset_of(std::uint64_t tick) const noexcept {
    // Doubles hold whole nanoseconds exactly up to 104 days: far beyond any run.
    const double ns = std::round(static_cast<double>(tick) * tick_seconds_ * 1e9);
    constexpr double kMax = static_cast<double>(std::chrono::nanoseconds::max().count());
    return std::chrono::nanoseconds(ns >= kMax ? std::chrono::nanoseconds::max().count()
                                               : static_cast<std::int64_t>(ns));
}

std::uint64_t Pacing::ticks_due(std::chrono::nanoseconds elapsed) const noexcept {
    constexpr std::uint64_t kAll = std::numeric_limits<std::uint64_t>::max();
    if (!paced()) return kAll;
    if (elapsed.count() < 0) return 0;
    // An estimate from the division, then settled against offset_of itself (its rounding
    // decides whether a tick on the boundary has started).
    const double estimate = std::floor(std::chrono::duration<double>(elapsed).count() / tick_seconds_) + 1;
    if (estimate >= 0x1p62) return kAll;  // beyond any run (offset_of saturates there)
    auto ticks = static_cast<std::uint64_t>(estimate);
    while (ticks > 0 && offset_of(ticks - 1) > elapsed) --ticks;
    for (;; ++ticks) {
        const std::chrono::nanoseconds next = offset_of(ticks);
        if (next > elapsed) return ticks;
        if (next == std::chrono::nanoseconds::max()) return kAll;
    }
}

std::uint64_t Pacing::orders_due(std::chrono::nanoseconds elapsed) const noexcept {
    const std::uint64_t ticks = ticks_due(elapsed);
    constexpr std::uint64_t kAll = std::numeric_limits<std::uint64_t>::max();
    return ticks > kAll / burst_ ? kAll : ticks * burst_;
}

std::string Pacing::describe() const {
    if (!paced()) return "as fast as possible";
    const std::string tick = tick_seconds_ >= 1 ? fmt::format("{:g} s", tick_seconds_)
                                                : fmt::format("{:g} ms", tick_seconds_ * 1000);
    if (burst_ == 1) return fmt::format("{:g} orders/s (one every {})", *rate(), tick);
    return fmt::format("{:g} orders/s (bursts of {} every {})", *rate(), burst_, tick);
}

}  // namespace streamstore::order_generator
