// The tools' flags (tools/verify verify_command.hpp, tools/dlq commands.hpp, tools/common
// options.hpp): defaults, environment variables, and one-line errors with exit code 2.

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../flags_testing.hpp"
#include "commands.hpp"
#include "streamstore/runtime/options.hpp"
#include "verify_command.hpp"

namespace streamstore {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

using testing::ParseOutcome;
using testing::parse_args;

// Every test starts without STREAMSTORE_* variables and leaves the environment as it found it.
using ToolFlags = testing::FlagsTest;

struct Verify {
    CLI::App app{"test", "streamstore-verify"};
    verify::Options options;
    Verify() { verify::add_options(app, options); }
};

TEST_F(ToolFlags, VerifyDefaults) {
    Verify v;
    ASSERT_EQ(parse_args(v.app, {}).exit_code, std::nullopt);
    const verify::Settings s = v.options.settings();
    EXPECT_EQ(s.expectation, verify::Expectation::exactly_once);
    EXPECT_EQ(s.expected_orders, std::nullopt);
    EXPECT_TRUE(s.check_notifications);
    EXPECT_EQ(s.topics.orders, "orders");
    EXPECT_EQ(s.topics.payments, "payments");
    EXPECT_EQ(s.topics.notifications, "notifications");
    EXPECT_EQ(s.topics.dead_letters, "orders.dlq");
    EXPECT_EQ(v.options.common.bootstrap_servers, "localhost:9092");
    EXPECT_EQ(v.options.common.timeout, 60s);
    EXPECT_EQ(v.options.common.log_level, "warn");
    EXPECT_EQ(v.options.json_file, "");
}

TEST_F(ToolFlags, VerifyEveryFlag) {
    Verify v;
    ASSERT_EQ(parse_args(v.app, {"-b", "k:1", "-X", "security.protocol=plaintext", "--expect", "at-least-once",
                                 "--expect-orders", "1000", "--no-notifications", "--orders-topic", "o",
                                 "--payments-topic", "p", "--notifications-topic", "n", "--json", "r.json",
                                 "--timeout", "5s"})
                  .exit_code,
              std::nullopt);
    const verify::Settings s = v.options.settings();
    EXPECT_EQ(s.expectation, verify::Expectation::at_least_once);
    EXPECT_EQ(s.expected_orders, 1000u);
    EXPECT_FALSE(s.check_notifications);
    EXPECT_EQ(s.topics.orders, "o");
    EXPECT_EQ(s.topics.payments, "p");
    EXPECT_EQ(s.topics.notifications, "n");
    EXPECT_EQ(s.topics.dead_letters, "o.dlq");  // follows --orders-topic
    EXPECT_EQ(v.options.json_file, "r.json");
    EXPECT_EQ(v.options.common.timeout, 5s);
    const auto client = v.options.common.client_config("streamstore-verify");
    EXPECT_EQ(client.bootstrap_servers, "k:1");
    EXPECT_EQ(client.client_id, "streamstore-verify");
    EXPECT_THAT(client.properties, ElementsAre(messaging::Property{"security.protocol", "plaintext"}));
}

TEST_F(ToolFlags, VerifyDlqTopicCanBeNamed) {
    Verify v;
    ASSERT_EQ(parse_args(v.app, {"--orders-topic", "o", "--dlq-topic", "dead"}).exit_code, std::nullopt);
    EXPECT_EQ(v.options.settings().topics.dead_letters, "dead");
}

TEST_F(ToolFlags, VerifyReadsTheEnvironment) {
    set_env("STREAMSTORE_EXPECT", "at-least-once");
    set_env("STREAMSTORE_BOOTSTRAP_SERVERS", "env:9092");
    set_env("STREAMSTORE_TIMEOUT", "2m");
    Verify v;
    ASSERT_EQ(parse_args(v.app, {}).exit_code, std::nullopt);
    EXPECT_EQ(v.options.expectation, verify::Expectation::at_least_once);
    EXPECT_EQ(v.options.common.bootstrap_servers, "env:9092");
    EXPECT_EQ(v.options.common.timeout, 2min);
}

TEST_F(ToolFlags, VerifyBadFlagsGiveOneLineAndExitTwo) {
    const std::vector<std::vector<std::string>> bad = {
        {"--expect", "twice"}, {"--expect-orders", "-1"}, {"--expect-orders", "x"},
        {"-X", "novalue"},     {"--timeout", "5"},        {"--log-level", "loud"},
        {"--unknown"}};
    for (const auto& args : bad) {
        Verify v;
        const ParseOutcome outcome = parse_args(v.app, args);
        EXPECT_EQ(outcome.exit_code, runtime::kExitUsage) << args.front();
        EXPECT_THAT(outcome.err, StartsWith("streamstore-verify: ")) << args.front();
        EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1) << outcome.err;
    }
}

struct Dlq {
    CLI::App app{"test", "streamstore-dlq"};
    dlq::Options options;
    dlq::Commands commands;
    Dlq() : commands(dlq::add_options(app, options)) {}
};

TEST_F(ToolFlags, DlqListFlags) {
    Dlq d;
    ASSERT_EQ(parse_args(d.app, {"list", "--limit", "5", "--json", "-b", "after:1"}).exit_code, std::nullopt);
    EXPECT_TRUE(d.commands.list->parsed());
    EXPECT_FALSE(d.commands.replay->parsed());
    EXPECT_EQ(d.options.topic, "orders.dlq");
    EXPECT_EQ(d.options.limit, 5u);
    EXPECT_TRUE(d.options.json);
    EXPECT_EQ(d.options.common.bootstrap_servers, "after:1");  // shared flags after the subcommand
}

TEST_F(ToolFlags, DlqReplayFlags) {
    Dlq d;
    ASSERT_EQ(parse_args(d.app, {"-b", "k:1", "replay", "--topic", "x.dlq", "--error-class", "malformed_json,invalid_value",
                                 "--error-class", "missing_field", "--offsets", "0:12,2:7", "--to", "retry",
                                 "--dry-run"})
                  .exit_code,
              std::nullopt);
    EXPECT_TRUE(d.commands.replay->parsed());
    EXPECT_EQ(d.options.topic, "x.dlq");
    EXPECT_THAT(d.options.selection.error_classes, ElementsAre("malformed_json", "invalid_value", "missing_field"));
    EXPECT_THAT(d.options.selection.positions, ElementsAre(tools::Position{0, 12}, tools::Position{2, 7}));
    EXPECT_EQ(d.options.to, "retry");
    EXPECT_TRUE(d.options.dry_run);
}

TEST_F(ToolFlags, DlqNeedsOneCommandAndValidOffsets) {
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {}, {"purge"}, {"replay", "--offsets", "0-12"}, {"list", "--limit", "-3"}}) {
        Dlq d;
        const ParseOutcome outcome = parse_args(d.app, args);
        EXPECT_EQ(outcome.exit_code, runtime::kExitUsage);
        EXPECT_THAT(outcome.err, StartsWith("streamstore-dlq: "));
    }
    Dlq d;
    EXPECT_THAT(parse_args(d.app, {"replay", "--offsets", "0:1,x"}).err,
                HasSubstr("'x' is not PARTITION:OFFSET (e.g. 0:42)"));
}

}  // namespace
}  // namespace streamstore
