#pragma once
// Internal: owning handles for librdkafka objects and client construction.

#include <initializer_list>
#include <memory>
#include <string>

#include <librdkafka/rdkafka.h>

#include "streamstore/messaging/config.hpp"

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

/// rd_kafka_new; takes ownership of `conf` on success. Throws KafkaException.
rd_kafka_t* make_client(rd_kafka_type_t type, ConfPtr conf);

/// Deliberately never destroys `rk`, for the cases where librdkafka 2.0.2 would hang or abort in
/// rd_kafka_destroy (a consumer whose close did not finish; a cooperative-sticky consumer that
/// never got an assignment, librdkafka issue #4312, fixed in 2.3.0). The process is about to
/// exit in both. The handle stays reachable, so leak checkers do not report it.
void abandon(rd_kafka_t* rk, const char* why);

}  // namespace streamstore::messaging::detail
