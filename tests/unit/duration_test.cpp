// Human-friendly durations for flags (libs/runtime duration.hpp).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "streamstore/runtime/duration.hpp"

namespace streamstore::runtime {
namespace {

using namespace std::chrono_literals;

TEST(ParseDuration, AcceptsMilliseconds) { EXPECT_EQ(parse_duration("250ms"), 250ms); }
TEST(ParseDuration, AcceptsSeconds) { EXPECT_EQ(parse_duration("2s"), 2000ms); }
TEST(ParseDuration, AcceptsFractionalSeconds) { EXPECT_EQ(parse_duration("1.5s"), 1500ms); }
TEST(ParseDuration, AcceptsMinutes) { EXPECT_EQ(parse_duration("1m"), 60'000ms); }
TEST(ParseDuration, AcceptsHours) { EXPECT_EQ(parse_duration("1h"), 3'600'000ms); }
TEST(ParseDuration, AcceptsBareZero) { EXPECT_EQ(parse_duration("0"), 0ms); }
TEST(ParseDuration, AcceptsZeroWithAUnit) { EXPECT_EQ(parse_duration("0s"), 0ms); }

TEST(ParseDuration, AcceptsFractionsThatComeOutToWholeMilliseconds) {
    EXPECT_EQ(parse_duration("0.001s"), 1ms);
    EXPECT_EQ(parse_duration("0.25m"), 15'000ms);
    EXPECT_EQ(parse_duration("1.50s"), 1500ms);
}

TEST(ParseDuration, AcceptsUpToAYearAndRejectsMore) {
    EXPECT_EQ(parse_duration("8784h"), std::chrono::milliseconds{std::int64_t{366} * 24 * 3'600'000});
    EXPECT_EQ(parse_duration("8785h"), std::nullopt);
}

TEST(ParseDuration, RejectsOverflowingNumbers) {
    EXPECT_EQ(parse_duration("99999999999999999999ms"), std::nullopt);
    EXPECT_EQ(parse_duration("999999999999h"), std::nullopt);
}

struct BadDuration {
    std::string_view name;
    std::string_view text;
};

class ParseDurationRejects : public ::testing::TestWithParam<BadDuration> {};

TEST_P(ParseDurationRejects, Text) {
    EXPECT_EQ(parse_duration(GetParam().text), std::nullopt) << '"' << GetParam().text << '"';
}

INSTANTIATE_TEST_SUITE_P(
    BadDurations, ParseDurationRejects,
    ::testing::Values(BadDuration{"Empty", ""}, BadDuration{"Garbage", "abc"}, BadDuration{"Negative", "-1s"},
                      BadDuration{"NoUnit", "5"}, BadDuration{"FinerThanAMillisecond", "1.5ms"},
                      BadDuration{"UnknownUnit", "10x"}, BadDuration{"UnitWithoutNumber", "s"},
                      BadDuration{"DotWithoutFraction", "1.s"}, BadDuration{"FractionWithoutWhole", ".5s"},
                      BadDuration{"LeadingSpace", " 1s"}, BadDuration{"TrailingSpace", "1s "},
                      BadDuration{"SpaceBeforeUnit", "1 s"}, BadDuration{"UpperCaseUnit", "1S"},
                      BadDuration{"LongUnitName", "1sec"}, BadDuration{"PlusSign", "+1s"},
                      BadDuration{"TenthOfAMillisecond", "0.0001s"}, BadDuration{"Exponent", "1e3ms"}),
    [](const ::testing::TestParamInfo<BadDuration>& p) { return std::string(p.param.name); });

TEST(FormatDuration, WritesTheShortestExactSpelling) {
    EXPECT_EQ(format_duration(0ms), "0");
    EXPECT_EQ(format_duration(250ms), "250ms");
    EXPECT_EQ(format_duration(1500ms), "1500ms");
    EXPECT_EQ(format_duration(2000ms), "2s");
    EXPECT_EQ(format_duration(60'000ms), "1m");
    EXPECT_EQ(format_duration(90'000ms), "90s");
    EXPECT_EQ(format_duration(3'600'000ms), "1h");
}

TEST(FormatDuration, RoundTripsThroughParseDuration) {
    for (std::int64_t ms : {0LL, 1LL, 250LL, 999LL, 1000LL, 1500LL, 59'000LL, 60'000LL, 61'000LL, 3'600'000LL,
                            5'400'000LL, 86'400'000LL}) {
        const std::chrono::milliseconds d{ms};
        EXPECT_EQ(parse_duration(format_duration(d)), d) << format_duration(d);
    }
}

}  // namespace
}  // namespace streamstore::runtime
