// streamstore-dlq's plain parts (tools/dlq dead_letters.hpp): --offsets, selection, replay
// plans and records, list lines and the summary.

#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "records.hpp"
#include "streamstore/dlq/dead_letters.hpp"

namespace streamstore::dlq {
namespace {

using tools::Position;
using ::testing::ElementsAre;
using ::testing::Pair;
using namespace tools::testing;

DeadLetter letter(const std::string& error_class = "malformed_json", std::string payload = "not json",
                  Position at = {0, 3}) {
    return to_dead_letter(dead_letter_record("orders", 2, 345, error_class, std::move(payload), at.partition,
                                             at.offset),
                          true);
}

DeadLetter truncated_letter() {
    tools::Record record = dead_letter_record("orders", 1, 7, "payload_too_large", "0123456789", 0, 4);
    set_header(record, "dlq.payload.truncated", "true");
    set_header(record, "dlq.payload.original.bytes", "70000");
    return to_dead_letter(record, true);
}

TEST(Offsets, ParsesPartitionOffsetLists) {
    std::string error;
    EXPECT_THAT(*parse_positions("0:12", error), ElementsAre(Position{0, 12}));
    EXPECT_THAT(*parse_positions("0:12,2:7,0:0", error), ElementsAre(Position{0, 12}, Position{2, 7}, Position{0, 0}));
}

TEST(Offsets, RejectsAnythingElseNamingThePart) {
    for (const std::string bad : {"", "0", "0:", ":1", "a:1", "0:-1", "-1:0", "0:1,", "0:1,,1:2", "0:1;1:2", "0:1:2"}) {
        std::string error;
        EXPECT_EQ(parse_positions(bad, error), std::nullopt) << bad;
        EXPECT_THAT(error, ::testing::HasSubstr("is not PARTITION:OFFSET")) << bad;
    }
    std::string error;
    (void)parse_positions("0:1,x:2", error);
    EXPECT_EQ(error, "'x:2' is not PARTITION:OFFSET (e.g. 0:42)");
}

TEST(Selection, EmptySelectsEverythingAndFiltersCombine) {
    const DeadLetter a = letter("malformed_json", "x", {0, 3});
    const DeadLetter b = letter("invalid_value", "x", {1, 9});
    EXPECT_TRUE(Selection{}.selects(a));

    const Selection by_class{{"invalid_value", "missing_field"}, {}};
    EXPECT_FALSE(by_class.selects(a));
    EXPECT_TRUE(by_class.selects(b));

    const Selection by_position{{}, {{0, 3}}};
    EXPECT_TRUE(by_position.selects(a));
    EXPECT_FALSE(by_position.selects(b));

    const Selection both{{"invalid_value"}, {{0, 3}, {1, 9}}};
    EXPECT_FALSE(both.selects(a));
    EXPECT_TRUE(both.selects(b));
}

TEST(Replay, GoesToTheOriginalTopicOrTo) {
    const DeadLetter l = letter();
    const ReplayPlan original = plan_replay(l, std::nullopt);
    EXPECT_TRUE(original.replay);
    EXPECT_EQ(original.destination, "orders");
    const ReplayPlan to = plan_replay(l, std::string("orders-retry"));
    EXPECT_TRUE(to.replay);
    EXPECT_EQ(to.destination, "orders-retry");
}

TEST(Replay, RefusesTruncatedOrUnclearPayloads) {
    const ReplayPlan truncated = plan_replay(truncated_letter(), std::string("anywhere"));
    EXPECT_FALSE(truncated.replay);
    EXPECT_EQ(truncated.reason, "payload truncated (10 of 70000 bytes)");

    tools::Record unclear = dead_letter_record("orders", 0, 0, "c", "x", 0, 0);
    set_header(unclear, "dlq.payload.truncated", "yes");
    EXPECT_FALSE(plan_replay(to_dead_letter(unclear, true), std::nullopt).replay);
}

TEST(Replay, NeedsADestination) {
    tools::Record record = dead_letter_record("orders", 0, 0, "c", "x", 0, 0);
    remove_header(record, "dlq.original.topic");
    const DeadLetter l = to_dead_letter(record, true);
    const ReplayPlan plan = plan_replay(l, std::nullopt);
    EXPECT_FALSE(plan.replay);
    EXPECT_EQ(plan.reason, "no dlq.original.topic header (use --to)");
    EXPECT_TRUE(plan_replay(l, std::string("orders")).replay);
}

TEST(Replay, KeepsKeyAndPayloadAndSaysWhereItCameFrom) {
    const tools::OutgoingRecord r = replay_record("orders.dlq", letter("c", "payload", {2, 17}), "orders");
    EXPECT_EQ(r.topic, "orders");
    EXPECT_EQ(r.key, "c-0001");
    EXPECT_EQ(r.value, "payload");
    EXPECT_THAT(r.headers, ElementsAre(Pair("dlq.replayed.from", "orders.dlq[2]@17")));

    tools::Record keyless = dead_letter_record("orders", 0, 0, "c", "x", 0, 0);
    keyless.key.reset();
    EXPECT_EQ(replay_record("orders.dlq", to_dead_letter(keyless, true), "orders").key, std::nullopt);
}

TEST(Replay, SummaryLine) {
    EXPECT_EQ(format_summary({.replayed = 3, .skipped = 1, .failed = 0, .dry_run = false}),
              "replayed 3, skipped 1, failed 0");
    EXPECT_EQ(format_summary({.replayed = 2, .skipped = 0, .failed = 0, .dry_run = true}),
              "dry run: would replay 2, skipped 0, failed 0");
}

TEST(List, OneLineWithOriginClassSizeAndMessage) {
    EXPECT_EQ(format_list_line("orders.dlq", letter()),
              "orders.dlq[0]@3  orders[2]@345  malformed_json  8 bytes  why it failed");
    EXPECT_EQ(format_list_line("orders.dlq", truncated_letter()),
              "orders.dlq[0]@4  orders[1]@7  payload_too_large  10 bytes, truncated from 70000  why it failed");
}

TEST(List, KeepsOnlyThePayloadSizeWhenAsked) {
    const DeadLetter l = to_dead_letter(dead_letter_record("orders", 0, 0, "c", "12345", 0, 0), false);
    EXPECT_EQ(l.payload, "");
    EXPECT_EQ(l.payload_bytes, 5u);
}

TEST(List, MultiLineMessagesAndHeaderProblemsStayOnOneLine) {
    tools::Record record = dead_letter_record("orders", 0, 0, "c", "x", 0, 9);
    set_header(record, "dlq.error.message", "first line\nsecond line");
    remove_header(record, "dlq.original.offset");
    EXPECT_EQ(format_list_line("orders.dlq", to_dead_letter(record, false)),
              "orders.dlq[0]@9  orders[0]@?  c  1 bytes  first line...  [header problems: dlq.original.offset: missing]");
}

TEST(List, JsonLine) {
    const boost::json::value doc = boost::json::parse(to_json_line("orders.dlq", truncated_letter()));
    EXPECT_EQ(doc.at("topic").as_string(), "orders.dlq");
    EXPECT_EQ(doc.at("partition").as_int64(), 0);
    EXPECT_EQ(doc.at("offset").as_int64(), 4);
    EXPECT_EQ(doc.at("original").at("topic").as_string(), "orders");
    EXPECT_EQ(doc.at("original").at("offset").as_int64(), 7);
    EXPECT_EQ(doc.at("error_class").as_string(), "payload_too_large");
    EXPECT_EQ(doc.at("payload_bytes").to_number<std::uint64_t>(), 10u);
    EXPECT_TRUE(doc.at("truncated").as_bool());
    EXPECT_EQ(doc.at("original_bytes").to_number<std::uint64_t>(), 70000u);
    EXPECT_EQ(doc.at("key").as_string(), "c-0001");
    EXPECT_TRUE(doc.at("problems").as_array().empty());
}

TEST(OneLine, CutsAtLineBreaksControlCharactersAndLength) {
    EXPECT_EQ(one_line("plain"), "plain");
    EXPECT_EQ(one_line("a\tb"), "a b");
    EXPECT_EQ(one_line("line\r\nnext"), "line...");
    EXPECT_EQ(one_line("trailing newline\n"), "trailing newline");
    EXPECT_EQ(one_line("abcdef", 3), "abc...");
    EXPECT_EQ(one_line("\xC3\xA9t\xC3\xA9", 4), "\xC3\xA9t...");  // "été" cut before the second é
    EXPECT_EQ(one_line("\xC3\xA9t\xC3\xA9", 3), "\xC3\xA9t...");
}

}  // namespace
}  // namespace streamstore::dlq
