// messaging::Producer (idempotent, acks=all) against librdkafka's mock cluster with injected
// faults: retriable Produce errors are retried with nothing lost and no failed delivery report;
// a delivery that cannot complete is reported as failed, never dropped silently.
#include <gtest/gtest.h>

#include <chrono>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "kafka_env.hpp"
#include "mock_cluster.hpp"
#include "streamstore/messaging/error.hpp"
#include "streamstore/messaging/producer.hpp"

namespace asio = boost::asio;
namespace messaging = streamstore::messaging;
using namespace std::chrono_literals;
using streamstore::testing::run_for;
using streamstore::testing::mock::Api;
using streamstore::testing::mock::input_values;
using streamstore::testing::mock::MockCluster;
using streamstore::testing::mock::TopicReader;

namespace {

constexpr std::int32_t kLeader = 1;
constexpr int kPartitions = 3;
const std::string kTopic = "orders";

// Records one delivery report per record; the producer's strand only.
class Reports final : public messaging::DeliveryListener {
public:
    void on_delivery(const messaging::DeliveryReport& report,
                     const messaging::ProducerRecord& record) noexcept override {
        ++count;
        if (report.error) {
            errors.push_back(report.error);
        } else {
            delivered.emplace(record.value);
        }
    }
    std::size_t count = 0;
    std::size_t refused = 0;  // send() returned an error other than queue full: never enqueued
    std::vector<std::error_code> errors;
    std::set<std::string> delivered;
};

std::string names(const std::vector<std::error_code>& errors) {
    std::string out;
    for (const auto& e : errors) out += messaging::error_name(e) + " ";
    return out;
}

// Sends "value-<first>" .. "value-<first+count-1>" keyed "key-<i>" with the throughput path.
// A send refused with an error other than queue full (the producer hit a fatal error) is counted
// in reports.refused, like order-generator counts it as failed.
asio::awaitable<void> send_range(messaging::Producer& producer, Reports& reports, int first, int count) {
    for (int i = first; i < first + count; ++i) {
        const std::string key = "key-" + std::to_string(i);
        const std::string value = "value-" + std::to_string(i);
        const messaging::ProducerRecord record{.topic = kTopic, .key = key, .value = value};
        for (;;) {
            const std::error_code error = producer.send(record, reports);
            if (!error) break;
            if (!messaging::is_queue_full(error)) {
                ++reports.refused;
                break;
            }
            co_await producer.async_wait_for_space();
        }
    }
}

asio::awaitable<std::size_t> send_and_flush(messaging::Producer& producer, Reports& reports, int count) {
    co_await send_range(producer, reports, 0, count);
    co_return co_await producer.async_flush(15s);
}

class ProducerFaults : public ::testing::Test {
protected:
    void SetUp() override {
        spdlog::set_level(spdlog::level::warn);
        cluster_.create_topic(kTopic, kPartitions, kLeader);
    }

    [[nodiscard]] messaging::ProducerConfig config() const {
        messaging::ProducerConfig config;
        config.client = cluster_.client_config("mock-fault-producer");
        config.topics = {kTopic};
        config.linger = 1ms;
        return config;
    }

    // Sends `count` records, flushes, and expects every report successful and every record in
    // the topic.
    void expect_all_delivered(messaging::Producer& producer, int count) {
        Reports reports;
        const std::size_t left = run_for(io_, send_and_flush(producer, reports, count), 20s);
        producer.close();
        EXPECT_EQ(left, 0u) << "records still undelivered after the flush";
        EXPECT_EQ(reports.count, static_cast<std::size_t>(count));
        EXPECT_TRUE(reports.errors.empty()) << "failed delivery reports: " << names(reports.errors);
        expect_in_topic(count);
    }

    void expect_in_topic(int count) {
        TopicReader reader(cluster_.bootstrap_servers(), kTopic, kPartitions);
        const auto expected = input_values(count);
        EXPECT_TRUE(reader.read_until_all(expected, 10s)) << reader.missing(expected).size() << " record(s) lost";
    }

    MockCluster cluster_{3};
    asio::io_context io_;
};

// ---- retriable Produce errors --------------------------------------------------------------------

struct ProduceFault {
    const char* name;
    rd_kafka_resp_err_t error;
    int count;
};

void PrintTo(const ProduceFault& fault, std::ostream* os) {
    *os << fault.count << " x " << rd_kafka_err2name(fault.error) << " on Produce";
}

class RetriableProduceError : public ProducerFaults, public ::testing::WithParamInterface<ProduceFault> {};

// The leader answers the first Produce requests with a retriable error: librdkafka retries them
// (refreshing metadata where the error says so); every record is delivered, none reported failed.
TEST_P(RetriableProduceError, IsRetriedAndNothingIsLost) {
    const ProduceFault fault = GetParam();
    cluster_.push_errors(kLeader, Api::produce, std::vector<rd_kafka_resp_err_t>(fault.count, fault.error));
    messaging::Producer producer(io_.get_executor(), config());
    expect_all_delivered(producer, 300);
    EXPECT_EQ(cluster_.pending_errors(kLeader, Api::produce), 0u) << "the injected errors were not all met";
}

INSTANTIATE_TEST_SUITE_P(
    Produce, RetriableProduceError,
    ::testing::Values(ProduceFault{"NotLeaderForPartition", RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, 3},
                      ProduceFault{"RequestTimedOut", RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, 3},
                      ProduceFault{"NotEnoughReplicas", RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, 3}),
    [](const ::testing::TestParamInfo<ProduceFault>& param_info) { return std::string(param_info.param.name); });

// ---- connectivity and latency --------------------------------------------------------------------

// A Produce response slower than request.timeout.ms: the request times out locally and is
// retried (idempotence keeps it single on a real broker); nothing is lost or reported failed.
TEST_F(ProducerFaults, ResponseSlowerThanRequestTimeoutIsRetried) {
    cluster_.push_errors(kLeader, Api::produce, {RD_KAFKA_RESP_ERR_NO_ERROR, RD_KAFKA_RESP_ERR_NO_ERROR}, 1000ms);
    auto cfg = config();
    cfg.client.properties.emplace_back("request.timeout.ms", "300");
    messaging::Producer producer(io_.get_executor(), cfg);
    expect_all_delivered(producer, 100);
    EXPECT_EQ(cluster_.pending_errors(kLeader, Api::produce), 0u);
}

// Every response of the leader takes 100 ms: slower, still complete.
TEST_F(ProducerFaults, HighLatencyDeliversEverything) {
    cluster_.set_rtt(kLeader, 100ms);
    messaging::Producer producer(io_.get_executor(), config());
    const auto start = std::chrono::steady_clock::now();
    expect_all_delivered(producer, 100);
    EXPECT_GE(std::chrono::steady_clock::now() - start, 100ms) << "the latency was not injected";
}

// The leader goes down after half the records were delivered and comes back 800 ms later; the
// records sent meanwhile wait in librdkafka's queue and are delivered once it is back.
TEST_F(ProducerFaults, BrokerDownThenUpWhileProducing) {
    Reports reports;  // outlives the producer
    messaging::Producer producer(io_.get_executor(), config());
    auto scenario = [&]() -> asio::awaitable<std::size_t> {
        co_await send_range(producer, reports, 0, 150);
        if (co_await producer.async_flush(10s) != 0) throw std::runtime_error("first half not delivered");
        cluster_.set_down(kLeader);
        co_await send_range(producer, reports, 150, 150);
        asio::steady_timer outage(co_await asio::this_coro::executor, 800ms);  // how long the broker stays down
        co_await outage.async_wait(asio::use_awaitable);
        EXPECT_GT(producer.in_flight(), 0u) << "records were delivered while the leader was down";
        cluster_.set_up(kLeader);
        co_return co_await producer.async_flush(15s);
    };
    const std::size_t left = run_for(io_, scenario(), 30s);
    producer.close();
    EXPECT_EQ(left, 0u);
    EXPECT_EQ(reports.count, 300u);
    EXPECT_TRUE(reports.errors.empty()) << names(reports.errors);
    expect_in_topic(300);
}

// Leadership moves to another broker mid-stream: NOT_LEADER_FOR_PARTITION from the old leader,
// a metadata refresh, and the rest goes to the new leader.
TEST_F(ProducerFaults, LeaderMovesWhileProducing) {
    Reports reports;  // outlives the producer
    messaging::Producer producer(io_.get_executor(), config());
    auto scenario = [&]() -> asio::awaitable<std::size_t> {
        co_await send_range(producer, reports, 0, 150);
        if (co_await producer.async_flush(10s) != 0) throw std::runtime_error("first half not delivered");
        for (int p = 0; p < kPartitions; ++p) cluster_.set_leader(kTopic, p, 2);
        co_await send_range(producer, reports, 150, 150);
        co_return co_await producer.async_flush(15s);
    };
    const std::size_t left = run_for(io_, scenario(), 30s);
    producer.close();
    EXPECT_EQ(left, 0u);
    EXPECT_EQ(reports.count, 300u);
    EXPECT_TRUE(reports.errors.empty()) << names(reports.errors);
    expect_in_topic(300);
}

// ---- failures that must be reported --------------------------------------------------------------

// message.timeout.ms passes while the leader is down: async_send completes with _MSG_TIMED_OUT
// (a failed delivery the caller sees, not a silent drop), and once the leader is back the same
// producer delivers again.
TEST_F(ProducerFaults, DeliveryTimeoutWhileBrokerDownIsReported) {
    auto cfg = config();
    cfg.delivery_timeout = 500ms;
    messaging::Producer producer(io_.get_executor(), cfg);
    auto send_one = [&](std::string value) -> asio::awaitable<messaging::DeliveryReport> {
        const messaging::ProducerRecord record{.topic = kTopic, .key = "key", .value = value};
        co_return co_await producer.async_send(record);
    };
    const auto warm = run_for(io_, send_one("before"), 10s);
    ASSERT_FALSE(warm.error) << warm.error.message();

    cluster_.set_down(kLeader);
    const auto start = std::chrono::steady_clock::now();
    const auto failed = run_for(io_, send_one("during"), 10s);
    EXPECT_EQ(failed.error, messaging::make_kafka_error(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT))
        << messaging::error_name(failed.error);
    EXPECT_TRUE(messaging::is_retriable(failed.error));
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s) << "the report came long after message.timeout.ms";

    cluster_.set_up(kLeader);
    const auto after = run_for(io_, send_one("after"), 10s);
    EXPECT_FALSE(after.error) << messaging::error_name(after.error);
    EXPECT_GE(after.offset, 0);
    producer.close();
}

// OUT_OF_ORDER_SEQUENCE_NUMBER on a partition's first in-flight request means the broker and the
// idempotent producer disagree on the sequence: librdkafka 2.0.2 raises a fatal error (it can no
// longer promise order without duplicates) instead of retrying. Nothing is lost silently: every
// record gets a delivery report, the failed ones carry an error (order-generator then exits
// non-zero), every record reported delivered is in the topic, and fatal_error() names the cause.
TEST_F(ProducerFaults, OutOfOrderSequenceIsFatalAndEveryRecordIsReported) {
    cluster_.push_errors(kLeader, Api::produce, {RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER});
    Reports reports;  // outlives the producer: it is the listener of every record in flight
    messaging::Producer producer(io_.get_executor(), config());
    const std::size_t left = run_for(io_, send_and_flush(producer, reports, 300), 20s);
    producer.close();
    EXPECT_EQ(left, 0u);
    // Depending on when the fatal error lands, the last sends may be refused (_FATAL) instead of
    // being enqueued and failed by a delivery report; either way each record has one outcome.
    EXPECT_EQ(reports.count + reports.refused, 300u) << "records with neither a delivery report nor a refused send";
    EXPECT_FALSE(reports.errors.empty()) << "the fatal error failed no record";
    EXPECT_EQ(producer.fatal_error(), messaging::make_kafka_error(RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER))
        << messaging::error_name(producer.fatal_error());
    EXPECT_EQ(cluster_.pending_errors(kLeader, Api::produce), 0u);
    TopicReader reader(cluster_.bootstrap_servers(), kTopic, kPartitions);
    EXPECT_TRUE(reader.read_until_all(reports.delivered, 10s))
        << reader.missing(reports.delivered).size() << " record(s) reported delivered are not in the topic";
}

// A non-retriable Produce error (not authorised to write the topic) fails the affected records'
// delivery reports at once instead of retrying them until message.timeout.ms.
TEST_F(ProducerFaults, NonRetriableProduceErrorIsReportedAsFailedDelivery) {
    cluster_.push_errors(kLeader, Api::produce, {RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED});
    messaging::Producer producer(io_.get_executor(), config());
    auto send_one = [&]() -> asio::awaitable<messaging::DeliveryReport> {
        const messaging::ProducerRecord record{.topic = kTopic, .key = "key", .value = "value"};
        co_return co_await producer.async_send(record);
    };
    const auto report = run_for(io_, send_one(), 10s);
    EXPECT_EQ(report.error, messaging::make_kafka_error(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED))
        << messaging::error_name(report.error);
    EXPECT_EQ(cluster_.pending_errors(kLeader, Api::produce), 0u);
    producer.close();
}

}  // namespace
