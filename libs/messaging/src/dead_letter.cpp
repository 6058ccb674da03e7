#include "streamstore/messaging/dead_letter.hpp"

#include <spdlog/spdlog.h>

#include "streamstore/messaging/error.hpp"
#include "streamstore/messaging/producer.hpp"

namespace streamstore::messaging {

std::string dead_letter_topic(std::string_view topic) {
    std::string name(topic);
    name += ".dlq";
    return name;
}

DeadLetter::DeadLetter(const Message& message, std::string_view error_class, std::string_view error_message)
    : message_(message),
      topic_(dead_letter_topic(message.topic())),
      partition_(std::to_string(message.partition())),
      offset_(std::to_string(message.offset())),
      error_class_(error_class),
      error_message_(error_message),
      headers_{{{kDlqOriginalTopic, message.topic()},
                {kDlqOriginalPartition, partition_},
                {kDlqOriginalOffset, offset_},
                {kDlqErrorClass, error_class_},
                {kDlqErrorMessage, error_message_}}} {}

ProducerRecord DeadLetter::record() const {
    return ProducerRecord{.topic = topic_,
                          .key = message_.key(),
                          .value = message_.value(),
                          .headers = headers_,
                          .partition = kAnyPartition};
}

boost::asio::awaitable<void> async_dead_letter(Producer& producer, const Message& message,
                                               std::string_view error_class, std::string_view reason) {
    spdlog::warn("dead-lettering {}[{}]@{}: {}", message.topic(), message.partition(), message.offset(), reason);
    const DeadLetter letter(message, error_class, reason);
    const DeliveryReport report = co_await producer.async_send(letter.record());
    if (report.error) {
        throw KafkaException(report.error, "dead letter for " + std::string(message.topic()) + "[" +
                                               std::to_string(message.partition()) + "]@" +
                                               std::to_string(message.offset()) +
                                               " not delivered: " + report.error.message());
    }
}

}  // namespace streamstore::messaging
