#include "streamstore/events/trace.hpp"

#include <algorithm>
#include <cstddef>
#include <span>

namespace streamstore::events {

namespace {

constexpr std::string_view kHexDigits = "0123456789abcdef";
// "00-" + 32 + "-" + 16 + "-" + 2
constexpr std::size_t kVersion00Length = 55;

void append_hex(std::string& out, std::span<const std::uint8_t> bytes) {
    for (std::uint8_t b : bytes) {
        out += kHexDigits[b >> 4];
        out += kHexDigits[b & 0xF];
    }
}

// Lower-case hex only: the spec forbids upper case in every field.
int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

bool parse_hex(std::string_view text, std::span<std::uint8_t> out) {
    if (text.size() != out.size() * 2) return false;
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int hi = hex_value(text[2 * i]);
        const int lo = hex_value(text[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        out[i] = static_cast<std::uint8_t>((hi << 4) | lo);
    }
    return true;
}

bool all_zero(std::span<const std::uint8_t> bytes) {
    return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

// Fills `bytes` with random bits, drawing again until they are not all zero.
void fill_non_zero(std::span<std::uint8_t> bytes, RandomSource& random) {
    do {
        for (std::size_t i = 0; i < bytes.size(); i += 8) {
            std::uint64_t word = random.next();
            for (std::size_t j = i; j < std::min(bytes.size(), i + 8); ++j) {
                bytes[j] = static_cast<std::uint8_t>(word);
                word >>= 8;
            }
        }
    } while (all_zero(bytes));
}

}  // namespace

RandomSource::RandomSource()
    : engine_((std::uint64_t{std::random_device{}()} << 32) ^ std::random_device{}()) {}

std::string TraceContext::trace_id_hex() const {
    std::string out;
    out.reserve(32);
    append_hex(out, trace_id);
    return out;
}

std::string TraceContext::span_id_hex() const {
    std::string out;
    out.reserve(16);
    append_hex(out, span_id);
    return out;
}

std::string TraceContext::traceparent() const {
    std::string out;
    out.reserve(kVersion00Length);
    out += "00-";
    append_hex(out, trace_id);
    out += '-';
    append_hex(out, span_id);
    out += '-';
    const std::uint8_t f[1] = {flags};
    append_hex(out, f);
    return out;
}

TraceContext TraceContext::child(RandomSource& random) const {
    TraceContext out = *this;
    do {
        fill_non_zero(out.span_id, random);
    } while (out.span_id == span_id);
    return out;
}

TraceContext TraceContext::new_root(RandomSource& random) {
    TraceContext out;
    fill_non_zero(out.trace_id, random);
    fill_non_zero(out.span_id, random);
    out.flags = 1;
    return out;
}

std::optional<TraceContext> parse_traceparent(std::string_view value) {
    if (value.size() < kVersion00Length) return std::nullopt;
    std::uint8_t version[1];
    if (!parse_hex(value.substr(0, 2), version) || version[0] == 0xFF) return std::nullopt;
    if (version[0] == 0x00) {
        if (value.size() != kVersion00Length) return std::nullopt;
    } else if (value.size() > kVersion00Length && value[kVersion00Length] != '-') {
        // A later version may append fields, each after a '-'.
        return std::nullopt;
    }
    if (value[2] != '-' || value[35] != '-' || value[52] != '-') return std::nullopt;

    TraceContext out;
    std::uint8_t flags[1];
    if (!parse_hex(value.substr(3, 32), out.trace_id) || !parse_hex(value.substr(36, 16), out.span_id) ||
        !parse_hex(value.substr(53, 2), flags)) {
        return std::nullopt;
    }
    if (all_zero(out.trace_id) || all_zero(out.span_id)) return std::nullopt;
    out.flags = flags[0];
    return out;
}

}  // namespace streamstore::events
