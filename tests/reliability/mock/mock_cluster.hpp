#pragma once
// Test harness for fault injection with librdkafka's in-process mock cluster (rdkafka_mock.h).
//
// MockCluster owns the cluster and the rd_kafka_t handle it lives in. Errors pushed onto a
// broker's stack (push_errors) answer that broker's next requests of one API, in order; how
// many are still unanswered (pending_errors) tells a test that its fault was really hit.
// TopicReader reads a topic back with a plain assigned consumer. ProcessorRun runs a Processor
// on its own io_context thread so the test thread can inject faults and watch the outputs.
//
// The mock fakes transactions and idempotence (aborted records stay visible, no transaction
// markers): tests on it assert that nothing is lost and how each error class is handled, never
// that nothing is duplicated.
// Test code only: everything here blocks the calling (test) thread.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "streamstore/messaging/config.hpp"
#include "streamstore/messaging/processor.hpp"

namespace streamstore::testing::mock {

/// Kafka protocol API keys (librdkafka's RD_KAFKAP_* are not in its public headers).
enum class Api : std::int16_t {
    produce = 0,
    fetch = 1,
    list_offsets = 2,
    metadata = 3,
    offset_commit = 8,
    offset_fetch = 9,
    find_coordinator = 10,
    join_group = 11,
    heartbeat = 12,
    sync_group = 14,
    init_producer_id = 22,
    add_partitions_to_txn = 24,
    add_offsets_to_txn = 25,
    end_txn = 26,
    txn_offset_commit = 28,
};

std::string_view to_string(Api api) noexcept;

/// An in-process Kafka cluster of `brokers` brokers (ids 1..brokers) on localhost ports.
class MockCluster {
public:
    explicit MockCluster(int brokers = 3);
    ~MockCluster();
    MockCluster(const MockCluster&) = delete;
    MockCluster& operator=(const MockCluster&) = delete;

    [[nodiscard]] const std::string& bootstrap_servers() const noexcept { return bootstraps_; }

    /// Creates `topic` with every partition led by broker `leader`.
    void create_topic(const std::string& topic, int partitions, std::int32_t leader);
    void set_leader(const std::string& topic, std::int32_t partition, std::int32_t broker);
    /// `type` is "group" (key: group.id) or "transaction" (key: transactional.id).
    void set_coordinator(const std::string& type, const std::string& key, std::int32_t broker);

    /// The next requests of `api` that reach `broker` fail with `errors`, in order; each
    /// response is delayed by `rtt` (an error of 0 with an rtt only delays).
    void push_errors(std::int32_t broker, Api api, const std::vector<rd_kafka_resp_err_t>& errors,
                     std::chrono::milliseconds rtt = std::chrono::milliseconds(0));
    /// Errors pushed on `broker` for `api` that no request has met yet.
    [[nodiscard]] std::size_t pending_errors(std::int32_t broker, Api api) const;

    /// Disconnects `broker` (-1: all) and refuses connections until set_up(). No leader moves.
    void set_down(std::int32_t broker);
    void set_up(std::int32_t broker);
    /// Delays every response of `broker` (-1: all) by `rtt`.
    void set_rtt(std::int32_t broker, std::chrono::milliseconds rtt);

    [[nodiscard]] messaging::ClientConfig client_config(std::string client_id) const;

private:
    // Runs one mock control call (they are thread-safe; see pace_).
    template <class Call>
    auto control(Call call) const;

    rd_kafka_t* rk_ = nullptr;
    rd_kafka_mock_cluster_t* cluster_ = nullptr;
    std::string bootstraps_;
    // librdkafka 2.0.2's mock thread sometimes misses the wake-up of a control call made right
    // after the previous one returned, and serves it only on its next 1 s tick (about one
    // back-to-back call in five; none with 2 ms between calls). Control calls are therefore
    // spaced by a few milliseconds: pacing of the fault injector, not synchronisation with the
    // code under test.
    mutable std::mutex pace_;
    mutable std::chrono::steady_clock::time_point last_call_{};
};

/// Reads a topic from the beginning with a plain assigned consumer (read_uncommitted; its group id
/// is never joined and nothing is committed).
class TopicReader {
public:
    TopicReader(const std::string& bootstrap_servers, const std::string& topic, int partitions);
    ~TopicReader();
    TopicReader(const TopicReader&) = delete;
    TopicReader& operator=(const TopicReader&) = delete;

    /// Reads until every value in `expected` was seen or `timeout` passed; true when all were.
    bool read_until_all(const std::set<std::string>& expected, std::chrono::milliseconds timeout);
    /// Which of `expected` were not read.
    [[nodiscard]] std::vector<std::string> missing(const std::set<std::string>& expected) const;

private:
    void poll_once(std::chrono::milliseconds timeout);

    rd_kafka_t* rk_ = nullptr;
    std::set<std::string> seen_;
};

/// The offsets `group` has committed on `topic`'s partitions, summed (a partition without a
/// committed offset counts 0); read with a consumer that uses the group id without joining.
std::int64_t committed_total(const std::string& bootstrap_servers, const std::string& group, const std::string& topic,
                             int partitions);

/// Blocks until `condition()` or `timeout`; returns the last condition() (checks every 10 ms).
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

/// "value-0" .. "value-<count-1>".
std::set<std::string> input_values(int count);

/// Produces "value-<i>" keyed "key-<i>" for i in [0, count) to `topic` with a messaging::Producer
/// and returns how many delivery reports failed (0 expected on a healthy cluster).
std::size_t produce_inputs(const MockCluster& cluster, const std::string& topic, int count);

/// A Processor on its own io_context thread: start() starts async_run; the test thread then injects
/// faults, waits for outputs, and stops it.
class ProcessorRun {
public:
    ProcessorRun(messaging::ProcessorConfig config, messaging::Transform transform,
                 messaging::ProcessorHooks hooks = {});
    ~ProcessorRun();
    ProcessorRun(const ProcessorRun&) = delete;
    ProcessorRun& operator=(const ProcessorRun&) = delete;

    void start();
    [[nodiscard]] messaging::Processor& processor() noexcept { return *processor_; }

    /// True once async_run ended (stopped, or failed by itself).
    bool wait_finished(std::chrono::milliseconds timeout);
    /// stop(), then waits for async_run to end. Fails the test (throws) when it does not in time.
    void stop_and_wait(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    /// async_run's exception (null when it ended cleanly or has not ended).
    [[nodiscard]] std::exception_ptr error() const;

private:
    void join();

    boost::asio::io_context io_;
    std::optional<messaging::Processor> processor_;
    std::thread thread_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    bool finished_ = false;
    bool io_returned_ = false;
    std::exception_ptr error_;
};

/// "TypeName: what()" of an exception_ptr, for assertion messages.
std::string describe(const std::exception_ptr& error);

}  // namespace streamstore::testing::mock
