// order-generator's pacing flags (--rate, --interval, --burst, --duration) and --summary-format,
// and the schedule they make (services/order-generator options.hpp, pacing.hpp). The flags
// common to every service are tested in options_test.cpp.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../../services/order-generator/src/options.hpp"
#include "../../services/order-generator/src/pacing.hpp"
#include "flags_testing.hpp"
#include "streamstore/runtime/options.hpp"

namespace streamstore::order_generator {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::StartsWith;

using streamstore::testing::ParseOutcome;

// Parses `args` (without the program name) as order-generator would, without STREAMSTORE_*
// variables from the caller's environment (restored afterwards).
class OrderGeneratorOptions : public streamstore::testing::FlagsTest {
protected:
    void SetUp() override {
        FlagsTest::SetUp();
        add_options(app, options);
    }

    ParseOutcome parse(std::vector<std::string> args) { return streamstore::testing::parse_args(app, std::move(args)); }

    // One line, "order-generator: ... <flag> ... (see --help)", exit code 2.
    static void expect_usage_error(const ParseOutcome& outcome, const std::string& flag) {
        streamstore::testing::expect_usage_error(outcome, "order-generator", flag);
    }

    CLI::App app{"Sends orders", "order-generator"};
    Options options;
};

TEST_F(OrderGeneratorOptions, DefaultsToOneOrderEvery500MsWithoutLimitAndATextSummary) {
    ASSERT_EQ(parse({}).exit_code, std::nullopt);
    EXPECT_EQ(options.rate, std::nullopt);
    EXPECT_EQ(options.burst, 1U);
    EXPECT_EQ(options.duration, 0ms);
    EXPECT_EQ(options.summary_format, "text");
    const GeneratorConfig config = options.generator_config();
    EXPECT_EQ(config.duration, 0ms);
    EXPECT_EQ(config.summary_format, SummaryFormat::text);
    const Pacing pacing = config.pacing();
    EXPECT_TRUE(pacing.paced());
    EXPECT_EQ(pacing.burst(), 1U);
    EXPECT_EQ(pacing.offset_of(1), 500ms);
    EXPECT_EQ(pacing.rate(), 2.0);
}

TEST_F(OrderGeneratorOptions, ParsesRateBurstDurationAndSummaryFormat) {
    const ParseOutcome outcome =
        parse({"--rate", "2000", "--burst", "10", "--duration", "30s", "--count", "20000", "--summary-format", "json"});
    ASSERT_EQ(outcome.exit_code, std::nullopt) << outcome.err;
    EXPECT_EQ(options.rate, 2000.0);
    EXPECT_EQ(options.burst, 10U);
    EXPECT_EQ(options.duration, 30s);
    const GeneratorConfig config = options.generator_config();
    EXPECT_EQ(config.count, 20'000U);
    EXPECT_EQ(config.duration, 30s);
    EXPECT_EQ(config.summary_format, SummaryFormat::json);
    const Pacing pacing = config.pacing();
    EXPECT_EQ(pacing.burst(), 10U);
    EXPECT_EQ(pacing.rate(), 2000.0);
    EXPECT_EQ(pacing.offset_of(1), 5ms) << "10 orders every 5 ms is 2,000 orders/s";
}

TEST_F(OrderGeneratorOptions, AcceptsAFractionalRate) {
    ASSERT_EQ(parse({"--rate", "0.5"}).exit_code, std::nullopt);
    EXPECT_EQ(options.generator_config().pacing().offset_of(1), 2s);
}

TEST_F(OrderGeneratorOptions, BurstWithIntervalSendsThatManyPerInterval) {
    ASSERT_EQ(parse({"--interval", "1s", "--burst", "50"}).exit_code, std::nullopt);
    const Pacing pacing = options.generator_config().pacing();
    EXPECT_EQ(pacing.offset_of(1), 1s);
    EXPECT_EQ(pacing.burst(), 50U);
    EXPECT_EQ(pacing.rate(), 50.0);
}

TEST_F(OrderGeneratorOptions, RateAndIntervalAreMutuallyExclusive) {
    const ParseOutcome outcome = parse({"--rate", "100", "--interval", "10ms"});
    expect_usage_error(outcome, "--rate");
    EXPECT_THAT(outcome.err, HasSubstr("--interval"));
    EXPECT_THAT(outcome.err, HasSubstr("excludes"));
}

TEST_F(OrderGeneratorOptions, RateFlagAndIntervalFromTheEnvironmentAreExclusiveToo) {
    set_env("STREAMSTORE_INTERVAL", "1s");
    const ParseOutcome outcome = parse({"--rate", "100"});
    expect_usage_error(outcome, "--rate");
    EXPECT_THAT(outcome.err, HasSubstr("--interval"));
}

TEST_F(OrderGeneratorOptions, RejectsAZeroRateNamingTheFlag) {
    const ParseOutcome outcome = parse({"--rate", "0"});
    expect_usage_error(outcome, "--rate");
    EXPECT_THAT(outcome.err, HasSubstr("'0'"));
}

TEST_F(OrderGeneratorOptions, RejectsANegativeRateNamingTheFlag) {
    expect_usage_error(parse({"--rate", "-5"}), "--rate");
    EXPECT_EQ(options.rate, std::nullopt) << "a rejected value must not be applied";
}

TEST_F(OrderGeneratorOptions, RejectsANonNumericRateNamingTheFlag) {
    const ParseOutcome outcome = parse({"--rate", "fast"});
    expect_usage_error(outcome, "--rate");
    EXPECT_THAT(outcome.err, HasSubstr("fast"));
}

TEST_F(OrderGeneratorOptions, RejectsAnInfiniteRateNamingTheFlag) {
    expect_usage_error(parse({"--rate", "inf"}), "--rate");
}

TEST_F(OrderGeneratorOptions, RejectsANanRateNamingTheFlag) {
    expect_usage_error(parse({"--rate", "nan"}), "--rate");
}

TEST_F(OrderGeneratorOptions, RejectsAZeroBurstNamingTheFlag) {
    expect_usage_error(parse({"--burst", "0"}), "--burst");
}

TEST_F(OrderGeneratorOptions, RejectsANegativeBurstNamingTheFlag) {
    expect_usage_error(parse({"--burst", "-1"}), "--burst");
    EXPECT_EQ(options.burst, 1U);
}

TEST_F(OrderGeneratorOptions, RejectsANonNumericBurstNamingTheFlag) {
    expect_usage_error(parse({"--burst", "lots"}), "--burst");
}

TEST_F(OrderGeneratorOptions, RejectsADurationWithoutUnitNamingTheFlag) {
    const ParseOutcome outcome = parse({"--duration", "30"});
    expect_usage_error(outcome, "--duration");
    EXPECT_THAT(outcome.err, HasSubstr("'30'"));
}

TEST_F(OrderGeneratorOptions, RejectsANegativeDurationNamingTheFlag) {
    expect_usage_error(parse({"--duration", "-1s"}), "--duration");
    EXPECT_EQ(options.duration, 0ms);
}

TEST_F(OrderGeneratorOptions, AcceptsZeroDurationAsNoLimit) {
    ASSERT_EQ(parse({"--duration", "0"}).exit_code, std::nullopt);
    EXPECT_EQ(options.generator_config().duration, 0ms);
}

TEST_F(OrderGeneratorOptions, RejectsAnUnknownSummaryFormatNamingTheFlag) {
    const ParseOutcome outcome = parse({"--summary-format", "xml"});
    expect_usage_error(outcome, "--summary-format");
    EXPECT_THAT(outcome.err, HasSubstr("xml"));
}

TEST_F(OrderGeneratorOptions, ReadsTheNewFlagsFromTheEnvironment) {
    set_env("STREAMSTORE_RATE", "250");
    set_env("STREAMSTORE_BURST", "5");
    set_env("STREAMSTORE_DURATION", "1m");
    set_env("STREAMSTORE_SUMMARY_FORMAT", "json");
    const ParseOutcome outcome = parse({});
    ASSERT_EQ(outcome.exit_code, std::nullopt) << outcome.err;
    EXPECT_EQ(options.rate, 250.0);
    EXPECT_EQ(options.burst, 5U);
    EXPECT_EQ(options.duration, 1min);
    EXPECT_EQ(options.summary_format, "json");
}

TEST_F(OrderGeneratorOptions, FlagBeatsTheEnvironment) {
    set_env("STREAMSTORE_RATE", "250");
    set_env("STREAMSTORE_BURST", "5");
    const ParseOutcome outcome = parse({"--rate", "10", "--burst", "2"});
    ASSERT_EQ(outcome.exit_code, std::nullopt) << outcome.err;
    EXPECT_EQ(options.rate, 10.0);
    EXPECT_EQ(options.burst, 2U);
}

TEST_F(OrderGeneratorOptions, RejectsABadEnvironmentValueNamingTheFlag) {
    set_env("STREAMSTORE_RATE", "soon");
    const ParseOutcome outcome = parse({});
    expect_usage_error(outcome, "--rate");
    EXPECT_THAT(outcome.err, HasSubstr("soon"));
}

TEST_F(OrderGeneratorOptions, HelpNamesTheEnvironmentVariables) {
    ::testing::internal::CaptureStdout();
    const ParseOutcome outcome = parse({"--help"});
    const std::string out = ::testing::internal::GetCapturedStdout();
    EXPECT_EQ(outcome.exit_code, runtime::kExitOk);
    for (const char* env : {"STREAMSTORE_RATE", "STREAMSTORE_BURST", "STREAMSTORE_DURATION",
                            "STREAMSTORE_SUMMARY_FORMAT", "STREAMSTORE_INTERVAL", "STREAMSTORE_COUNT"}) {
        EXPECT_THAT(out, HasSubstr(env));
    }
}

// ---------------------------------------------------------------------------------------------
// Pacing

TEST(Pacing, ZeroIntervalIsUnpaced) {
    const Pacing pacing = Pacing::every(0ms, 10);
    EXPECT_FALSE(pacing.paced());
    EXPECT_EQ(pacing.rate(), std::nullopt);
    EXPECT_EQ(pacing.describe(), "as fast as possible");
}

TEST(Pacing, DeadlinesAreAbsoluteAndDoNotDrift) {
    // 3 orders/s: a tick every 333.33... ms, which no whole number of ns spells.
    const Pacing pacing = Pacing::at_rate(3.0);
    EXPECT_EQ(pacing.offset_of(0), 0ns);
    EXPECT_EQ(pacing.offset_of(1), 333'333'333ns);
    EXPECT_EQ(pacing.offset_of(3), 1s);
    EXPECT_EQ(pacing.offset_of(3'000'000), 1'000'000s) << "11 days in, still exact";
}

TEST(Pacing, BurstKeepsTheAverageRate) {
    const Pacing single = Pacing::at_rate(1000.0, 1);
    const Pacing bursts = Pacing::at_rate(1000.0, 100);
    EXPECT_EQ(single.offset_of(1), 1ms);
    EXPECT_EQ(bursts.offset_of(1), 100ms);
    EXPECT_EQ(single.rate(), bursts.rate());
}

TEST(Pacing, ABurstIsAtLeastOneOrder) {
    EXPECT_EQ(Pacing::every(1s, 0).burst(), 1U);
    EXPECT_EQ(Pacing::at_rate(5.0, 0).burst(), 1U);
}

TEST(Pacing, CountsTheTicksAndOrdersDueByATime) {
    const Pacing single = Pacing::at_rate(1000.0);  // one order every 1 ms
    EXPECT_EQ(single.ticks_due(-1ns), 0U) << "nothing before the start";
    EXPECT_EQ(single.ticks_due(0ns), 1U) << "tick 0 at once";
    EXPECT_EQ(single.ticks_due(999'999ns), 1U);
    EXPECT_EQ(single.ticks_due(1ms), 2U);
    EXPECT_EQ(single.ticks_due(10s), 10'001U);
    EXPECT_EQ(single.orders_due(10s), 10'001U);

    const Pacing bursts = Pacing::at_rate(1000.0, 10);  // 10 orders every 10 ms
    EXPECT_EQ(bursts.orders_due(0ns), 10U);
    EXPECT_EQ(bursts.orders_due(9ms), 10U);
    EXPECT_EQ(bursts.orders_due(10ms), 20U);
    EXPECT_EQ(bursts.orders_due(1s), 1'010U);
}

TEST(Pacing, TicksDueAgreeWithTheirDeadlines) {
    // Rates whose deadlines offset_of rounds to whole nanoseconds, up or down.
    for (const double rate : {3.0, 7.0, 12'345.0}) {
        const Pacing pacing = Pacing::at_rate(rate);
        for (std::uint64_t tick = 1; tick < 20'000; ++tick) {
            const std::chrono::nanoseconds start = pacing.offset_of(tick);
            ASSERT_EQ(pacing.ticks_due(start), tick + 1) << rate << " orders/s, tick " << tick;
            ASSERT_EQ(pacing.ticks_due(start - 1ns), tick) << rate << " orders/s, tick " << tick;
        }
    }
}

TEST(Pacing, UnpacedHasEverythingDueAndCountsSaturate) {
    EXPECT_EQ(Pacing::every(0ms, 10).orders_due(0ns), std::numeric_limits<std::uint64_t>::max());
    EXPECT_EQ(Pacing::at_rate(1e18, 1000).orders_due(std::chrono::nanoseconds::max()),
              std::numeric_limits<std::uint64_t>::max())
        << "saturates, does not overflow";
}

// The sending loop's rule (order_generator.cpp), on a simulated clock: each order takes 20 us to
// send and every timer fires 150 us late. Sending what is due before waiting keeps the rate; a
// wait per tick would make it one order per 170 us, 5,900/s.
TEST(Pacing, SendingWhatIsDueKeepsTheRateWhenTimersFireLate) {
    const Pacing pacing = Pacing::at_rate(10'000.0);
    std::chrono::nanoseconds now{0};
    std::uint64_t made = 0;
    for (std::uint64_t tick = 0; now < 1s; ++tick) {
        for (std::uint32_t i = 0; i < pacing.burst(); ++i, ++made) now += 20us;
        if (made < pacing.orders_due(now)) continue;
        now = std::max(now, pacing.offset_of(tick + 1)) + 150us;
    }
    EXPECT_GE(made, 9'990U);
    EXPECT_LE(made, pacing.orders_due(now));
}

TEST(Pacing, DescribesItself) {
    EXPECT_EQ(Pacing::at_rate(2000.0).describe(), "2000 orders/s (one every 0.5 ms)");
    EXPECT_EQ(Pacing::every(500ms, 10).describe(), "20 orders/s (bursts of 10 every 500 ms)");
    EXPECT_EQ(Pacing::every(2s).describe(), "0.5 orders/s (one every 2 s)");
}

}  // namespace
}  // namespace streamstore::order_generator
