#include "streamstore/messaging/message.hpp"

#include <librdkafka/rdkafka.h>

namespace streamstore::messaging {

void Message::Deleter::operator()(rd_kafka_message_s* message) const noexcept { rd_kafka_message_destroy(message); }

std::string_view Message::topic() const noexcept { return rd_kafka_topic_name(message_->rkt); }
std::int32_t Message::partition() const noexcept { return message_->partition; }
std::int64_t Message::offset() const noexcept { return message_->offset; }

std::string_view Message::key() const noexcept {
    if (message_->key == nullptr) return {};
    return {static_cast<const char*>(message_->key), message_->key_len};
}

std::string_view Message::value() const noexcept {
    if (message_->payload == nullptr) return {};
    return {static_cast<const char*>(message_->payload), message_->len};
}

bool Message::has_value() const noexcept { return message_->payload != nullptr; }

std::int64_t Message::timestamp_ms() const noexcept { return rd_kafka_message_timestamp(message_.get(), nullptr); }

std::optional<std::string_view> Message::header(std::string_view name) const noexcept {
    rd_kafka_headers_t* headers = nullptr;
    if (rd_kafka_message_headers(message_.get(), &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) return std::nullopt;
    // Headers are few; scan them rather than build a NUL-terminated copy of the name.
    std::optional<std::string_view> found;
    const char* key = nullptr;
    const void* value = nullptr;
    std::size_t size = 0;
    for (std::size_t i = 0; rd_kafka_header_get_all(headers, i, &key, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
        if (name == key) found = value ? std::string_view(static_cast<const char*>(value), size) : std::string_view{};
    }
    return found;
}

}  // namespace streamstore::messaging
