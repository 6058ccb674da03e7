// consumer_lag() on librdkafka's statistics: a real librdkafka 2.0.2 consumer's (data/), documented
// examples (STATISTICS.md), and what must be skipped.

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "streamstore/observability/librdkafka_stats.hpp"

namespace streamstore::observability {
namespace {

using ::testing::ElementsAre;
using ::testing::FieldsAre;
using ::testing::IsEmpty;

std::string read_data(const std::string& name) {
    std::ifstream in(std::string(STREAMSTORE_OBSERVABILITY_TEST_DATA) + "/" + name);
    if (!in) throw std::runtime_error("cannot read test data " + name);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The fields STATISTICS.md documents for a consumer, with partitions in every situation the
// parser must tell apart (values chosen so each lag comes from one specific pair of fields).
constexpr const char* kConsumerStats = R"({
  "name": "notification-service#consumer-1", "client_id": "notification-service", "type": "consumer",
  "ts": 5016483227792, "time": 1527060869, "replyq": 0,
  "topics": {
    "orders": { "topic": "orders", "metadata_age": 9060, "partitions": {
      "0": { "partition": 0, "desired": true, "fetch_state": "active",
             "app_offset": 120, "stored_offset": 120, "committed_offset": 100,
             "lo_offset": 0, "hi_offset": 160, "ls_offset": 150, "consumer_lag": 50 },
      "1": { "partition": 1, "desired": true, "fetch_state": "active",
             "app_offset": -1001, "committed_offset": 40, "hi_offset": 50, "ls_offset": -1001 },
      "2": { "partition": 2, "desired": false, "fetch_state": "none",
             "app_offset": 7, "committed_offset": 7, "hi_offset": 90, "ls_offset": 90 },
      "-1": { "partition": -1, "desired": false, "fetch_state": "none",
              "app_offset": -1001, "committed_offset": -1001, "hi_offset": -1001, "ls_offset": -1001 } } },
    "payments": { "topic": "payments", "partitions": {
      "0": { "partition": 0, "desired": true, "fetch_state": "offset-query",
             "app_offset": -1001, "committed_offset": -1001, "hi_offset": 30, "ls_offset": 30 },
      "1": { "partition": 1, "desired": true, "fetch_state": "active",
             "app_offset": 12, "committed_offset": 10, "hi_offset": 11, "ls_offset": 11 },
      "2": { "partition": 2, "desired": true, "fetch_state": "active",
             "app_offset": 5, "committed_offset": 5, "hi_offset": -1001, "ls_offset": -1001 },
      "3": { "partition": 3, "desired": true, "fetch_state": "stopping",
             "app_offset": 5, "committed_offset": 5, "hi_offset": 9, "ls_offset": 9 } } }
  },
  "cgrp": { "state": "up", "join_state": "steady", "assignment_size": 5 }
})";

// STATISTICS.md's example output (a producer), shortened.
constexpr const char* kProducerStats = R"({
  "name": "rdkafka#producer-1", "client_id": "rdkafka", "type": "producer", "ts": 5016483227792,
  "msg_cnt": 1, "msg_size": 31, "brokers": {},
  "topics": { "test": { "topic": "test", "partitions": {
    "0": { "partition": 0, "desired": false, "fetch_state": "none", "app_offset": -1001,
           "committed_offset": -1001, "hi_offset": -1001, "consumer_lag": -1, "txmsgs": 2150617 } } } }
})";

TEST(LibrdkafkaStats, LagOfEveryAssignedPartitionFromARealConsumer) {
    // Written by a librdkafka 2.0.2 consumer against its mock cluster (isolation.level=
    // read_committed): partitions 0 and 1 of "orders" assigned, 2 not, plus the internal -1.
    const auto stats = parse_consumer_lag(read_data("consumer_stats_librdkafka_2.0.2.json"));
    ASSERT_TRUE(stats.has_value());
    EXPECT_EQ(stats->name, "payment-service#consumer-2");
    EXPECT_EQ(stats->client_id, "payment-service");
    EXPECT_GT(stats->ts, 0);
    EXPECT_THAT(stats->partitions, ElementsAre(FieldsAre("payment-service", "orders", 0, 14),
                                               FieldsAre("payment-service", "orders", 1, 10)));
}

TEST(LibrdkafkaStats, EndIsTheLastStableOffsetElseTheHighWatermark) {
    EXPECT_THAT(consumer_lag(kConsumerStats),
                ElementsAre(FieldsAre("notification-service", "orders", 0, 30),    // ls 150 - app 120
                            FieldsAre("notification-service", "orders", 1, 10),    // hi 50 - committed 40
                            FieldsAre("notification-service", "payments", 1, 0)));  // app past hi: 0
}

TEST(LibrdkafkaStats, SkipsUnassignedInternalAndUnknownPartitions) {
    // orders/2 (fetch_state none, not desired), orders/-1 (internal), payments/0 (position
    // unknown), payments/2 (end unknown), payments/3 (stopping: being revoked).
    for (const auto& lag : consumer_lag(kConsumerStats)) {
        EXPECT_FALSE(lag.topic == "orders" && (lag.partition == 2 || lag.partition == -1)) << lag.partition;
        EXPECT_FALSE(lag.topic == "payments" && lag.partition != 1) << lag.partition;
    }
}

TEST(LibrdkafkaStats, IgnoresProducerStatistics) {
    EXPECT_FALSE(parse_consumer_lag(kProducerStats).has_value());
    EXPECT_THAT(consumer_lag(kProducerStats), IsEmpty());
}

TEST(LibrdkafkaStats, ConsumerWithoutTopicsHasNoLag) {
    const auto stats = parse_consumer_lag(R"({"name":"c#consumer-1","client_id":"c","type":"consumer","ts":1})");
    ASSERT_TRUE(stats.has_value());
    EXPECT_THAT(stats->partitions, IsEmpty());
}

TEST(LibrdkafkaStats, MalformedJsonGivesNoLagAndParseSaysWhy) {
    for (const char* text : {"", "{", "not json", "[]", "42", R"({"type": 1})", R"({"name":"x","type":"consumer"})",
                             R"({"type":"consumer","name":"c","client_id":"c","topics":{"t":[1,2]}})"}) {
        EXPECT_THAT(consumer_lag(text), IsEmpty()) << text;
    }
    EXPECT_THROW(parse_consumer_lag("{"), std::invalid_argument);
    EXPECT_THROW(parse_consumer_lag("[]"), std::invalid_argument);
    EXPECT_THROW(parse_consumer_lag(R"({"name":"x","type":"consumer"})"), std::invalid_argument);
    // Wrongly typed entries inside "topics" are skipped, not fatal.
    EXPECT_THAT(parse_consumer_lag(R"({"type":"consumer","name":"c","client_id":"c","topics":{"t":[1,2]}})")->partitions,
                IsEmpty());
}

TEST(LibrdkafkaStats, PartitionIdFromTheKeyWhenTheFieldIsMissing) {
    EXPECT_THAT(consumer_lag(R"({"type":"consumer","name":"c","client_id":"c","topics":{"t":{"partitions":{
                    "4":{"fetch_state":"active","app_offset":1,"hi_offset":3}}}}})"),
                ElementsAre(FieldsAre("c", "t", 4, 2)));
}

}  // namespace
}  // namespace streamstore::observability
