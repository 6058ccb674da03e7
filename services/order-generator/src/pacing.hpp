#pragma once
// When order-generator sends: bursts of `burst` orders back to back, one burst per tick, ticks
// on a fixed schedule from the start (absolute deadlines, so pauses and slow sends never make
// the schedule drift). A generator that fell behind (a slow send, a timer that fired late) sends
// every order already due before it waits again: orders_due() says how many that is.
//
// --interval D: a tick every D (0 = no pause at all); --rate R: a tick every burst/R seconds,
// so the average stays R orders/s whatever the burst.
// Thread safety: a plain value.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace streamstore::order_generator {

class Pacing {
public:
    /// A burst every `interval`; 0 = as fast as possible. `burst` >= 1.
    static Pacing every(std::chrono::milliseconds interval, std::uint32_t burst = 1);
    /// `rate` orders/s (> 0, finite) in bursts of `burst` (>= 1): a burst every burst/rate s.
    static Pacing at_rate(double rate, std::uint32_t burst = 1);

    /// False when orders go out as fast as the producer takes them.
    [[nodiscard]] bool paced() const noexcept { return tick_seconds_ > 0; }
    [[nodiscard]] std::uint32_t burst() const noexcept { return burst_; }
    /// The average rate in orders/s; nullopt when not paced.
    [[nodiscard]] std::optional<double> rate() const noexcept;
    /// When tick `tick` (0, 1, 2...) starts, from the start of the run. Computed from the tick
    /// number each time, so rounding never accumulates.
    [[nodiscard]] std::chrono::nanoseconds offset_of(std::uint64_t tick) const noexcept;
    /// How many ticks started by `elapsed` from the start of the run: those with
    /// offset_of(tick) <= elapsed (tick 0 at once; 0 before the start). Not paced: the maximum.
    [[nodiscard]] std::uint64_t ticks_due(std::chrono::nanoseconds elapsed) const noexcept;
    /// How many orders should have been sent by `elapsed`: ticks_due() bursts (saturating).
    [[nodiscard]] std::uint64_t orders_due(std::chrono::nanoseconds elapsed) const noexcept;
    /// For the log: "2000 orders/s (one every 0.5 ms)", "20 orders/s (bursts of 10 every 500 ms)",
    /// "as fast as possible".
    [[nodiscard]] std::string describe() const;

private:
    Pacing(double tick_seconds, std::uint32_t burst) : tick_seconds_(tick_seconds), burst_(burst) {}
    double tick_seconds_;  // 0 = not paced
    std::uint32_t burst_;
};

}  // namespace streamstore::order_generator
