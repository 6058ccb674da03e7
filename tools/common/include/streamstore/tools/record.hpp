#pragma once
// Kafka records as the tools see them: an owning copy, so that the checking code is plain values
// and functions, unit-tested without a broker.
// Thread safety: none needed, these are values.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace streamstore::tools {

/// Where a record sits in its topic.
struct Position {
    std::int32_t partition = 0;
    std::int64_t offset = 0;

    auto operator<=>(const Position&) const = default;
};

/// "orders[1]@42": how every tool names a record.
std::string format_position(std::string_view topic, Position position);

/// One consumed record (topic is implied by whoever holds it).
struct Record {
    Position position;
    std::optional<std::string> key;    ///< nullopt for a null key
    std::optional<std::string> value;  ///< nullopt for a null value
    std::vector<std::pair<std::string, std::string>> headers;  ///< in record order; a null header value reads as ""

    /// The value, or "" for a null value.
    [[nodiscard]] std::string_view payload() const noexcept { return value ? std::string_view(*value) : ""; }
    /// The key, or "" for a null key.
    [[nodiscard]] std::string_view key_or_empty() const noexcept { return key ? std::string_view(*key) : ""; }
    /// The last header named `name` (Kafka allows repeats; the last one wins, as in messaging::Message).
    [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const noexcept;
};

/// A record to send. Owning, so a batch can be built first and sent in one go.
struct OutgoingRecord {
    std::string topic;
    std::optional<std::string> key;  ///< nullopt: null key
    std::string value;
    std::vector<std::pair<std::string, std::string>> headers;
};

}  // namespace streamstore::tools
