// librdkafka properties given as key=value, and Kafka errors as std::error_code
// (libs/messaging config.hpp, error.hpp).

#include <optional>
#include <system_error>

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include "streamstore/messaging/config.hpp"
#include "streamstore/messaging/error.hpp"

namespace streamstore::messaging {
namespace {

TEST(ParseProperty, SplitsKeyAndValue) {
    EXPECT_EQ(parse_property("linger.ms=10"), (Property{"linger.ms", "10"}));
}

TEST(ParseProperty, SplitsAtTheFirstEqualsSign) {
    EXPECT_EQ(parse_property("sasl.jaas.config=a=b=c"), (Property{"sasl.jaas.config", "a=b=c"}));
}

TEST(ParseProperty, AcceptsAnEmptyValue) { EXPECT_EQ(parse_property("client.rack="), (Property{"client.rack", ""})); }

TEST(ParseProperty, KeepsSpacesVerbatim) {
    EXPECT_EQ(parse_property("debug= broker ,topic"), (Property{"debug", " broker ,topic"}));
}

TEST(ParseProperty, RejectsTextWithoutEqualsSign) { EXPECT_EQ(parse_property("novalue"), std::nullopt); }

TEST(ParseProperty, RejectsAnEmptyKey) { EXPECT_EQ(parse_property("=10"), std::nullopt); }

TEST(ParseProperty, RejectsEmptyText) { EXPECT_EQ(parse_property(""), std::nullopt); }

TEST(ClientConfig, DefaultsToALocalBroker) {
    const ClientConfig config;
    EXPECT_EQ(config.bootstrap_servers, "localhost:9092");
    EXPECT_EQ(config.client_id, "streamstore");
    EXPECT_TRUE(config.properties.empty());
}

TEST(KafkaError, IsAnErrorCodeInTheKafkaCategory) {
    const std::error_code ec = make_kafka_error(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT);
    EXPECT_EQ(&ec.category(), &kafka_category());
    EXPECT_STREQ(ec.category().name(), "kafka");
    EXPECT_EQ(ec.value(), RD_KAFKA_RESP_ERR__MSG_TIMED_OUT);
    EXPECT_EQ(ec.message(), rd_kafka_err2str(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT));
    EXPECT_EQ(error_name(ec), "_MSG_TIMED_OUT");
}

TEST(KafkaError, ZeroIsSuccess) { EXPECT_FALSE(make_kafka_error(RD_KAFKA_RESP_ERR_NO_ERROR)); }

TEST(KafkaError, ClassifiesTransientErrorsAsRetriable) {
    EXPECT_TRUE(is_retriable(make_kafka_error(RD_KAFKA_RESP_ERR__QUEUE_FULL)));
    EXPECT_TRUE(is_retriable(make_kafka_error(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT)));
    EXPECT_TRUE(is_retriable(make_kafka_error(RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION)));
    EXPECT_FALSE(is_retriable(make_kafka_error(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED)));
    EXPECT_FALSE(is_retriable(make_kafka_error(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)));
}

TEST(KafkaError, IgnoresCodesOfOtherCategories) {
    // The same number in another category is not a Kafka error.
    EXPECT_FALSE(is_retriable(std::error_code(RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, std::generic_category())));
    EXPECT_FALSE(is_queue_full(std::error_code(RD_KAFKA_RESP_ERR__QUEUE_FULL, std::generic_category())));
    const std::error_code other = std::make_error_code(std::errc::timed_out);
    EXPECT_EQ(error_name(other), other.message());
}

TEST(KafkaError, RecognisesAFullQueue) {
    EXPECT_TRUE(is_queue_full(make_kafka_error(RD_KAFKA_RESP_ERR__QUEUE_FULL)));
    EXPECT_FALSE(is_queue_full(make_kafka_error(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT)));
}

TEST(KafkaException, CarriesItsCodeAndMessage) {
    const KafkaException e(make_kafka_error(RD_KAFKA_RESP_ERR__INVALID_ARG), "linger.ms: bad value");
    EXPECT_STREQ(e.what(), "linger.ms: bad value");
    EXPECT_EQ(e.code(), make_kafka_error(RD_KAFKA_RESP_ERR__INVALID_ARG));
    EXPECT_FALSE(KafkaException("no code").code());
}

}  // namespace
}  // namespace streamstore::messaging
