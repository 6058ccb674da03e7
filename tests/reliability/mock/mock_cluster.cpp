#include "mock_cluster.hpp"

#include <algorithm>
#include <deque>
#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <fmt/format.h>

#include "kafka_env.hpp"
#include "streamstore/messaging/error.hpp"
#include "streamstore/messaging/producer.hpp"

namespace streamstore::testing::mock {
namespace asio = boost::asio;
using namespace std::chrono_literals;

std::string_view to_string(Api api) noexcept {
    switch (api) {
    case Api::produce: return "Produce";
    case Api::fetch: return "Fetch";
    case Api::list_offsets: return "ListOffsets";
    case Api::metadata: return "Metadata";
    case Api::offset_commit: return "OffsetCommit";
    case Api::offset_fetch: return "OffsetFetch";
    case Api::find_coordinator: return "FindCoordinator";
    case Api::join_group: return "JoinGroup";
    case Api::heartbeat: return "Heartbeat";
    case Api::sync_group: return "SyncGroup";
    case Api::init_producer_id: return "InitProducerId";
    case Api::add_partitions_to_txn: return "AddPartitionsToTxn";
    case Api::add_offsets_to_txn: return "AddOffsetsToTxn";
    case Api::end_txn: return "EndTxn";
    case Api::txn_offset_commit: return "TxnOffsetCommit";
    }
    return "?";
}

namespace {
void check(rd_kafka_resp_err_t err, const std::string& what) {
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) throw std::runtime_error(what + ": " + rd_kafka_err2str(err));
}

// Destroys mock clusters (and the handles they live in) on a thread of its own, in order.
// rd_kafka_mock_cluster_destroy in librdkafka 2.0.2 often returns only when its thread's poll()
// times out, a second later; nothing waits for it here, so no test pays that second. The last
// clusters are destroyed at exit, before LeakSanitizer looks.
class Reaper {
public:
    static Reaper& instance() {
        static Reaper reaper;
        return reaper;
    }

    void destroy_later(rd_kafka_t* rk, rd_kafka_mock_cluster_t* cluster) {
        std::lock_guard lock(mutex_);
        doomed_.emplace_back(rk, cluster);
        cv_.notify_one();
    }

    ~Reaper() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
            cv_.notify_one();
        }
        thread_.join();
    }

    Reaper(const Reaper&) = delete;
    Reaper& operator=(const Reaper&) = delete;

private:
    Reaper() : thread_([this] { run(); }) {}

    void run() {
        std::unique_lock lock(mutex_);
        for (;;) {
            cv_.wait(lock, [&] { return stopping_ || !doomed_.empty(); });
            if (doomed_.empty()) return;  // stopping, and nothing left
            const auto [rk, cluster] = doomed_.front();
            doomed_.pop_front();
            lock.unlock();
            rd_kafka_mock_cluster_destroy(cluster);
            rd_kafka_destroy(rk);
            lock.lock();
        }
    }

    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::pair<rd_kafka_t*, rd_kafka_mock_cluster_t*>> doomed_;
    bool stopping_ = false;
    std::thread thread_;  // last: starts once the rest is constructed
};

}  // namespace

// ---- MockCluster ---------------------------------------------------------------------------------

MockCluster::MockCluster(int brokers) {
    // The cluster needs a handle to live in; a producer that never produces is the lightest.
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char error[512];
    if (rd_kafka_conf_set(conf, "log_level", "3", error, sizeof error) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        throw std::runtime_error(error);
    }
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
    if (rk_ == nullptr) {
        rd_kafka_conf_destroy(conf);
        throw std::runtime_error(std::string("mock cluster handle: ") + error);
    }
    cluster_ = rd_kafka_mock_cluster_new(rk_, brokers);
    if (cluster_ == nullptr) {
        rd_kafka_destroy(rk_);
        throw std::runtime_error("rd_kafka_mock_cluster_new failed");
    }
    bootstraps_ = rd_kafka_mock_cluster_bootstraps(cluster_);
}

template <class Call>
auto MockCluster::control(Call call) const {
    constexpr auto kGap = 5ms;
    std::lock_guard lock(pace_);
    const auto since = std::chrono::steady_clock::now() - last_call_;
    if (since < kGap) std::this_thread::sleep_for(kGap - since);
    struct Stamp {
        std::chrono::steady_clock::time_point& last;
        ~Stamp() { last = std::chrono::steady_clock::now(); }
    } stamp{last_call_};
    return call();
}

MockCluster::~MockCluster() {
    std::lock_guard lock(pace_);  // no control call runs (see control())
    Reaper::instance().destroy_later(rk_, cluster_);
}

void MockCluster::create_topic(const std::string& topic, int partitions, std::int32_t leader) {
    check(control([&] { return rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, 1); }),
          "create topic " + topic);
    for (int p = 0; p < partitions; ++p) set_leader(topic, p, leader);
}

void MockCluster::set_leader(const std::string& topic, std::int32_t partition, std::int32_t broker) {
    check(control([&] { return rd_kafka_mock_partition_set_leader(cluster_, topic.c_str(), partition, broker); }),
          fmt::format("set leader of {}[{}]", topic, partition));
}

void MockCluster::set_coordinator(const std::string& type, const std::string& key, std::int32_t broker) {
    check(control([&] { return rd_kafka_mock_coordinator_set(cluster_, type.c_str(), key.c_str(), broker); }),
          "set " + type + " coordinator");
}

void MockCluster::push_errors(std::int32_t broker, Api api, const std::vector<rd_kafka_resp_err_t>& errors,
                              std::chrono::milliseconds rtt) {
    // One call per error: the stack is first in, first out, so the order is kept.
    for (const rd_kafka_resp_err_t err : errors) {
        check(control([&] {
                  return rd_kafka_mock_broker_push_request_error_rtts(cluster_, broker, static_cast<std::int16_t>(api),
                                                                      1, err, static_cast<int>(rtt.count()));
              }),
              fmt::format("push {} error on broker {}", to_string(api), broker));
    }
}

std::size_t MockCluster::pending_errors(std::int32_t broker, Api api) const {
    std::size_t count = 0;
    check(control([&] {
              return rd_kafka_mock_broker_error_stack_cnt(cluster_, broker, static_cast<std::int16_t>(api), &count);
          }),
          "error stack count");
    return count;
}

void MockCluster::set_down(std::int32_t broker) {
    check(control([&] { return rd_kafka_mock_broker_set_down(cluster_, broker); }), "set down");
}

void MockCluster::set_up(std::int32_t broker) {
    check(control([&] { return rd_kafka_mock_broker_set_up(cluster_, broker); }), "set up");
}

void MockCluster::set_rtt(std::int32_t broker, std::chrono::milliseconds rtt) {
    check(control([&] { return rd_kafka_mock_broker_set_rtt(cluster_, broker, static_cast<int>(rtt.count())); }),
          "set rtt");
}

messaging::ClientConfig MockCluster::client_config(std::string client_id) const {
    messaging::ClientConfig config;
    config.bootstrap_servers = bootstraps_;
    config.client_id = std::move(client_id);
    // Reconnect and retry fast: the faults here last a second or two, not the defaults' minutes.
    config.properties = {{"reconnect.backoff.ms", "20"},
                         {"reconnect.backoff.max.ms", "200"},
                         {"log_level", "4"}};
    return config;
}

// ---- TopicReader ---------------------------------------------------------------------------------

TopicReader::TopicReader(const std::string& bootstrap_servers, const std::string& topic, int partitions) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char error[512];
    const std::vector<std::pair<const char*, std::string>> properties{
        {"bootstrap.servers", bootstrap_servers},
        {"client.id", "mock-topic-reader"},
        {"group.id", "mock-topic-reader"},  // assign needs one in 2.0.2; never joined, nothing committed
        {"enable.auto.commit", "false"},
        {"enable.partition.eof", "false"},
        {"reconnect.backoff.ms", "20"},
        {"reconnect.backoff.max.ms", "200"},
        {"fetch.wait.max.ms", "20"},
        {"log_level", "3"}};
    for (const auto& [key, value] : properties) {
        if (rd_kafka_conf_set(conf, key, value.c_str(), error, sizeof error) != RD_KAFKA_CONF_OK) {
            rd_kafka_conf_destroy(conf);
            throw std::runtime_error(std::string(key) + ": " + error);
        }
    }
    rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error);
    if (rk_ == nullptr) {
        rd_kafka_conf_destroy(conf);
        throw std::runtime_error(std::string("reader: ") + error);
    }
    rd_kafka_poll_set_consumer(rk_);
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; ++p) {
        rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    }
    const rd_kafka_resp_err_t err = rd_kafka_assign(rk_, list);
    rd_kafka_topic_partition_list_destroy(list);
    check(err, "reader assign");
}

TopicReader::~TopicReader() {
    rd_kafka_consumer_close(rk_);
    rd_kafka_destroy(rk_);
}

void TopicReader::poll_once(std::chrono::milliseconds timeout) {
    rd_kafka_message_t* message = rd_kafka_consumer_poll(rk_, static_cast<int>(timeout.count()));
    if (message == nullptr) return;
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR && message->payload != nullptr) {
        seen_.emplace(static_cast<const char*>(message->payload), message->len);
    }
    rd_kafka_message_destroy(message);
}

bool TopicReader::read_until_all(const std::set<std::string>& expected, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto all_seen = [&] {
        for (const auto& v : expected) {
            if (!seen_.contains(v)) return false;
        }
        return true;
    };
    while (!all_seen()) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left <= 0ms) return false;
        poll_once(std::min<std::chrono::milliseconds>(left, 100ms));
    }
    return true;
}

std::vector<std::string> TopicReader::missing(const std::set<std::string>& expected) const {
    std::vector<std::string> out;
    for (const auto& v : expected) {
        if (!seen_.contains(v)) out.push_back(v);
    }
    return out;
}

// ---- helpers -------------------------------------------------------------------------------------

std::int64_t committed_total(const std::string& bootstrap_servers, const std::string& group, const std::string& topic,
                             int partitions) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char error[512];
    for (const auto& [key, value] : std::vector<std::pair<const char*, std::string>>{
             {"bootstrap.servers", bootstrap_servers}, {"group.id", group}, {"log_level", "3"}}) {
        if (rd_kafka_conf_set(conf, key, value.c_str(), error, sizeof error) != RD_KAFKA_CONF_OK) {
            rd_kafka_conf_destroy(conf);
            throw std::runtime_error(std::string(key) + ": " + error);
        }
    }
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error);
    if (rk == nullptr) {
        rd_kafka_conf_destroy(conf);
        throw std::runtime_error(std::string("committed offsets: ") + error);
    }
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; ++p) rd_kafka_topic_partition_list_add(list, topic.c_str(), p);
    const rd_kafka_resp_err_t err = rd_kafka_committed(rk, list, 10'000);
    std::int64_t total = 0;
    for (int i = 0; i < list->cnt; ++i) total += std::max<std::int64_t>(list->elems[i].offset, 0);
    rd_kafka_topic_partition_list_destroy(list);
    rd_kafka_destroy(rk);
    check(err, "committed offsets of " + group);
    return total;
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) return condition();
        std::this_thread::sleep_for(10ms);  // re-check an observable condition; bounded by the deadline
    }
    return true;
}

std::set<std::string> input_values(int count) {
    std::set<std::string> out;
    for (int i = 0; i < count; ++i) out.insert("value-" + std::to_string(i));
    return out;
}

namespace {
class CountingListener final : public messaging::DeliveryListener {
public:
    void on_delivery(const messaging::DeliveryReport& report, const messaging::ProducerRecord&) noexcept override {
        if (report.error) ++failed;
        ++reports;
    }
    std::size_t reports = 0;  // the producer's strand only
    std::size_t failed = 0;
};

asio::awaitable<std::size_t> send_all(messaging::Producer& producer, std::string topic, int count) {
    CountingListener listener;
    for (int i = 0; i < count; ++i) {
        const std::string key = "key-" + std::to_string(i);
        const std::string value = "value-" + std::to_string(i);
        const messaging::ProducerRecord record{.topic = topic, .key = key, .value = value};
        for (;;) {
            const std::error_code error = producer.send(record, listener);
            if (!error) break;
            if (!messaging::is_queue_full(error)) throw messaging::KafkaException(error, "send: " + error.message());
            co_await producer.async_wait_for_space();
        }
    }
    const std::size_t left = co_await producer.async_flush(std::chrono::seconds(20));
    if (left != 0) throw std::runtime_error(fmt::format("{} input record(s) not delivered in time", left));
    co_return listener.failed;
}
}  // namespace

std::size_t produce_inputs(const MockCluster& cluster, const std::string& topic, int count) {
    asio::io_context io;
    messaging::ProducerConfig config;
    config.client = cluster.client_config("mock-input-producer");
    config.topics = {topic};
    config.linger = 1ms;
    messaging::Producer producer(io.get_executor(), config);
    const std::size_t failed = run_for(io, send_all(producer, topic, count), 30s);
    producer.close();
    return failed;
}

std::string describe(const std::exception_ptr& error) {
    if (!error) return "no exception";
    try {
        std::rethrow_exception(error);
    } catch (const messaging::KafkaException& e) {
        return fmt::format("KafkaException({}): {}", e.code() ? messaging::error_name(e.code()) : "-", e.what());
    } catch (const std::exception& e) {
        return std::string("std::exception: ") + e.what();
    } catch (...) {
        return "unknown exception";
    }
}

// ---- ProcessorRun --------------------------------------------------------------------------------

ProcessorRun::ProcessorRun(messaging::ProcessorConfig config, messaging::Transform transform,
                           messaging::ProcessorHooks hooks) {
    processor_.emplace(io_.get_executor(), std::move(config), std::move(transform), std::move(hooks));
}

ProcessorRun::~ProcessorRun() {
    if (thread_.joinable()) {
        bool finished = false;
        {
            std::lock_guard lock(mutex_);
            finished = finished_;
        }
        if (!finished) {
            processor_->stop();
            wait_finished(15s);
        }
        join();
    }
    processor_.reset();
}

void ProcessorRun::start() {
    asio::co_spawn(io_, processor_->async_run(), [this](std::exception_ptr error) {
        std::lock_guard lock(mutex_);
        error_ = error;
        finished_ = true;
        cv_.notify_all();
    });
    thread_ = std::thread([this] {
        io_.run();
        std::lock_guard lock(mutex_);
        io_returned_ = true;
        cv_.notify_all();
    });
}

bool ProcessorRun::wait_finished(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return finished_; });
}

void ProcessorRun::stop_and_wait(std::chrono::milliseconds timeout) {
    processor_->stop();
    if (!wait_finished(timeout)) {
        throw std::runtime_error(fmt::format("async_run did not end within {} ms of stop(); pending: {}",
                                             timeout.count(), processor_->pending_work()));
    }
    join();
}

std::exception_ptr ProcessorRun::error() const {
    std::lock_guard lock(mutex_);
    return error_;
}

void ProcessorRun::join() {
    if (!thread_.joinable()) return;
    {
        // Once async_run ended the io_context runs out of work by itself; stop it if it does not.
        std::unique_lock lock(mutex_);
        if (!cv_.wait_for(lock, 5s, [&] { return io_returned_; })) io_.stop();
    }
    thread_.join();
}

}  // namespace streamstore::testing::mock
