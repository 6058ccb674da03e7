#pragma once
// Blocking Kafka access for the command-line tools: list topics, read a topic from the beginning
// to its end, and send records waiting for every delivery report.
//
// These calls block the calling thread in librdkafka (rd_kafka_consumer_poll, rd_kafka_flush),
// which the services never do. That is deliberate: a tool is a short-lived process doing one
// thing, with nothing else to serve, and blocking keeps it simple. Every call is bounded by a
// Deadline (--timeout). librdkafka stays out of this header; its logs go to spdlog.
//
// Errors: a broker that does not answer, a fatal client error or a deadline that passes throws
// ToolError, whose message says what to check. An invalid -X property throws
// messaging::KafkaException naming it (never its value).
// Thread safety: each call creates and destroys its own client; calls may run concurrently.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "streamstore/messaging/config.hpp"
#include "streamstore/tools/record.hpp"

namespace streamstore::tools {

/// A Kafka failure or a deadline that passed; what() says what happened and what to check.
class ToolError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// When all of a tool's Kafka work must be done by.
class Deadline {
public:
    using Clock = std::chrono::steady_clock;
    /// `timeout` from now; 0 means no deadline.
    explicit Deadline(std::chrono::milliseconds timeout);

    [[nodiscard]] bool passed() const noexcept;
    /// Time left, at least 0; for no deadline, a large bound (an hour) per blocking call.
    [[nodiscard]] std::chrono::milliseconds remaining() const noexcept;
    /// The timeout it was made with, for messages ("within 1m").
    [[nodiscard]] std::chrono::milliseconds timeout() const noexcept { return timeout_; }

private:
    std::chrono::milliseconds timeout_;
    Clock::time_point at_;
};

/// librdkafka's isolation.level.
enum class Isolation {
    read_committed,    ///< only records of committed transactions (and non-transactional ones)
    read_uncommitted,  ///< every record, aborted transactions' included
};
std::string_view to_string(Isolation isolation) noexcept;

/// Topic name to partition count, from one Metadata request for all topics (which never
/// auto-creates one). Throws ToolError when no broker answers before `deadline`.
std::map<std::string, int> list_topics(const messaging::ClientConfig& client, const Deadline& deadline);

struct ReadResult {
    bool topic_exists = false;
    std::uint64_t records = 0;
    /// Each partition's end: the offset at which it last reported end of partition. With
    /// read_committed that is the last stable offset (records at or past it belong to
    /// transactions still open), with read_uncommitted the high watermark.
    std::map<std::int32_t, std::int64_t> end_offsets;
};

/// Called once per record, in offset order within a partition (partitions interleave). The
/// record is valid only during the call.
using RecordHandler = std::function<void(const Record&)>;

/// Reads every partition of `topic` from its beginning until each has reported end of partition
/// at least once (enable.partition.eof), with a consumer that assign()s all partitions at
/// OFFSET_BEGINNING and joins no consumer group (librdkafka requires a group.id for assign(); a
/// random one is set and never used: no join, no commit). isolation.level and
/// enable.partition.eof are set after the -X properties, which cannot change them.
/// A topic that does not exist gives topic_exists = false and no records.
/// Throws ToolError when `deadline` passes first (naming the partitions not at their end), on a
/// fatal client error, or when the topic's partitions cannot be read; exceptions from `on_record`
/// propagate.
ReadResult read_topic(const messaging::ClientConfig& client, const std::string& topic, Isolation isolation,
                      const Deadline& deadline, const RecordHandler& on_record);

/// What the broker said about one sent record.
struct DeliveryOutcome {
    bool delivered = false;
    std::string error;  ///< why not, when !delivered
    Position position;  ///< where it was written, when delivered
};

/// Sends `records` through one idempotent producer (enable.idempotence=true, acks=all; the -X
/// properties come after and win) and waits for every delivery report. Records still without a
/// report when `deadline` passes are purged and reported as not delivered. Returns one outcome per
/// record, in the same order. Throws messaging::KafkaException for an invalid -X property.
std::vector<DeliveryOutcome> send_all(const messaging::ClientConfig& client, std::span<const OutgoingRecord> records,
                                      const Deadline& deadline);

}  // namespace streamstore::tools
