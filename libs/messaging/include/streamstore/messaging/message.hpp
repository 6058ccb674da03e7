#pragma once
// Records: what a producer sends and what a consumer receives.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

struct rd_kafka_message_s;

namespace streamstore::messaging {

/// librdkafka's RD_KAFKA_PARTITION_UA: let the partitioner choose (by key hash, murmur2_random).
inline constexpr std::int32_t kAnyPartition = -1;

/// A record header. Views: the bytes must stay valid for the call they are passed to.
struct Header {
    std::string_view key;
    std::string_view value;
};

/// A record to produce. Every field is a view: librdkafka copies topic, key, value and headers
/// before send() returns, so they need only live for the call (and, for async_send, until the
/// awaiting coroutine resumes).
struct ProducerRecord {
    std::string_view topic;
    std::string_view key;      ///< empty = null key
    std::string_view value;
    std::span<const Header> headers = {};
    std::int32_t partition = kAnyPartition;
};

/// A consumed record. Owns librdkafka's message; move-only. Its views are valid while it lives.
/// Thread safety: none; a Message is handled by one strand at a time.
class Message {
public:
    Message() = default;
    explicit Message(rd_kafka_message_s* message) noexcept : message_(message) {}

    [[nodiscard]] std::string_view topic() const noexcept;
    [[nodiscard]] std::int32_t partition() const noexcept;
    [[nodiscard]] std::int64_t offset() const noexcept;
    [[nodiscard]] std::string_view key() const noexcept;
    /// Empty for a null value; has_value() tells the two apart.
    [[nodiscard]] std::string_view value() const noexcept;
    [[nodiscard]] bool has_value() const noexcept;
    /// Milliseconds since the epoch (CreateTime or LogAppendTime); -1 when unknown.
    [[nodiscard]] std::int64_t timestamp_ms() const noexcept;
    /// The last header named `name`, if any (a header with a null value reads as empty).
    [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const noexcept;

private:
    struct Deleter {
        void operator()(rd_kafka_message_s* message) const noexcept;
    };
    std::unique_ptr<rd_kafka_message_s, Deleter> message_;
};

}  // namespace streamstore::messaging
