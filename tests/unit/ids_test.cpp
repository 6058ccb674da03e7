// Event identifiers (libs/events ids.hpp).

#include <cstdint>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "streamstore/events/ids.hpp"

namespace streamstore::events {
namespace {

const std::regex kUuidV4{"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"};
const std::regex kUuidV5{"[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"};

std::vector<std::string> take(IdGenerator& ids, int n) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) out.push_back(ids.next());
    return out;
}

TEST(IdGenerator, SameSeedGivesTheSameSequence) {
    IdGenerator a(42);
    IdGenerator b(42);
    EXPECT_EQ(take(a, 50), take(b, 50));
}

TEST(IdGenerator, DifferentSeedsGiveDifferentSequences) {
    IdGenerator a(42);
    IdGenerator b(43);
    EXPECT_NE(take(a, 5), take(b, 5));
}

TEST(IdGenerator, GivesDistinctLowerCaseVersion4Uuids) {
    IdGenerator ids(7);
    std::set<std::string> seen;
    for (const std::string& id : take(ids, 1000)) {
        EXPECT_TRUE(std::regex_match(id, kUuidV4)) << id;
        seen.insert(id);
    }
    EXPECT_EQ(seen.size(), 1000U);
}

TEST(IdGenerator, UnseededGeneratorsDiffer) {
    IdGenerator a;
    IdGenerator b;
    EXPECT_NE(a.next(), b.next());
}

TEST(IdGenerator, MovedToGeneratorContinuesTheSequence) {
    IdGenerator reference(9);
    const std::string first = reference.next();
    const std::string second = reference.next();
    IdGenerator source(9);
    EXPECT_EQ(source.next(), first);
    IdGenerator moved(std::move(source));
    EXPECT_EQ(moved.next(), second);
}

TEST(DerivedId, IsDeterministic) {
    EXPECT_EQ(derived_id("payment", "order-1"), derived_id("payment", "order-1"));
}

TEST(DerivedId, IsAVersion5Uuid) {
    EXPECT_TRUE(std::regex_match(derived_id("payment", "order-1"), kUuidV5)) << derived_id("payment", "order-1");
}

TEST(DerivedId, DiffersByScope) {
    EXPECT_NE(derived_id("payment", "order-1"), derived_id("notification", "order-1"));
}

TEST(DerivedId, DiffersByName) {
    EXPECT_NE(derived_id("payment", "order-1"), derived_id("payment", "order-2"));
}

// Ids computed by the first implementation (boost::uuids::name_generator_sha1) and checked with
// Python's uuid.uuid5(UUID("5b0c9a8e-3f55-4c1e-9d6a-2f1c7e0b4a61"), scope + "/" + name). Ids
// already on the topics must never change: de-duplication compares them.
TEST(DerivedId, MatchesTheIdsAlreadyWritten) {
    EXPECT_EQ(derived_id("payment", "order-1"), "cbb29ca7-bb99-5f62-be8e-3c5e0791fe00");
    EXPECT_EQ(derived_id("notification", "order-1"), "3148ce74-ab76-5e34-a068-88e38e572aac");
    EXPECT_EQ(derived_id("payment", "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b"),
              "e6bcaf2c-35c2-5fed-8023-1259829443fc");
    EXPECT_EQ(derived_id("notification", "0e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a"),
              "e5f38d7e-cd2e-5dd9-87a6-a7c975608d48");
}

TEST(DerivedId, MatchesTheIdsAlreadyWrittenForUnusualNames) {
    EXPECT_EQ(derived_id("", ""), "e42fe4e3-1ed5-5d6f-b2ac-e56894fd3d01");
    EXPECT_EQ(derived_id("payment", std::string(1000, 'x')), "09c30f85-44e3-5812-ad78-8d397d857688");
    EXPECT_EQ(derived_id("payment", std::string("a\0b\xc3\xa9", 5)), "b3956825-45ff-5c2d-ad19-d8115bdb63fd");
}

TEST(DerivedId, HashesScopeSlashName) {
    // The name is "scope/name", so these two coincide; scopes are fixed words without a slash.
    EXPECT_EQ(derived_id("a/b", "c"), "50c75d17-cb6c-5dfd-8ecc-7c6a267bd77a");
    EXPECT_EQ(derived_id("a", "b/c"), "50c75d17-cb6c-5dfd-8ecc-7c6a267bd77a");
}

TEST(DerivedId, GivesTheSameIdsOnEveryThread) {
    // Each thread hashes with a digest context of its own.
    std::vector<std::string> expected;
    for (int i = 0; i < 200; ++i) expected.push_back(derived_id("payment", "order-" + std::to_string(i)));
    std::vector<std::vector<std::string>> got(4);
    std::vector<std::thread> threads;
    for (auto& ids : got) {
        threads.emplace_back([&ids] {
            for (int i = 0; i < 200; ++i) ids.push_back(derived_id("payment", "order-" + std::to_string(i)));
        });
    }
    for (auto& thread : threads) thread.join();
    for (const auto& ids : got) EXPECT_EQ(ids, expected);
}

TEST(NowMs, IsMillisecondsSinceTheEpoch) {
    const std::int64_t now = now_ms();
    EXPECT_GT(now, 1'600'000'000'000);  // after September 2020
    EXPECT_LT(now, 4'102'444'800'000);  // before 2100
}

}  // namespace
}  // namespace streamstore::events
