#pragma once
// Kafka errors as std::error_code, and the exception thrown for configuration and fatal errors.
//
// Per-message failures (a delivery report, a commit) are values: std::error_code in
// kafka_category(), whose values are librdkafka's rd_kafka_resp_err_t and whose messages are
// librdkafka's rd_kafka_err2str(). Creating a client with a bad property, or a client that has
// raised a fatal error, throws KafkaException.

#include <stdexcept>
#include <string>
#include <system_error>

namespace streamstore::messaging {

const std::error_category& kafka_category() noexcept;

/// An error code in kafka_category() from an rd_kafka_resp_err_t value (0 = success).
std::error_code make_kafka_error(int rd_kafka_resp_err) noexcept;

/// Transient: retrying the same operation later may succeed (timeouts, leader changes, queue full).
bool is_retriable(std::error_code error) noexcept;

/// librdkafka's local queue is full (queue.buffering.max.messages/kbytes): wait for delivery
/// reports (Producer::async_wait_for_space) and send again.
bool is_queue_full(std::error_code error) noexcept;

/// The name librdkafka gives the code, e.g. "_MSG_TIMED_OUT" or "NOT_LEADER_OR_FOLLOWER".
std::string error_name(std::error_code error);

/// Configuration errors and fatal client errors. what() names the property or flag to fix.
class KafkaException : public std::runtime_error {
public:
    KafkaException(std::error_code code, const std::string& message)
        : std::runtime_error(message), code_(code) {}
    explicit KafkaException(const std::string& message) : std::runtime_error(message) {}
    [[nodiscard]] std::error_code code() const noexcept { return code_; }

private:
    std::error_code code_;
};

}  // namespace streamstore::messaging
