// Metrics: what the sink methods do to the exposition text, and consumer lag from statistics.

#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/counter.h>

#include "streamstore/observability/metrics.hpp"

namespace streamstore::observability {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

/// The value of the sample `series` (name and labels exactly as exposed) in `text`, NaN if absent.
double sample(const std::string& text, const std::string& series) {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 && line[series.size()] == ' ') {
            return std::stod(line.substr(series.size() + 1));
        }
    }
    return kMissing;
}

struct PartitionState {
    std::string topic;
    std::int32_t partition;
    std::int64_t app_offset;
    std::int64_t ls_offset;
    std::string fetch_state = "active";
};

/// A consumer handle's statistics as librdkafka writes them (the fields the parser reads).
std::string consumer_stats(const std::string& name, std::int64_t ts, const std::vector<PartitionState>& partitions) {
    boost::json::object topics;
    for (const auto& p : partitions) {
        auto& topic = topics[p.topic];
        if (!topic.is_object()) topic = boost::json::object{{"topic", p.topic}, {"partitions", boost::json::object{}}};
        auto& entries = topic.get_object()["partitions"].get_object();
        entries[std::to_string(p.partition)] = boost::json::object{
            {"partition", p.partition}, {"desired", p.fetch_state != "none"}, {"fetch_state", p.fetch_state},
            {"app_offset", p.app_offset}, {"committed_offset", -1001}, {"hi_offset", p.ls_offset + 5},
            {"ls_offset", p.ls_offset}};
    }
    return boost::json::serialize(boost::json::object{
        {"name", name}, {"client_id", "payment-service"}, {"type", "consumer"}, {"ts", ts}, {"topics", topics}});
}

TEST(Metrics, CountsProducedConsumedAndFailedRecordsPerTopic) {
    Metrics metrics("payment-service", "0.1.0");
    metrics.on_produced("payments", 3, 300);
    metrics.on_produced("payments", 2, 250);
    metrics.on_produced("orders.dlq", 1, 40);
    metrics.on_produce_failed("payments", 4);
    metrics.on_consumed("orders", 10, 1000);
    const std::string text = metrics.serialize();
    EXPECT_EQ(sample(text, R"(streamstore_records_produced_total{topic="payments"})"), 5);
    EXPECT_EQ(sample(text, R"(streamstore_produced_bytes_total{topic="payments"})"), 550);
    EXPECT_EQ(sample(text, R"(streamstore_records_produced_total{topic="orders.dlq"})"), 1);
    EXPECT_EQ(sample(text, R"(streamstore_records_failed_total{topic="payments"})"), 4);
    EXPECT_EQ(sample(text, R"(streamstore_records_consumed_total{topic="orders"})"), 10);
    EXPECT_EQ(sample(text, R"(streamstore_consumed_bytes_total{topic="orders"})"), 1000);
    // A topic only consumed has no produced series, and the other way round.
    EXPECT_THAT(text, Not(HasSubstr(R"(streamstore_records_produced_total{topic="orders"})")));
    EXPECT_THAT(text, Not(HasSubstr(R"(streamstore_records_consumed_total{topic="payments"})")));
    EXPECT_THAT(text, HasSubstr("# TYPE streamstore_records_produced_total counter"));
    EXPECT_THAT(text, HasSubstr("# HELP streamstore_records_consumed_total "));
}

TEST(Metrics, CountsDeadLettersBySourceTopicAndErrorClass) {
    Metrics metrics("payment-service", "0.1.0");
    metrics.on_dead_letter("orders", "malformed_json");
    metrics.on_dead_letter("orders", "malformed_json");
    metrics.on_dead_letter("orders", "invalid_value");
    metrics.on_dead_letter("payments", "malformed_json");
    const std::string text = metrics.serialize();
    EXPECT_EQ(sample(text, R"(streamstore_dead_letters_total{error_class="malformed_json",topic="orders"})"), 2);
    EXPECT_EQ(sample(text, R"(streamstore_dead_letters_total{error_class="invalid_value",topic="orders"})"), 1);
    EXPECT_EQ(sample(text, R"(streamstore_dead_letters_total{error_class="malformed_json",topic="payments"})"), 1);
}

TEST(Metrics, CountsTransactionsApartFromAtLeastOnceCommitsAndRewinds) {
    Metrics metrics("payment-service", "0.1.0");
    metrics.on_commit(true, std::chrono::milliseconds(20));
    metrics.on_commit(true, std::chrono::milliseconds(20));
    metrics.on_commit(false, std::chrono::milliseconds(3));
    metrics.on_abort(true);
    metrics.on_abort(false);
    metrics.on_abort(false);
    const std::string text = metrics.serialize();
    EXPECT_EQ(sample(text, "streamstore_transactions_committed_total"), 2);
    EXPECT_EQ(sample(text, "streamstore_offset_commits_total"), 1);
    EXPECT_EQ(sample(text, "streamstore_transactions_aborted_total"), 1);
    EXPECT_EQ(sample(text, "streamstore_rewinds_total"), 2);
    EXPECT_EQ(sample(text, "streamstore_commit_seconds_count"), 3) << "every commit's duration, either kind";
    EXPECT_NEAR(sample(text, "streamstore_commit_seconds_sum"), 0.043, 1e-9);
    EXPECT_EQ(sample(text, R"(streamstore_commit_seconds_bucket{le="0.005"})"), 1);
    EXPECT_EQ(sample(text, R"(streamstore_commit_seconds_bucket{le="0.025"})"), 3);
}

TEST(Metrics, ProcessingTimeIsAHistogramInSeconds) {
    Metrics metrics("payment-service", "0.1.0");
    metrics.on_processed(3us);
    metrics.on_processed(40us);
    metrics.on_processed(2ms);
    metrics.on_processed(5s);
    const std::string text = metrics.serialize();
    EXPECT_THAT(text, HasSubstr("# TYPE streamstore_processing_seconds histogram"));
    EXPECT_EQ(sample(text, "streamstore_processing_seconds_count"), 4);
    EXPECT_NEAR(sample(text, "streamstore_processing_seconds_sum"), 5.002043, 1e-9);
    EXPECT_EQ(sample(text, R"(streamstore_processing_seconds_bucket{le="1e-06"})"), 0);
    EXPECT_EQ(sample(text, R"(streamstore_processing_seconds_bucket{le="5e-06"})"), 1);
    EXPECT_EQ(sample(text, R"(streamstore_processing_seconds_bucket{le="5e-05"})"), 2);
    EXPECT_EQ(sample(text, R"(streamstore_processing_seconds_bucket{le="0.0025"})"), 3);
    EXPECT_EQ(sample(text, R"(streamstore_processing_seconds_bucket{le="1"})"), 3);
    EXPECT_EQ(sample(text, R"(streamstore_processing_seconds_bucket{le="+Inf"})"), 4);
}

TEST(Metrics, BuildInfoNamesServiceAndVersion) {
    Metrics metrics("notification-service", "0.1.0-3-gabcdef");
    EXPECT_EQ(sample(metrics.serialize(), R"(streamstore_build_info{service="notification-service",version="0.1.0-3-gabcdef"})"),
              1);
}

TEST(Metrics, ServicesAddTheirOwnFamiliesToTheRegistry) {
    Metrics metrics("notification-service", "0.1.0");
    auto& family = prometheus::BuildCounter()
                       .Name("streamstore_notifications_total")
                       .Help("Notifications published")
                       .Register(*metrics.registry());
    family.Add({{"kind", "payment"}}).Increment(7);
    EXPECT_EQ(sample(metrics.serialize(), R"(streamstore_notifications_total{kind="payment"})"), 7);
}

TEST(Metrics, ConsumerLagPerAssignedPartitionFromStatistics) {
    Metrics metrics("payment-service", "0.1.0");
    metrics.on_statistics(consumer_stats("payment-service#consumer-1", 1'000'000,
                                         {{"orders", 0, 100, 130}, {"orders", 1, 50, 50}, {"orders", 2, 0, 9, "none"}}));
    const std::string text = metrics.serialize();
    EXPECT_THAT(text, HasSubstr("# TYPE streamstore_consumer_lag gauge"));
    EXPECT_EQ(sample(text, R"(streamstore_consumer_lag{partition="0",topic="orders"})"), 30);
    EXPECT_EQ(sample(text, R"(streamstore_consumer_lag{partition="1",topic="orders"})"), 0);
    EXPECT_TRUE(std::isnan(sample(text, R"(streamstore_consumer_lag{partition="2",topic="orders"})")));
}

TEST(Metrics, LagOfARevokedPartitionIsRemoved) {
    Metrics metrics("payment-service", "0.1.0");
    metrics.on_statistics(consumer_stats("c#consumer-1", 1'000'000, {{"orders", 0, 100, 130}, {"orders", 1, 10, 20}}));
    // Partition 1 revoked: still in the statistics, but no longer fetched.
    metrics.on_statistics(
        consumer_stats("c#consumer-1", 2'000'000, {{"orders", 0, 120, 130}, {"orders", 1, 10, 20, "none"}}));
    std::string text = metrics.serialize();
    EXPECT_EQ(sample(text, R"(streamstore_consumer_lag{partition="0",topic="orders"})"), 10);
    EXPECT_TRUE(std::isnan(sample(text, R"(streamstore_consumer_lag{partition="1",topic="orders"})")));
    // Partition 0 gone from the statistics altogether.
    metrics.on_statistics(consumer_stats("c#consumer-1", 3'000'000, {}));
    text = metrics.serialize();
    EXPECT_THAT(text, Not(HasSubstr("streamstore_consumer_lag{")));
    // Assigned again: back.
    metrics.on_statistics(consumer_stats("c#consumer-1", 4'000'000, {{"orders", 1, 15, 20}}));
    EXPECT_EQ(sample(metrics.serialize(), R"(streamstore_consumer_lag{partition="1",topic="orders"})"), 5);
}

TEST(Metrics, LagStaysWhileAnotherHandleStillReportsThePartition) {
    Metrics metrics("payment-service", "0.1.0");
    metrics.on_statistics(consumer_stats("c#consumer-1", 1'000'000, {{"orders", 0, 100, 130}}));
    metrics.on_statistics(consumer_stats("c#consumer-2", 1'100'000, {{"orders", 0, 110, 130}}));
    metrics.on_statistics(consumer_stats("c#consumer-1", 2'000'000, {}));
    EXPECT_EQ(sample(metrics.serialize(), R"(streamstore_consumer_lag{partition="0",topic="orders"})"), 20);
    metrics.on_statistics(consumer_stats("c#consumer-2", 2'100'000, {}));
    EXPECT_THAT(metrics.serialize(), Not(HasSubstr("streamstore_consumer_lag{")));
}

TEST(Metrics, AHandleThatStoppedReportingLosesItsLag) {
    Metrics metrics("payment-service", "0.1.0");
    // consumer-1 reports every second, then is closed; consumer-2 keeps reporting.
    metrics.on_statistics(consumer_stats("c#consumer-1", 1'000'000, {{"orders", 0, 100, 130}}));
    metrics.on_statistics(consumer_stats("c#consumer-1", 2'000'000, {{"orders", 0, 100, 130}}));
    metrics.on_statistics(consumer_stats("c#consumer-2", 5'000'000, {{"orders", 1, 1, 2}}));
    EXPECT_EQ(sample(metrics.serialize(), R"(streamstore_consumer_lag{partition="0",topic="orders"})"), 30);
    metrics.on_statistics(consumer_stats("c#consumer-2", 12'000'001, {{"orders", 1, 1, 2}}));  // 10 s after
    const std::string text = metrics.serialize();
    EXPECT_TRUE(std::isnan(sample(text, R"(streamstore_consumer_lag{partition="0",topic="orders"})")));
    EXPECT_EQ(sample(text, R"(streamstore_consumer_lag{partition="1",topic="orders"})"), 1);
}

TEST(Metrics, IgnoresProducerAndMalformedStatistics) {
    Metrics metrics("payment-service", "0.1.0");
    metrics.on_statistics(consumer_stats("c#consumer-1", 1'000'000, {{"orders", 0, 100, 130}}));
    metrics.on_statistics(R"({"name":"c#producer-1","client_id":"c","type":"producer","ts":2000000,"topics":{}})");
    metrics.on_statistics("{ not json");
    metrics.on_statistics("");
    EXPECT_EQ(sample(metrics.serialize(), R"(streamstore_consumer_lag{partition="0",topic="orders"})"), 30);
}

TEST(Metrics, CountsFromManyThreadsAtOnce) {
    Metrics metrics("payment-service", "0.1.0");
    constexpr int kThreads = 8;
    constexpr int kCalls = 2000;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&metrics, t] {
            const std::string own_topic = "topic-" + std::to_string(t);
            for (int i = 0; i < kCalls; ++i) {
                metrics.on_consumed("orders", 1, 10);
                metrics.on_produced(own_topic, 1, 1);
                metrics.on_processed(1us);
            }
        });
    }
    for (auto& thread : threads) thread.join();
    const std::string text = metrics.serialize();
    EXPECT_EQ(sample(text, R"(streamstore_records_consumed_total{topic="orders"})"), kThreads * kCalls);
    EXPECT_EQ(sample(text, R"(streamstore_consumed_bytes_total{topic="orders"})"), kThreads * kCalls * 10);
    EXPECT_EQ(sample(text, R"(streamstore_records_produced_total{topic="topic-7"})"), kCalls);
    EXPECT_EQ(sample(text, "streamstore_processing_seconds_count"), kThreads * kCalls);
}

TEST(Metrics, IsAMessagingMetricsSink) {
    std::shared_ptr<messaging::MetricsSink> sink = std::make_shared<Metrics>("order-generator", "0.1.0");
    sink->on_produced("orders", 1, 100);
    EXPECT_EQ(sample(static_cast<Metrics&>(*sink).serialize(), R"(streamstore_records_produced_total{topic="orders"})"),
              1);
}

}  // namespace
}  // namespace streamstore::observability
