#pragma once
// W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` header that ties an
// order to the payment and the notification made from it.
//
// Thread safety: TraceContext is a plain value and parse_traceparent is reentrant. A RandomSource
// is not thread-safe: keep one per thread or per strand.

#include <array>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace streamstore::events {

/// The Kafka header (and HTTP header) name that carries a TraceContext.
inline constexpr std::string_view kTraceparentHeader = "traceparent";

/// Random bits for trace and span ids: a std::mt19937_64. Not cryptographic (W3C asks for
/// uniqueness, not secrecy). Not thread-safe: one per thread or per strand.
class RandomSource {
public:
    RandomSource();                                                  ///< Seeded from std::random_device.
    explicit RandomSource(std::uint64_t seed) : engine_(seed) {}    ///< Reproducible sequence.

    std::uint64_t next() { return engine_(); }

private:
    std::mt19937_64 engine_;
};

/// One span of a trace: which trace (16 bytes), which span in it (8 bytes), and the trace flags
/// (bit 0 = sampled). A valid context has a non-zero trace id and a non-zero span id.
struct TraceContext {
    std::array<std::uint8_t, 16> trace_id{};
    std::array<std::uint8_t, 8> span_id{};
    std::uint8_t flags = 1;  ///< sampled

    std::string trace_id_hex() const;  ///< 32 lower-case hex digits.
    std::string span_id_hex() const;   ///< 16 lower-case hex digits.
    /// "00-<trace id>-<span id>-<flags>", 55 characters, the header's value.
    std::string traceparent() const;

    /// A span of the same trace (same trace id and flags) with a new random, non-zero span id:
    /// what a service puts on the records it makes from a record carrying this context.
    TraceContext child(RandomSource& random) const;

    /// The first span of a new trace: random non-zero trace and span ids, sampled.
    static TraceContext new_root(RandomSource& random);

    friend bool operator==(const TraceContext&, const TraceContext&) = default;
};

/// Parses a `traceparent` value as the W3C spec says a receiver must: version "00" is exactly
/// 55 characters; lower-case hex only; an all-zero trace id or span id is invalid; version "ff"
/// is invalid; a later version is read by its version-00 prefix and may be longer, provided the
/// next character is '-'. Returns nullopt for anything invalid (then a receiver starts a new trace).
std::optional<TraceContext> parse_traceparent(std::string_view value);

}  // namespace streamstore::events
