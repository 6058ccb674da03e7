#pragma once
// Configuration shared by every Kafka client of this library.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace streamstore::messaging {

class MetricsSink;

/// One librdkafka property, e.g. {"linger.ms", "5"}.
using Property = std::pair<std::string, std::string>;

/// What every client needs. `properties` are passed to librdkafka verbatim after the
/// library's own defaults, so they override them (e.g. -X compression.type=zstd). Property
/// values may hold secrets (sasl.password, ssl.key.password): the library never logs them.
struct ClientConfig {
    std::string bootstrap_servers = "localhost:9092";  ///< bootstrap.servers
    std::string client_id = "streamstore";             ///< client.id
    std::vector<Property> properties;                  ///< any librdkafka property (CONFIGURATION.md)
    /// Receives what the clients built from this configuration do (metrics.hpp); null: nobody.
    std::shared_ptr<MetricsSink> metrics;
    /// statistics.interval.ms: how often librdkafka's statistics go to metrics->on_statistics
    /// (consumer lag comes from them). 0 = never. Ignored without `metrics`. Only consumers take
    /// them (a Consumer, a Processor's consumer); producers never do.
    std::chrono::milliseconds statistics_interval{0};
};

/// Splits "key=value" at the first '='; nullopt when there is no '=' or the key is empty.
std::optional<Property> parse_property(std::string_view text);

}  // namespace streamstore::messaging
