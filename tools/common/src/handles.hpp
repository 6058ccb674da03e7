#pragma once
// Internal: owning handles for the librdkafka objects the tools use, and client creation.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <librdkafka/rdkafka.h>

#include "streamstore/messaging/config.hpp"
#include "streamstore/tools/kafka.hpp"

namespace streamstore::tools::detail {

struct ConfDeleter {
    void operator()(rd_kafka_conf_t* p) const noexcept { rd_kafka_conf_destroy(p); }
};
struct ClientDeleter {
    void operator()(rd_kafka_t* p) const noexcept { rd_kafka_destroy(p); }
};
/// A consumer leaves cleanly (rd_kafka_consumer_close) before it is destroyed. With assign() and
/// no group membership that only drops the assignment: it does not wait on the broker.
struct ConsumerDeleter {
    void operator()(rd_kafka_t* p) const noexcept {
        (void)rd_kafka_consumer_close(p);
        rd_kafka_destroy(p);
    }
};
struct TopicDeleter {
    void operator()(rd_kafka_topic_t* p) const noexcept { rd_kafka_topic_destroy(p); }
};
struct PartitionListDeleter {
    void operator()(rd_kafka_topic_partition_list_t* p) const noexcept { rd_kafka_topic_partition_list_destroy(p); }
};
struct MessageDeleter {
    void operator()(rd_kafka_message_t* p) const noexcept { rd_kafka_message_destroy(p); }
};
struct MetadataDeleter {
    void operator()(const rd_kafka_metadata_t* p) const noexcept { rd_kafka_metadata_destroy(p); }
};
struct HeadersDeleter {
    void operator()(rd_kafka_headers_t* p) const noexcept { rd_kafka_headers_destroy(p); }
};

using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;
using ClientPtr = std::unique_ptr<rd_kafka_t, ClientDeleter>;
using ConsumerPtr = std::unique_ptr<rd_kafka_t, ConsumerDeleter>;
using TopicPtr = std::unique_ptr<rd_kafka_topic_t, TopicDeleter>;
using PartitionListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;
using MessagePtr = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;
using MetadataPtr = std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter>;
using HeadersPtr = std::unique_ptr<rd_kafka_headers_t, HeadersDeleter>;

/// A configuration: `defaults`, then bootstrap.servers and client.id, then the -X properties,
/// then `forced` (settings the tool's algorithm depends on). librdkafka's logs go to spdlog.
/// Throws messaging::KafkaException naming a bad property (never its value).
ConfPtr make_conf(const messaging::ClientConfig& client, const std::vector<messaging::Property>& defaults,
                  const std::vector<messaging::Property>& forced);

/// rd_kafka_new; consumes `conf`. Throws messaging::KafkaException.
rd_kafka_t* make_client(rd_kafka_type_t type, ConfPtr conf);

/// Clamps a duration to librdkafka's int milliseconds.
int to_timeout_ms(std::chrono::milliseconds duration) noexcept;

/// Topic name to its sorted partition ids, from one Metadata request for all topics through `rk`.
/// Throws ToolError when no broker answers before `deadline`.
std::map<std::string, std::vector<std::int32_t>> topic_partitions(rd_kafka_t* rk, const messaging::ClientConfig& client,
                                                                  const Deadline& deadline);

}  // namespace streamstore::tools::detail
