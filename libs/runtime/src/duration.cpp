#include "streamstore/runtime/duration.hpp"

#include <charconv>
#include <cstdint>

namespace streamstore::runtime {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
    if (text == "0") return std::chrono::milliseconds{0};
    // <digits>[.<digits>]<unit>
    std::size_t i = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    const std::string_view whole = text.substr(0, i);
    std::string_view fraction;
    if (i < text.size() && text[i] == '.') {
        const std::size_t start = ++i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
        fraction = text.substr(start, i - start);
        if (fraction.empty()) return std::nullopt;
    }
    if (whole.empty()) return std::nullopt;
    const std::string_view unit = text.substr(i);
    std::int64_t scale = 0;  // milliseconds per unit
    if (unit == "ms") scale = 1;
    else if (unit == "s") scale = 1000;
    else if (unit == "m") scale = 60'000;
    else if (unit == "h") scale = 3'600'000;
    else return std::nullopt;

    constexpr std::int64_t kMaxMs = std::int64_t{366} * 24 * 3'600'000;  // a year is plenty
    std::int64_t units = 0;
    if (whole.size() > 12 || std::from_chars(whole.data(), whole.data() + whole.size(), units).ec != std::errc{}) {
        return std::nullopt;
    }
    std::int64_t ms = units * scale;
    // The fraction must come out to a whole number of milliseconds.
    std::int64_t numerator = 0;
    std::int64_t denominator = 1;
    for (char c : fraction) {
        if (denominator > 1'000'000'000) return std::nullopt;
        numerator = numerator * 10 + (c - '0');
        denominator *= 10;
    }
    if ((numerator * scale) % denominator != 0) return std::nullopt;
    ms += numerator * scale / denominator;
    if (ms > kMaxMs) return std::nullopt;
    return std::chrono::milliseconds{ms};
}

std::string format_duration(std::chrono::milliseconds duration) {
    const std::int64_t ms = duration.count();
    if (ms == 0) return "0";
    if (ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
    if (ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
    if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
    return std::to_string(ms) + "ms";
}

}  // namespace streamstore::runtime
