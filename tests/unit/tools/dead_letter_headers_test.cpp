// Dead letter headers as the tools parse them (tools/common dead_letter_headers.hpp).

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "records.hpp"
#include "streamstore/tools/dead_letter_headers.hpp"

namespace streamstore::tools {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace tools::testing;

TEST(DeadLetterHeaders, ParsesAWholeDeadLetter) {
    const auto h = parse_dead_letter_headers(dead_letter_record("orders", 2, 345, "malformed_json", "{", 0, 0));
    EXPECT_TRUE(h.valid());
    EXPECT_EQ(h.original_topic, "orders");
    EXPECT_EQ(h.original_position(), (Position{2, 345}));
    EXPECT_EQ(h.error_class, "malformed_json");
    EXPECT_EQ(h.error_message, "why it failed");
    EXPECT_FALSE(h.truncated);
    EXPECT_TRUE(h.payload_whole());
}

TEST(DeadLetterHeaders, ListsEveryMissingHeader) {
    Record record = raw_record("x", 0, 0);
    const auto h = parse_dead_letter_headers(record);
    EXPECT_FALSE(h.valid());
    EXPECT_THAT(h.problems, ElementsAre("dlq.original.topic: missing", "dlq.original.partition: missing",
                                        "dlq.original.offset: missing", "dlq.error.class: missing",
                                        "dlq.error.message: missing"));
    EXPECT_EQ(h.original_position(), std::nullopt);
}

TEST(DeadLetterHeaders, RejectsMalformedNumbers) {
    for (const std::string bad : {"-1", "+3", " 3", "3x", "", "99999999999999999999"}) {
        Record record = dead_letter_record("orders", 0, 0, "c", "x", 0, 0);
        set_header(record, "dlq.original.offset", bad);
        const auto h = parse_dead_letter_headers(record);
        EXPECT_FALSE(h.valid()) << bad;
        EXPECT_EQ(h.original_offset, std::nullopt) << bad;
    }
    Record record = dead_letter_record("orders", 0, 0, "c", "x", 0, 0);
    set_header(record, "dlq.original.partition", "2147483648");  // over int32
    EXPECT_THAT(parse_dead_letter_headers(record).problems,
                ElementsAre("dlq.original.partition: '2147483648' is not a partition"));
}

TEST(DeadLetterHeaders, TheLastOfRepeatedHeadersWins) {
    Record record = dead_letter_record("orders", 0, 5, "c", "x", 0, 0);
    record.headers.emplace_back("dlq.original.offset", "6");
    EXPECT_EQ(parse_dead_letter_headers(record).original_offset, 6);
}

TEST(DeadLetterHeaders, TruncatedPayloadCarriesTheOriginalSize) {
    Record record = dead_letter_record("orders", 0, 0, "payload_too_large", "0123456789", 0, 0);
    set_header(record, "dlq.payload.truncated", "true");
    set_header(record, "dlq.payload.original.bytes", "70000");
    const auto h = parse_dead_letter_headers(record);
    EXPECT_TRUE(h.valid());
    EXPECT_TRUE(h.truncated);
    EXPECT_FALSE(h.payload_whole());
    EXPECT_EQ(h.original_bytes, 70000u);
}

TEST(DeadLetterHeaders, InconsistentTruncationHeadersAreProblems) {
    Record no_size = dead_letter_record("orders", 0, 0, "c", "0123456789", 0, 0);
    set_header(no_size, "dlq.payload.truncated", "true");
    auto h = parse_dead_letter_headers(no_size);
    EXPECT_THAT(h.problems, ElementsAre(HasSubstr("dlq.payload.original.bytes: missing")));
    EXPECT_TRUE(h.truncation_unclear);

    Record too_small = no_size;
    set_header(too_small, "dlq.payload.original.bytes", "10");
    EXPECT_THAT(parse_dead_letter_headers(too_small).problems,
                ElementsAre("dlq.payload.original.bytes: 10 is not more than the 10 bytes carried"));

    Record maybe = dead_letter_record("orders", 0, 0, "c", "x", 0, 0);
    set_header(maybe, "dlq.payload.truncated", "maybe");
    h = parse_dead_letter_headers(maybe);
    EXPECT_FALSE(h.truncated);
    EXPECT_TRUE(h.truncation_unclear);
    EXPECT_FALSE(h.payload_whole());

    Record whole_but_sized = dead_letter_record("orders", 0, 0, "c", "abc", 0, 0);
    set_header(whole_but_sized, "dlq.payload.truncated", "false");
    set_header(whole_but_sized, "dlq.payload.original.bytes", "4");
    EXPECT_THAT(parse_dead_letter_headers(whole_but_sized).problems,
                ElementsAre("dlq.payload.original.bytes: 4 bytes, but the payload is whole and has 3"));
}

TEST(Records, PositionsPrintAsTopicPartitionOffset) {
    EXPECT_EQ(format_position("orders", {1, 42}), "orders[1]@42");
    Record record;
    EXPECT_EQ(record.payload(), "");
    EXPECT_EQ(record.header("none"), std::nullopt);
}

}  // namespace
}  // namespace streamstore::tools
