#pragma once
// Internal: owning handles for librdkafka objects and client construction.

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include <librdkafka/rdkafka.h>

#include "streamstore/messaging/config.hpp"
#include "streamstore/messaging/metrics.hpp"

namespace streamstore::messaging::detail {

struct ConfDeleter { void operator()(rd_kafka_conf_t* p) const noexcept { rd_kafka_conf_destroy(p); } };
struct QueueDeleter { void operator()(rd_kafka_queue_t* p) const noexcept { rd_kafka_queue_destroy(p); } };
struct TopicDeleter { void operator()(rd_kafka_topic_t* p) const noexcept { rd_kafka_topic_destroy(p); } };
struct PartitionListDeleter {
    void operator()(rd_kafka_topic_partition_list_t* p) const noexcept { rd_kafka_topic_partition_list_destroy(p); }
};
struct ErrorDeleter { void operator()(rd_kafka_error_t* p) const noexcept { rd_kafka_error_destroy(p); } };
struct EventDeleter { void operator()(rd_kafka_event_t* p) const noexcept { rd_kafka_event_destroy(p); } };

using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;
using QueuePtr = std::unique_ptr<rd_kafka_queue_t, QueueDeleter>;
using TopicPtr = std::unique_ptr<rd_kafka_topic_t, TopicDeleter>;
using PartitionListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;
using ErrorPtr = std::unique_ptr<rd_kafka_error_t, ErrorDeleter>;
using EventPtr = std::unique_ptr<rd_kafka_event_t, EventDeleter>;

/// A configuration with `defaults` first, then the client config (bootstrap.servers, client.id,
/// then every user property, which therefore wins). Throws KafkaException naming the property.
/// Also routes librdkafka's logs to spdlog and its error callback to `opaque`'s handler when
/// the caller installs one.
ConfPtr make_conf(const ClientConfig& config, std::initializer_list<Property> defaults);

/// Sets one property; throws KafkaException naming it (never its value: it may be a secret).
void set_property(rd_kafka_conf_t* conf, const std::string& key, const std::string& value);

/// When `config` has a metrics sink and a statistics interval, sets statistics.interval.ms and
/// a stats callback that hands librdkafka's statistics JSON to `Impl::metrics->on_statistics`
/// (`Impl` is the type of the conf's opaque). librdkafka calls it while the queue is served.
template <class Impl>
void enable_statistics(rd_kafka_conf_t* conf, const ClientConfig& config) {
    if (!config.metrics || config.statistics_interval.count() <= 0) return;
    set_property(conf, "statistics.interval.ms", std::to_string(config.statistics_interval.count()));
    rd_kafka_conf_set_stats_cb(conf, [](rd_kafka_t*, char* json, size_t length, void* opaque) -> int {
        static_cast<Impl*>(opaque)->metrics->on_statistics(std::string_view(json, length));
        return 0;  // librdkafka frees the JSON
    });
}

/// Key plus value bytes of a message, as counted by the metrics.
inline std::uint64_t payload_bytes(const rd_kafka_message_t* message) noexcept {
    return static_cast<std::uint64_t>(message->len) + static_cast<std::uint64_t>(message->key_len);
}

/// rd_kafka_new; takes ownership of `conf` on success. Throws KafkaException.
rd_kafka_t* make_client(rd_kafka_type_t type, ConfPtr conf);

/// Deliberately never destroys `rk`, for the cases where librdkafka 2.0.2 would hang or abort in
/// rd_kafka_destroy (a consumer whose close did not finish; a cooperative-sticky consumer that
/// never got an assignment, librdkafka issue #4312, fixed in 2.3.0). The process is about to
/// exit in both. The handle stays reachable, so leak checkers do not report it.
void abandon(rd_kafka_t* rk, const char* why);

}  // namespace streamstore::messaging::detail
