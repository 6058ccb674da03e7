#include "streamstore/messaging/partition_reader.hpp"

#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "client.hpp"
#include "streamstore/messaging/error.hpp"

namespace streamstore::messaging {

PartitionReader::PartitionReader(const ClientConfig& config) {
    ClientConfig reader = config;
    reader.client_id += "-state";
    // librdkafka 2.0.2 refuses assign() without a group id; this one is never joined nor committed.
    auto conf = detail::make_conf(reader, {{"group.id", reader.client_id},
                                           {"enable.auto.commit", "false"},
                                           {"isolation.level", "read_committed"},
                                           {"enable.partition.eof", "true"},
                                           // Reaching the end is the goal: don't let the broker
                                           // hold a fetch open waiting for more (default 500 ms).
                                           {"fetch.wait.max.ms", "10"}});
    rk_ = detail::make_client(RD_KAFKA_CONSUMER, std::move(conf));
}

PartitionReader::~PartitionReader() { rd_kafka_destroy_flags(rk_, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE); }

std::size_t PartitionReader::read_tail(const std::string& topic, std::int32_t partition, std::size_t max_records,
                                       std::chrono::milliseconds timeout,
                                       const std::function<void(const Message&)>& on_record) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const auto remaining_ms = [&] {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        return static_cast<int>(std::max<std::int64_t>(left.count(), 0));
    };
    std::int64_t low = 0;
    std::int64_t high = 0;
    // Right after the topic was created the broker may not lead it yet: retry those errors.
    for (auto backoff = std::chrono::milliseconds(50);; backoff = std::min(backoff * 2, std::chrono::milliseconds(1'000))) {
        const auto err = rd_kafka_query_watermark_offsets(rk_, topic.c_str(), partition, &low, &high, remaining_ms());
        if (!err) break;
        const bool transient = err == RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION ||
                               err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE ||
                               err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || is_retriable(make_kafka_error(err));
        if (!transient || remaining_ms() <= backoff.count()) {
            throw KafkaException(make_kafka_error(err),
                                 fmt::format("reading {}[{}]: watermarks: {}", topic, partition, rd_kafka_err2str(err)));
        }
        std::this_thread::sleep_for(backoff);  // a blocking reader on a blocking thread (see header)
    }
    if (high <= low) return 0;
    const std::int64_t start = std::max(low, high - static_cast<std::int64_t>(max_records));
    detail::PartitionListPtr list(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition)->offset = start;
    if (const auto err = rd_kafka_assign(rk_, list.get())) {
        throw KafkaException(make_kafka_error(err), fmt::format("reading {}[{}]: assign: {}", topic, partition,
                                                                rd_kafka_err2str(err)));
    }
    std::size_t count = 0;
    for (;;) {
        const int wait = remaining_ms();
        if (wait == 0) {
            rd_kafka_assign(rk_, nullptr);
            throw KafkaException(fmt::format("reading {}[{}]: the end was not reached in {} ms", topic, partition,
                                             timeout.count()));
        }
        rd_kafka_message_t* raw = rd_kafka_consumer_poll(rk_, std::min(wait, 1'000));
        if (raw == nullptr) continue;
        Message message(raw);
        if (raw->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) break;
        if (raw->err) {
            if (make_kafka_error(raw->err) && is_retriable(make_kafka_error(raw->err))) continue;
            rd_kafka_assign(rk_, nullptr);
            throw KafkaException(make_kafka_error(raw->err),
                                 fmt::format("reading {}[{}]: {}", topic, partition, rd_kafka_message_errstr(raw)));
        }
        on_record(message);
        ++count;
    }
    rd_kafka_assign(rk_, nullptr);
    return count;
}

}  // namespace streamstore::messaging
