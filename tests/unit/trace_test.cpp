// W3C Trace Context (libs/events trace.hpp).

#include <regex>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "streamstore/events/trace.hpp"

namespace streamstore::events {
namespace {

constexpr std::string_view kSpecExample = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
const std::regex kTraceparent{"00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}"};

TEST(Traceparent, ParsesTheSpecExample) {
    const auto parsed = parse_traceparent(kSpecExample);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->trace_id_hex(), "0af7651916cd43dd8448eb211c80319c");
    EXPECT_EQ(parsed->span_id_hex(), "b7ad6b7169203331");
    EXPECT_EQ(parsed->flags, 1);
    EXPECT_EQ(parsed->trace_id[0], 0x0a);
    EXPECT_EQ(parsed->span_id[7], 0x31);
}

TEST(Traceparent, FormatsWhatItParsed) {
    EXPECT_EQ(parse_traceparent(kSpecExample)->traceparent(), kSpecExample);
    const std::string not_sampled = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00";
    const auto parsed = parse_traceparent(not_sampled);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->flags, 0);
    EXPECT_EQ(parsed->traceparent(), not_sampled);
}

TEST(Traceparent, RejectsUpperCaseHex) {
    EXPECT_FALSE(parse_traceparent("00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01"));
    EXPECT_FALSE(parse_traceparent("00-0af7651916cd43dd8448eb211c80319c-B7AD6B7169203331-01"));
    EXPECT_FALSE(parse_traceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0A"));
}

TEST(Traceparent, RejectsAllZeroIds) {
    EXPECT_FALSE(parse_traceparent("00-00000000000000000000000000000000-b7ad6b7169203331-01"));
    EXPECT_FALSE(parse_traceparent("00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01"));
}

TEST(Traceparent, RejectsWrongLengths) {
    const std::string valid(kSpecExample);
    EXPECT_FALSE(parse_traceparent(""));
    EXPECT_FALSE(parse_traceparent(valid.substr(0, 54)));
    EXPECT_FALSE(parse_traceparent(valid + "-"));  // version 00 is exactly 55 characters
    EXPECT_FALSE(parse_traceparent(valid + "0"));
    EXPECT_FALSE(parse_traceparent("00-0af7651916cd43dd8448eb211c80319-cb7ad6b7169203331-01"));   // 31 + 17
    EXPECT_FALSE(parse_traceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b716920333-101"));   // 15 + 3
}

TEST(Traceparent, RejectsNonHexAndMisplacedSeparators) {
    EXPECT_FALSE(parse_traceparent("00-0af7651916cd43dd8448eb211c80319g-b7ad6b7169203331-01"));
    EXPECT_FALSE(parse_traceparent("00_0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
    EXPECT_FALSE(parse_traceparent("00-0af7651916cd43dd8448eb211c80319c_b7ad6b7169203331-01"));
    EXPECT_FALSE(parse_traceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331_01"));
    EXPECT_FALSE(parse_traceparent("0x-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
    EXPECT_FALSE(parse_traceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331- 1"));
}

TEST(Traceparent, RejectsVersionFf) {
    EXPECT_FALSE(parse_traceparent("ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
}

TEST(Traceparent, ReadsALaterVersionByItsVersion00Prefix) {
    const auto same_length = parse_traceparent("cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    ASSERT_TRUE(same_length.has_value());
    EXPECT_EQ(same_length->trace_id_hex(), "0af7651916cd43dd8448eb211c80319c");

    const auto longer = parse_traceparent("cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-what-the-future-holds");
    ASSERT_TRUE(longer.has_value());
    EXPECT_EQ(longer->span_id_hex(), "b7ad6b7169203331");
    EXPECT_EQ(longer->traceparent(), kSpecExample);  // we speak version 00

    EXPECT_FALSE(parse_traceparent("cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01x"));
    EXPECT_FALSE(parse_traceparent("cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0"));
    EXPECT_FALSE(parse_traceparent("CC-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
}

TEST(TraceContext, NewRootHasRandomNonZeroIdsAndIsSampled) {
    RandomSource random(1);
    std::set<std::string> traces;
    for (int i = 0; i < 1000; ++i) {
        const TraceContext root = TraceContext::new_root(random);
        EXPECT_EQ(root.flags, 1);
        EXPECT_NE(root.trace_id_hex(), std::string(32, '0'));
        EXPECT_NE(root.span_id_hex(), std::string(16, '0'));
        EXPECT_TRUE(std::regex_match(root.traceparent(), kTraceparent)) << root.traceparent();
        EXPECT_EQ(parse_traceparent(root.traceparent()), root);
        traces.insert(root.trace_id_hex());
    }
    EXPECT_EQ(traces.size(), 1000U);
}

TEST(TraceContext, SameSeedGivesTheSameIds) {
    RandomSource a(42);
    RandomSource b(42);
    EXPECT_EQ(TraceContext::new_root(a), TraceContext::new_root(b));
    RandomSource unseeded_a;
    RandomSource unseeded_b;
    EXPECT_NE(TraceContext::new_root(unseeded_a), TraceContext::new_root(unseeded_b));
}

TEST(TraceContext, ChildKeepsTheTraceIdAndFlagsAndChangesTheSpanId) {
    RandomSource random(7);
    TraceContext parent = *parse_traceparent(kSpecExample);
    parent.flags = 0;
    const TraceContext child = parent.child(random);
    EXPECT_EQ(child.trace_id, parent.trace_id);
    EXPECT_EQ(child.flags, 0);
    EXPECT_NE(child.span_id, parent.span_id);
    EXPECT_NE(child.span_id_hex(), std::string(16, '0'));
    EXPECT_NE(parent.child(random).span_id, child.span_id);
}

}  // namespace
}  // namespace streamstore::events
