// Command-line flags and their environment variables, as each service parses them
// (libs/runtime options.hpp and services/*/src/options.hpp).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "flags_testing.hpp"
#include "streamstore/runtime/options.hpp"

// The three services' option headers declare the same names in different namespaces.
#include "../../services/notification-service/src/options.hpp"
#include "../../services/order-generator/src/options.hpp"
#include "../../services/payment-service/src/options.hpp"

namespace streamstore {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::StartsWith;

using testing::expect_usage_error;
using testing::FlagsTest;
using testing::ParseOutcome;
using testing::parse_args;

// ---------------------------------------------------------------------------------------------
// Shared helpers

TEST(EnvName, UpperCasesAndReplacesDashes) {
    EXPECT_EQ(runtime::env_name("bootstrap-server"), "STREAMSTORE_BOOTSTRAP_SERVER");
    EXPECT_EQ(runtime::env_name("count"), "STREAMSTORE_COUNT");
    EXPECT_EQ(runtime::env_name("shutdown-timeout"), "STREAMSTORE_SHUTDOWN_TIMEOUT");
}

TEST(CommonOptions, BuildTheClientConfig) {
    runtime::CommonOptions options;
    options.bootstrap_servers = "a:1,b:2";
    options.kafka_properties = {"linger.ms=10", "sasl.jaas.config=x=y"};
    const messaging::ClientConfig config = options.client_config("svc");
    EXPECT_EQ(config.bootstrap_servers, "a:1,b:2");
    EXPECT_EQ(config.client_id, "svc");
    EXPECT_EQ(config.properties,
              (std::vector<messaging::Property>{{"linger.ms", "10"}, {"sasl.jaas.config", "x=y"}}));
}

// ---------------------------------------------------------------------------------------------
// Common flags (through order-generator)

class OrderGeneratorFlags : public FlagsTest {
protected:
    CLI::App app{"Sends orders", "order-generator"};
    order_generator::Options options;
    void SetUp() override {
        FlagsTest::SetUp();
        order_generator::add_options(app, options);
    }
};

TEST_F(OrderGeneratorFlags, DefaultsWithoutFlags) {
    const ParseOutcome outcome = parse_args(app, {});
    EXPECT_EQ(outcome.exit_code, std::nullopt) << outcome.err;
    EXPECT_EQ(outcome.err, "");
    EXPECT_EQ(options.count, 0U);
    EXPECT_EQ(options.interval, 500ms);
    EXPECT_EQ(options.topic, "orders");
    EXPECT_EQ(options.seed, std::nullopt);
    EXPECT_EQ(options.compression, "lz4");
    EXPECT_EQ(options.common.bootstrap_servers, "localhost:9092");
    EXPECT_TRUE(options.common.kafka_properties.empty());
    EXPECT_EQ(options.common.log_level, "info");
    EXPECT_EQ(options.common.startup_timeout, 30s);
    EXPECT_EQ(options.common.shutdown_timeout, 10s);
    EXPECT_EQ(options.common.partitions, 3);
    EXPECT_EQ(options.common.replication_factor, 1);
    EXPECT_EQ(options.common.io_threads, 1);
}

TEST_F(OrderGeneratorFlags, ParsesFlagsIntoOptionsAndGeneratorConfig) {
    const ParseOutcome outcome = parse_args(
        app, {"--count", "1000", "--interval", "250ms", "-b", "host:1234", "-X", "linger.ms=10", "--seed", "42"});
    ASSERT_EQ(outcome.exit_code, std::nullopt) << outcome.err;
    EXPECT_EQ(options.count, 1000U);
    EXPECT_EQ(options.interval, 250ms);
    EXPECT_EQ(options.common.bootstrap_servers, "host:1234");
    EXPECT_EQ(options.common.kafka_properties, std::vector<std::string>{"linger.ms=10"});
    EXPECT_EQ(options.seed, 42U);

    const order_generator::GeneratorConfig config = options.generator_config();
    EXPECT_EQ(config.count, 1000U);
    EXPECT_EQ(config.interval, 250ms);
    EXPECT_EQ(config.seed, 42U);
    EXPECT_EQ(config.producer.client.bootstrap_servers, "host:1234");
    EXPECT_EQ(config.producer.client.client_id, "order-generator");
    EXPECT_EQ(config.producer.client.properties, (std::vector<messaging::Property>{{"linger.ms", "10"}}));
    EXPECT_EQ(config.producer.compression, "lz4");
    EXPECT_EQ(config.topic.name, "orders");
    EXPECT_EQ(config.topic.partitions, 3);
    EXPECT_EQ(config.topic.replication_factor, 1);
    EXPECT_EQ(config.startup_timeout, 30s);
    EXPECT_EQ(config.flush_timeout, 10s);
}

TEST_F(OrderGeneratorFlags, ParsesShortFlagsAndCommonOptions) {
    const ParseOutcome outcome =
        parse_args(app, {"-n", "5", "-i", "2s", "-t", "orders-test", "--compression", "zstd", "--log-level",
                         "debug", "--startup-timeout", "1m", "--shutdown-timeout", "1.5s", "--partitions", "6",
                         "--replication-factor", "3", "--io-threads", "2", "-X", "acks=1", "-X", "debug=broker"});
    ASSERT_EQ(outcome.exit_code, std::nullopt) << outcome.err;
    EXPECT_EQ(options.count, 5U);
    EXPECT_EQ(options.interval, 2s);
    EXPECT_EQ(options.topic, "orders-test");
    EXPECT_EQ(options.compression, "zstd");
    EXPECT_EQ(options.common.log_level, "debug");
    EXPECT_EQ(options.common.startup_timeout, 1min);
    EXPECT_EQ(options.common.shutdown_timeout, 1500ms);
    EXPECT_EQ(options.common.partitions, 6);
    EXPECT_EQ(options.common.replication_factor, 3);
    EXPECT_EQ(options.common.io_threads, 2);
    EXPECT_EQ(options.common.kafka_properties, (std::vector<std::string>{"acks=1", "debug=broker"}));

    const order_generator::GeneratorConfig config = options.generator_config();
    EXPECT_EQ(config.topic.name, "orders-test");
    EXPECT_EQ(config.topic.partitions, 6);
    EXPECT_EQ(config.topic.replication_factor, 3);
    EXPECT_EQ(config.producer.compression, "zstd");
    EXPECT_EQ(config.startup_timeout, 1min);
    EXPECT_EQ(config.flush_timeout, 1500ms);
}

TEST_F(OrderGeneratorFlags, AcceptsZeroInterval) {
    ASSERT_EQ(parse_args(app, {"--interval", "0"}).exit_code, std::nullopt);
    EXPECT_EQ(options.interval, 0ms);
}

TEST_F(OrderGeneratorFlags, RejectsABadIntervalNamingTheFlag) {
    const ParseOutcome outcome = parse_args(app, {"--interval", "abc"});
    expect_usage_error(outcome, "order-generator", "--interval");
    EXPECT_THAT(outcome.err, HasSubstr("abc"));
    EXPECT_EQ(options.interval, 500ms) << "a rejected value must not be applied";
}

TEST_F(OrderGeneratorFlags, RejectsAnIntervalWithoutUnitNamingTheFlag) {
    expect_usage_error(parse_args(app, {"-i", "5"}), "order-generator", "--interval");
}

TEST_F(OrderGeneratorFlags, RejectsANegativeCountNamingTheFlag) {
    expect_usage_error(parse_args(app, {"--count", "-1"}), "order-generator", "--count");
    EXPECT_EQ(options.count, 0U) << "-1 was taken as " << options.count;
}

TEST_F(OrderGeneratorFlags, RejectsANonNumericCountNamingTheFlag) {
    expect_usage_error(parse_args(app, {"--count", "many"}), "order-generator", "--count");
}

TEST_F(OrderGeneratorFlags, RejectsAnUnknownCompressionNamingTheFlag) {
    const ParseOutcome outcome = parse_args(app, {"--compression", "brotli"});
    expect_usage_error(outcome, "order-generator", "--compression");
    EXPECT_THAT(outcome.err, HasSubstr("brotli"));
}

TEST_F(OrderGeneratorFlags, RejectsAPropertyWithoutValueNamingTheFlag) {
    const ParseOutcome outcome = parse_args(app, {"-X", "novalue"});
    expect_usage_error(outcome, "order-generator", "-X");
    EXPECT_THAT(outcome.err, HasSubstr("'novalue' is not key=value"));
}

TEST_F(OrderGeneratorFlags, RejectsAnUnknownLogLevelNamingTheFlag) {
    expect_usage_error(parse_args(app, {"--log-level", "verbose"}), "order-generator", "--log-level");
}

TEST_F(OrderGeneratorFlags, RejectsZeroPartitionsNamingTheFlag) {
    expect_usage_error(parse_args(app, {"--partitions", "0"}), "order-generator", "--partitions");
}

TEST_F(OrderGeneratorFlags, RejectsABadShutdownTimeoutNamingTheFlag) {
    expect_usage_error(parse_args(app, {"--shutdown-timeout", "-1s"}), "order-generator", "--shutdown-timeout");
}

TEST_F(OrderGeneratorFlags, RejectsAnUnknownFlag) {
    const ParseOutcome outcome = parse_args(app, {"--no-such-flag"});
    expect_usage_error(outcome, "order-generator", "--no-such-flag");
}

TEST_F(OrderGeneratorFlags, HelpExitsWithZeroAndNamesTheEnvironmentVariables) {
    ::testing::internal::CaptureStdout();
    const ParseOutcome outcome = parse_args(app, {"--help"});
    const std::string out = ::testing::internal::GetCapturedStdout();
    EXPECT_EQ(outcome.exit_code, runtime::kExitOk);
    EXPECT_THAT(out, HasSubstr("STREAMSTORE_BOOTSTRAP_SERVERS"));
    EXPECT_THAT(out, HasSubstr("STREAMSTORE_COUNT"));
    EXPECT_THAT(out, HasSubstr("STREAMSTORE_INTERVAL"));
}

TEST_F(OrderGeneratorFlags, FallsBackToTheEnvironment) {
    set_env("STREAMSTORE_COUNT", "7");
    set_env("STREAMSTORE_INTERVAL", "2s");
    set_env("STREAMSTORE_BOOTSTRAP_SERVERS", "broker:29092");
    set_env("STREAMSTORE_SEED", "9");
    const ParseOutcome outcome = parse_args(app, {});
    ASSERT_EQ(outcome.exit_code, std::nullopt) << outcome.err;
    EXPECT_EQ(options.count, 7U);
    EXPECT_EQ(options.interval, 2s);
    EXPECT_EQ(options.common.bootstrap_servers, "broker:29092");
    EXPECT_EQ(options.seed, 9U);
}

TEST_F(OrderGeneratorFlags, FlagBeatsTheEnvironment) {
    set_env("STREAMSTORE_COUNT", "7");
    set_env("STREAMSTORE_INTERVAL", "2s");
    const ParseOutcome outcome = parse_args(app, {"--count", "3", "--interval", "100ms"});
    ASSERT_EQ(outcome.exit_code, std::nullopt) << outcome.err;
    EXPECT_EQ(options.count, 3U);
    EXPECT_EQ(options.interval, 100ms);
}

TEST_F(OrderGeneratorFlags, ReadsOnePropertyPerLineFromTheEnvironment) {
    set_env("STREAMSTORE_KAFKA_PROPERTIES", "linger.ms=10\nacks=all");
    const ParseOutcome outcome = parse_args(app, {});
    ASSERT_EQ(outcome.exit_code, std::nullopt) << outcome.err;
    EXPECT_EQ(options.common.kafka_properties, (std::vector<std::string>{"linger.ms=10", "acks=all"}));
}

TEST_F(OrderGeneratorFlags, RejectsABadEnvironmentValueNamingTheFlag) {
    set_env("STREAMSTORE_INTERVAL", "soon");
    const ParseOutcome outcome = parse_args(app, {});
    expect_usage_error(outcome, "order-generator", "--interval");
    EXPECT_THAT(outcome.err, HasSubstr("soon"));
}

// ---------------------------------------------------------------------------------------------
// payment-service

class PaymentServiceFlags : public FlagsTest {
protected:
    CLI::App app{"Charges orders", "payment-service"};
    payment::Options options;
    void SetUp() override {
        FlagsTest::SetUp();
        payment::add_options(app, options);
    }
};

TEST_F(PaymentServiceFlags, DefaultsToTheDocumentedRules) {
    ASSERT_EQ(parse_args(app, {}).exit_code, std::nullopt);
    const payment::PaymentServiceConfig config = options.service_config();
    EXPECT_EQ(config.rules.max_amount_cents, 50'000);
    EXPECT_EQ(config.rules.max_quantity, 100);
    EXPECT_EQ(config.rules.decline_rate, 0.0);
    EXPECT_EQ(config.processor.group_id, "payment-service");
    EXPECT_EQ(config.processor.input_topics, std::vector<std::string>{"orders"});
    EXPECT_EQ(config.payments_topic, "payments");
    EXPECT_EQ(config.processor.compression, "lz4");
    EXPECT_EQ(config.processor.guarantee, messaging::ProcessingGuarantee::exactly_once);
    EXPECT_EQ(config.processor.commit_interval, 100ms);
    EXPECT_EQ(config.processor.transactional_id, runtime::default_transactional_id("payment-service"));
    EXPECT_THAT(config.processor.transactional_id, ::testing::StartsWith("payment-service-"));
}

TEST_F(PaymentServiceFlags, ParsesTheProcessingGuaranteeAndCommitInterval) {
    const ParseOutcome outcome = parse_args(app, {"--processing-guarantee", "at-least-once", "--commit-interval",
                                                  "1s", "--transactional-id", "pay-7"});
    ASSERT_EQ(outcome.exit_code, std::nullopt) << outcome.err;
    const payment::PaymentServiceConfig config = options.service_config();
    EXPECT_EQ(config.processor.guarantee, messaging::ProcessingGuarantee::at_least_once);
    EXPECT_EQ(config.processor.commit_interval, 1000ms);
    EXPECT_EQ(config.processor.transactional_id, "pay-7");
}

TEST_F(PaymentServiceFlags, RejectsAnUnknownProcessingGuaranteeNamingTheFlag) {
    expect_usage_error(parse_args(app, {"--processing-guarantee", "at-most-once"}), "payment-service",
                       "--processing-guarantee");
}

TEST_F(PaymentServiceFlags, RejectsAZeroCommitIntervalNamingTheFlag) {
    expect_usage_error(parse_args(app, {"--commit-interval", "0"}), "payment-service", "--commit-interval");
}

TEST_F(PaymentServiceFlags, ParsesMaxAmountIntoCents) {
    const ParseOutcome outcome = parse_args(app, {"--max-amount", "12.50"});
    ASSERT_EQ(outcome.exit_code, std::nullopt) << outcome.err;
    EXPECT_EQ(options.service_config().rules.max_amount_cents, 1250);
}

TEST_F(PaymentServiceFlags, ParsesRulesAndTopics) {
    const ParseOutcome outcome =
        parse_args(app, {"--max-quantity", "20", "--decline-rate", "0.25", "--seed", "77", "--orders-topic", "o",
                         "--payments-topic", "p", "-g", "pay-2", "-b", "k:9"});
    ASSERT_EQ(outcome.exit_code, std::nullopt) << outcome.err;
    const payment::PaymentServiceConfig config = options.service_config();
    EXPECT_EQ(config.rules.max_quantity, 20);
    EXPECT_EQ(config.rules.decline_rate, 0.25);
    EXPECT_EQ(config.rules.seed, 77U);
    EXPECT_EQ(config.processor.input_topics, std::vector<std::string>{"o"});
    EXPECT_EQ(config.processor.group_id, "pay-2");
    EXPECT_EQ(config.processor.client.bootstrap_servers, "k:9");
    EXPECT_EQ(config.processor.client.client_id, "payment-service");
    EXPECT_EQ(config.payments_topic, "p");
    EXPECT_EQ(config.processor.transactional_id, runtime::default_transactional_id("pay-2"));
}

TEST_F(PaymentServiceFlags, RejectsADeclineRateAboveOneNamingTheFlag) {
    expect_usage_error(parse_args(app, {"--decline-rate", "1.5"}), "payment-service", "--decline-rate");
}

TEST_F(PaymentServiceFlags, RejectsAMaxAmountWithThreeDecimalsNamingTheFlag) {
    const ParseOutcome outcome = parse_args(app, {"--max-amount", "5.123"});
    expect_usage_error(outcome, "payment-service", "--max-amount");
    EXPECT_THAT(outcome.err, HasSubstr("5.123"));
}

TEST_F(PaymentServiceFlags, RejectsANegativeMaxAmountNamingTheFlag) {
    const ParseOutcome outcome = parse_args(app, {"--max-amount", "-1"});
    expect_usage_error(outcome, "payment-service", "--max-amount");
    if (!outcome.exit_code) {
        ADD_FAILURE() << "accepted: max_amount_cents = " << options.service_config().rules.max_amount_cents;
    }
}

TEST_F(PaymentServiceFlags, RejectsAZeroMaxQuantityNamingTheFlag) {
    expect_usage_error(parse_args(app, {"--max-quantity", "0"}), "payment-service", "--max-quantity");
}

TEST_F(PaymentServiceFlags, ReadsMaxAmountFromTheEnvironment) {
    set_env("STREAMSTORE_MAX_AMOUNT", "99.99");
    ASSERT_EQ(parse_args(app, {}).exit_code, std::nullopt);
    EXPECT_EQ(options.service_config().rules.max_amount_cents, 9999);
}

// ---------------------------------------------------------------------------------------------
// notification-service

class NotificationServiceFlags : public FlagsTest {
protected:
    CLI::App app{"Notifies customers", "notification-service"};
    notification::Options options;
    void SetUp() override {
        FlagsTest::SetUp();
        notification::add_options(app, options);
    }
};

TEST_F(NotificationServiceFlags, DefaultsToTextOutput) {
    ASSERT_EQ(parse_args(app, {}).exit_code, std::nullopt);
    EXPECT_EQ(options.service_config().output, notification::OutputFormat::text);
    EXPECT_EQ(options.service_config().processor.group_id, "notification-service");
    EXPECT_EQ(options.service_config().notifications_topic, "notifications");
    EXPECT_EQ(options.service_config().processor.guarantee, messaging::ProcessingGuarantee::exactly_once);
}

TEST_F(NotificationServiceFlags, AcceptsJsonOutput) {
    const ParseOutcome outcome = parse_args(app, {"--output", "json"});
    ASSERT_EQ(outcome.exit_code, std::nullopt) << outcome.err;
    EXPECT_EQ(options.output, "json");
    EXPECT_EQ(options.service_config().output, notification::OutputFormat::json);
}

TEST_F(NotificationServiceFlags, RejectsXmlOutputNamingTheFlag) {
    const ParseOutcome outcome = parse_args(app, {"-o", "xml"});
    expect_usage_error(outcome, "notification-service", "--output");
    EXPECT_THAT(outcome.err, HasSubstr("xml"));
}

TEST_F(NotificationServiceFlags, ReadsTopicsAndGroupFromFlags) {
    const ParseOutcome outcome =
        parse_args(app, {"--orders-topic", "o", "--payments-topic", "p", "--group-id", "n-2"});
    ASSERT_EQ(outcome.exit_code, std::nullopt) << outcome.err;
    const notification::NotificationServiceConfig config = options.service_config();
    EXPECT_EQ(config.orders_topic, "o");
    EXPECT_EQ(config.payments_topic, "p");
    EXPECT_EQ(config.processor.group_id, "n-2");
    EXPECT_EQ(config.processor.client.client_id, "notification-service");
}

TEST_F(NotificationServiceFlags, ReadsOutputFromTheEnvironment) {
    set_env("STREAMSTORE_OUTPUT", "json");
    ASSERT_EQ(parse_args(app, {}).exit_code, std::nullopt);
    EXPECT_EQ(options.service_config().output, notification::OutputFormat::json);
}

// ---------------------------------------------------------------------------------------------
// -F/--config-file and --log-format (every binary, through payment-service)

// A file under the test's temporary directory, removed with the fixture.
class ConfigFileFlags : public PaymentServiceFlags {
protected:
    std::string write_file(const std::string& name, const std::string& text) {
        const std::string path = ::testing::TempDir() + name;
        std::ofstream(path) << text;
        files_.push_back(path);
        return path;
    }
    void TearDown() override {
        for (const auto& path : files_) std::remove(path.c_str());
        PaymentServiceFlags::TearDown();
    }

private:
    std::vector<std::string> files_;
};

TEST_F(ConfigFileFlags, ReadsKeyValueLinesSkippingCommentsAndBlanks) {
    const std::string path = write_file("client.properties",
                                        "# SASL_SSL with SCRAM\n\n security.protocol = SASL_SSL\n"
                                        "sasl.mechanisms=SCRAM-SHA-512\r\nsasl.jaas.config=a=b\n");
    const ParseOutcome outcome = parse_args(app, {"-F", path});
    ASSERT_EQ(outcome.exit_code, std::nullopt) << outcome.err;
    EXPECT_EQ(options.common.file_properties,
              (std::vector<std::string>{"security.protocol=SASL_SSL", "sasl.mechanisms=SCRAM-SHA-512",
                                        "sasl.jaas.config=a=b"}));
}

TEST_F(ConfigFileFlags, CommandLinePropertiesWinOverTheFile) {
    const std::string path = write_file("linger.properties", "linger.ms=50\nacks=1\n");
    ASSERT_EQ(parse_args(app, {"-X", "linger.ms=1", "--config-file", path}).exit_code, std::nullopt);
    const auto properties = options.service_config().processor.client.properties;
    const auto first = std::find(properties.begin(), properties.end(), messaging::Property{"linger.ms", "50"});
    const auto second = std::find(properties.begin(), properties.end(), messaging::Property{"linger.ms", "1"});
    ASSERT_NE(first, properties.end());
    ASSERT_NE(second, properties.end());
    EXPECT_LT(first, second) << "librdkafka applies properties in order: -X must come last";
}

TEST_F(ConfigFileFlags, ReadsTheFileNamedInTheEnvironment) {
    set_env("STREAMSTORE_CONFIG_FILE", write_file("env.properties", "client.rack=r1\n"));
    ASSERT_EQ(parse_args(app, {}).exit_code, std::nullopt);
    EXPECT_EQ(options.common.file_properties, std::vector<std::string>{"client.rack=r1"});
}

TEST_F(ConfigFileFlags, RejectsAMissingFileNamingTheFlag) {
    const ParseOutcome outcome = parse_args(app, {"-F", "/nonexistent/client.properties"});
    expect_usage_error(outcome, "payment-service", "--config-file");
    EXPECT_THAT(outcome.err, HasSubstr("/nonexistent/client.properties"));
}

TEST_F(ConfigFileFlags, RejectsALineWithoutValueNamingTheFileAndLine) {
    const std::string path = write_file("bad.properties", "acks=all\nsasl.password\n");
    const ParseOutcome outcome = parse_args(app, {"-F", path});
    expect_usage_error(outcome, "payment-service", "--config-file");
    EXPECT_THAT(outcome.err, HasSubstr(path + ":2: not key=value"));
}

TEST_F(ConfigFileFlags, NeverEchoesAPropertyValueInAnError) {
    const std::string path = write_file("secret.properties", "sasl.password=hunter2\n=oops\n");
    const ParseOutcome outcome = parse_args(app, {"-F", path});
    ASSERT_EQ(outcome.exit_code, runtime::kExitUsage);
    EXPECT_THAT(outcome.err, ::testing::Not(HasSubstr("hunter2")));
}

TEST_F(PaymentServiceFlags, ParsesTheLogFormat) {
    ASSERT_EQ(parse_args(app, {"--log-format", "json"}).exit_code, std::nullopt);
    EXPECT_EQ(options.common.log_format, "json");
}

TEST_F(PaymentServiceFlags, RejectsAnUnknownLogFormatNamingTheFlag) {
    expect_usage_error(parse_args(app, {"--log-format", "xml"}), "payment-service", "--log-format");
}

}  // namespace
}  // namespace streamstore
