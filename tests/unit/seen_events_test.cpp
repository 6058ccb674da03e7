// notification-service's de-duplication state: bounded, per partition, pending until commit.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "seen_events.hpp"

namespace streamstore::notification {
namespace {

TEST(SeenEvents, RemembersAnEventOnlyInItsPartition) {
    SeenEvents seen(10);
    seen.add(0, "event-a");
    EXPECT_TRUE(seen.contains(0, "event-a"));
    EXPECT_FALSE(seen.contains(1, "event-a"));
    EXPECT_FALSE(seen.contains(0, "event-b"));
}

TEST(SeenEvents, AbortForgetsWhatWasAddedSinceTheLastCommit) {
    SeenEvents seen(10);
    seen.add(0, "committed");
    seen.commit();
    seen.add(0, "aborted");
    seen.add(1, "aborted-too");
    seen.abort();
    EXPECT_TRUE(seen.contains(0, "committed"));
    EXPECT_FALSE(seen.contains(0, "aborted"));
    EXPECT_FALSE(seen.contains(1, "aborted-too"));
    EXPECT_EQ(seen.size(0), 1u);
}

TEST(SeenEvents, ForgetsTheOldestBeyondItsCapacity) {
    SeenEvents seen(3);
    for (const char* id : {"1", "2", "3", "4"}) seen.add(0, id);
    seen.commit();
    EXPECT_EQ(seen.size(0), 3u);
    EXPECT_FALSE(seen.contains(0, "1"));
    EXPECT_TRUE(seen.contains(0, "4"));
}

TEST(SeenEvents, LoadReplacesAPartitionsStateAndKeepsTheNewestWithinCapacity) {
    SeenEvents seen(2);
    seen.add(5, "stale");
    seen.commit();
    const std::vector<std::string_view> ids{"a", "b", "c"};
    seen.load(5, ids);
    EXPECT_TRUE(seen.loaded(5));
    EXPECT_FALSE(seen.contains(5, "stale"));
    EXPECT_FALSE(seen.contains(5, "a"));
    EXPECT_TRUE(seen.contains(5, "b"));
    EXPECT_TRUE(seen.contains(5, "c"));
    seen.drop(5);
    EXPECT_FALSE(seen.loaded(5));
    EXPECT_FALSE(seen.contains(5, "c"));
}

TEST(SeenEvents, AddingTheSameIdTwiceKeepsOneEntry) {
    SeenEvents seen(10);
    seen.add(0, "x");
    seen.add(0, "x");
    seen.commit();
    EXPECT_EQ(seen.size(0), 1u);
}

TEST(EventHash, IsStableAcrossProcesses) {
    // FNV-1a 64 of "a" is a published constant: the hash must not depend on std::hash.
    EXPECT_EQ(event_hash("a"), 0xaf63dc4c8601ec8cULL);
    EXPECT_NE(event_hash("a"), event_hash("b"));
}

}  // namespace
}  // namespace streamstore::notification
