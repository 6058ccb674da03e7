#pragma once
// The real Kafka broker the integration tests run against, and blocking helpers to inspect it.
// Test code only: these block the calling thread, which the services never do.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/co_spawn.hpp>
#include <exception>
#include <optional>
#include <type_traits>

#include "streamstore/messaging/config.hpp"

struct rd_kafka_s;

namespace streamstore::testing {

/// STREAMSTORE_TEST_BOOTSTRAP_SERVERS, or 127.0.0.1:9092 (scripts/kafka-local.sh's default).
std::string bootstrap_servers();

/// A client config for the broker under test.
messaging::ClientConfig client_config(std::string client_id = "streamstore-test");

/// Empty when a broker accepts TCP connections, else a message saying how to start one.
std::string broker_unreachable_reason();

/// "<prefix>-<pid>-<random>": topic and group names no other test run uses.
std::string unique_name(std::string_view prefix);

/// Creates topics with `partitions` partitions (blocking, through messaging::Admin).
void create_topics(const std::vector<std::string>& topics, int partitions);

/// A client already connected to the broker, to ask for metadata without connection delay
/// (which would hide races a long-running service does see).
class MetadataProbe {
public:
    MetadataProbe();
    ~MetadataProbe();
    MetadataProbe(const MetadataProbe&) = delete;
    MetadataProbe& operator=(const MetadataProbe&) = delete;
    /// Partitions of `topic` in a Metadata response; throws if the broker does not know it.
    int partition_count(const std::string& topic);
    /// "" when the leader of `topic` [`partition`] answers ListOffsets (it is led and takes
    /// produce requests), else librdkafka's error text (e.g. "Broker: Not leader for partition").
    std::string leader_error(const std::string& topic, std::int32_t partition);

private:
    ::rd_kafka_s* rk_;
};

/// Records in `topic` (sum over partitions of high - low watermark).
std::int64_t record_count(const std::string& topic);

struct ReadRecord {
    std::string key;
    std::string value;
    std::int32_t partition = -1;
    std::int64_t offset = -1;
    std::map<std::string, std::string> headers;
};

/// Reads `topic` from the beginning until `count` records arrived or `timeout` passed.
std::vector<ReadRecord> read_topic(const std::string& topic, std::size_t count, std::chrono::milliseconds timeout);

/// Runs `task` on `io` until it completes or `timeout` passes; rethrows its exception, and
/// fails the test (throws) on timeout.
template <class T>
T run_for(boost::asio::io_context& io, boost::asio::awaitable<T> task, std::chrono::milliseconds timeout) {
    // Stop the io_context the moment the task completes: clients' background loops would
    // otherwise keep it running until the timeout.
    std::exception_ptr error;
    std::optional<std::conditional_t<std::is_void_v<T>, bool, T>> result;
    if constexpr (std::is_void_v<T>) {
        boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr e) {
            error = e;
            result = true;
            io.stop();
        });
    } else {
        boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
            error = e;
            result = std::move(value);
            io.stop();
        });
    }
    io.restart();
    io.run_for(timeout);
    io.restart();  // leave it usable for the next run_for
    if (!result) throw std::runtime_error("test task did not finish within " + std::to_string(timeout.count()) + " ms");
    if (error) std::rethrow_exception(error);
    if constexpr (!std::is_void_v<T>) return std::move(*result);
}

}  // namespace streamstore::testing

/// Fails the test at once, with how to start a broker, when none is reachable.
#define STREAMSTORE_REQUIRE_BROKER()                                                     \
    do {                                                                                 \
        const std::string reason_ = ::streamstore::testing::broker_unreachable_reason(); \
        if (!reason_.empty()) FAIL() << reason_;                                         \
    } while (false)
