// read_topic: a whole topic, beginning to end, through a consumer that joins no group.
#include <unistd.h>

#include <random>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "handles.hpp"
#include "streamstore/runtime/duration.hpp"
#include "streamstore/tools/kafka.hpp"

namespace streamstore::tools {

namespace {
// librdkafka needs a group.id to assign() partitions; this one is never joined nor committed to.
std::string throwaway_group_id() {
    std::random_device random;
    return "streamstore-tools-" + std::to_string(::getpid()) + "-" + std::to_string(random());
}

void copy_record(const rd_kafka_message_t& m, Record& record) {
    record.position = {m.partition, m.offset};
    if (m.key != nullptr) record.key.emplace(static_cast<const char*>(m.key), m.key_len);
    else record.key.reset();
    if (m.payload != nullptr) record.value.emplace(static_cast<const char*>(m.payload), m.len);
    else record.value.reset();
    record.headers.clear();
    rd_kafka_headers_t* headers = nullptr;  // owned by the message
    if (rd_kafka_message_headers(&m, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
    const char* name = nullptr;
    const void* value = nullptr;
    std::size_t size = 0;
    for (std::size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
        record.headers.emplace_back(name, value != nullptr ? std::string(static_cast<const char*>(value), size)
                                                           : std::string());
    }
}

// Errors that mean this topic cannot be read at all, as opposed to a broker connection that
// librdkafka retries by itself.
bool is_permanent(rd_kafka_resp_err_t err) {
    switch (err) {
        case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
        case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
        case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
        case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
        case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
        case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
        case RD_KAFKA_RESP_ERR__AUTHENTICATION:
        case RD_KAFKA_RESP_ERR__SSL:
            return true;
        default:
            return false;
    }
}
}  // namespace

ReadResult read_topic(const messaging::ClientConfig& client, const std::string& topic, Isolation isolation,
                      const Deadline& deadline, const RecordHandler& on_record) {
    const auto started = Deadline::Clock::now();
    detail::ConsumerPtr rk(detail::make_client(
        RD_KAFKA_CONSUMER,
        detail::make_conf(client,
                          {{"group.id", throwaway_group_id()},
                           {"enable.auto.commit", "false"},
                           {"enable.auto.offset.store", "false"},
                           // End of partition is seen on a fetch that finds nothing new; the broker
                           // holds that fetch this long (librdkafka's default 500 ms, per read).
                           {"fetch.wait.max.ms", "100"},
                           // Only if the log start moves past us while reading (retention): go on from there.
                           {"auto.offset.reset", "earliest"}},
                          {{"isolation.level", std::string(to_string(isolation))}, {"enable.partition.eof", "true"}})));
    rd_kafka_poll_set_consumer(rk.get());  // errors and end-of-partition events come through consumer_poll

    // A topic object before the Metadata request: the response then hands its partitions to
    // their leaders, which assign() needs at once (else librdkafka retries the first offset
    // lookup 500 ms later). A consumer does not auto-create topics (allow.auto.create.topics).
    const detail::TopicPtr topic_handle(rd_kafka_topic_new(rk.get(), topic.c_str(), nullptr));
    ReadResult result;
    const auto topics = detail::topic_partitions(rk.get(), client, deadline);
    const auto found = topics.find(topic);
    if (found == topics.end()) return result;
    result.topic_exists = true;
    std::set<std::int32_t> not_at_end(found->second.begin(), found->second.end());
    if (not_at_end.empty()) return result;

    const detail::PartitionListPtr assignment(rd_kafka_topic_partition_list_new(static_cast<int>(not_at_end.size())));
    for (const std::int32_t partition : not_at_end) {
        rd_kafka_topic_partition_list_add(assignment.get(), topic.c_str(), partition)->offset =
            RD_KAFKA_OFFSET_BEGINNING;
    }
    if (const rd_kafka_resp_err_t err = rd_kafka_assign(rk.get(), assignment.get())) {
        throw ToolError("cannot assign the partitions of " + topic + ": " + rd_kafka_err2str(err));
    }

    Record record;
    while (!not_at_end.empty()) {
        if (deadline.passed()) {
            throw ToolError(fmt::format("reading {} ({}) did not reach the end of partition(s) {} within {} "
                                        "(raise --timeout, or check the broker)",
                                        topic, to_string(isolation), fmt::join(not_at_end, ", "),
                                        runtime::format_duration(deadline.timeout())));
        }
        // Blocks until a record or an event arrives, or the deadline: nothing else to serve here.
        const detail::MessagePtr m(rd_kafka_consumer_poll(rk.get(), detail::to_timeout_ms(deadline.remaining())));
        if (!m) continue;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            result.end_offsets[m->partition] = m->offset;
            not_at_end.erase(m->partition);
            continue;
        }
        if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            char reason[512];
            if (rd_kafka_fatal_error(rk.get(), reason, sizeof reason) != RD_KAFKA_RESP_ERR_NO_ERROR) {
                throw ToolError("fatal Kafka error while reading " + topic + ": " + reason);
            }
            if (is_permanent(m->err)) {
                throw ToolError("cannot read " + topic + ": " + rd_kafka_message_errstr(m.get()));
            }
            spdlog::warn("reading {}: {} (librdkafka retries)", topic, rd_kafka_message_errstr(m.get()));
            continue;
        }
        copy_record(*m, record);
        on_record(record);
        ++result.records;
    }
    spdlog::debug("read {} ({}): {} records from {} partitions in {} ms", topic, to_string(isolation), result.records,
                  result.end_offsets.size(),
                  std::chrono::duration_cast<std::chrono::milliseconds>(Deadline::Clock::now() - started).count());
    return result;
}

}  // namespace streamstore::tools
