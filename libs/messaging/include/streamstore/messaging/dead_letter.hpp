#pragma once
// Dead letter records: a record that cannot be processed is re-published, unchanged, to
// `<topic>.dlq` with headers saying where it came from and why, instead of crashing the service
// or blocking its partition.

#include <array>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "streamstore/messaging/message.hpp"

namespace streamstore::messaging {

/// `<topic>.dlq`
std::string dead_letter_topic(std::string_view topic);

/// Header names on a dead letter record.
inline constexpr std::string_view kDlqOriginalTopic = "dlq.original.topic";
inline constexpr std::string_view kDlqOriginalPartition = "dlq.original.partition";
inline constexpr std::string_view kDlqOriginalOffset = "dlq.original.offset";
inline constexpr std::string_view kDlqErrorClass = "dlq.error.class";
inline constexpr std::string_view kDlqErrorMessage = "dlq.error.message";
/// Present ("true") when the payload was cut to fit: the original was too large to re-publish.
inline constexpr std::string_view kDlqPayloadTruncated = "dlq.payload.truncated";
/// The original payload's size in bytes, present with kDlqPayloadTruncated.
inline constexpr std::string_view kDlqPayloadOriginalBytes = "dlq.payload.original.bytes";

/// The dead letter record for `message`; record() views into this object and into `message`,
/// so both must outlive the send.
class DeadLetter {
public:
    DeadLetter(const Message& message, std::string_view error_class, std::string_view error_message);
    DeadLetter(const DeadLetter&) = delete;
    DeadLetter& operator=(const DeadLetter&) = delete;

    [[nodiscard]] ProducerRecord record() const;

private:
    const Message& message_;
    std::string topic_;
    std::string partition_;
    std::string offset_;
    std::string error_class_;
    std::string error_message_;
    std::array<Header, 5> headers_;
};

class Producer;

/// Logs `message` as dead-lettered and sends its DeadLetter through `producer`, completing once the
/// broker acknowledged it. Throws KafkaException when it was not delivered, so the caller's
/// handler fails and the record's offset is not committed (nothing is lost).
boost::asio::awaitable<void> async_dead_letter(Producer& producer, const Message& message,
                                               std::string_view error_class, std::string_view reason);

}  // namespace streamstore::messaging
