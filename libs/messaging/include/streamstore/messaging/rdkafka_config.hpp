#pragma once
// For code that drives librdkafka itself (the tools under tools/): the configuration the library's
// own clients get, so flags, -X properties and logging behave the same everywhere.

#include <vector>

#include "streamstore/messaging/config.hpp"

struct rd_kafka_conf_s;

namespace streamstore::messaging {

/// A new librdkafka configuration: `defaults`, then bootstrap.servers and client.id, then every
/// property of `config` (the user's -X, which therefore win over the defaults), then `forced`
/// (settings the caller cannot work without). librdkafka's logs go to spdlog.
/// Ownership: the caller's (rd_kafka_conf_destroy, or hand it to rd_kafka_new).
/// Throws KafkaException naming an invalid property (never its value: it may be a secret).
rd_kafka_conf_s* new_rdkafka_conf(const ClientConfig& config, const std::vector<Property>& defaults,
                                  const std::vector<Property>& forced = {});

}  // namespace streamstore::messaging
