#pragma once
// Human-friendly durations for flags: "250ms", "2s", "1.5s", "1m", "1h", or "0".

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace streamstore::runtime {

/// Parses a non-negative duration with a unit (ms, s, m, h); a bare "0" means zero.
/// Returns nullopt for anything else (no unit, negative, garbage, overflow, finer than 1 ms).
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

/// The shortest exact spelling: 250ms, 2s, 1m, 0.
std::string format_duration(std::chrono::milliseconds duration);

}  // namespace streamstore::runtime
