// Event identifiers (libs/events ids.hpp).

#include <cstdint>
#include <regex>
#include <set>
#include <string>
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

TEST(NowMs, IsMillisecondsSinceTheEpoch) {
    const std::int64_t now = now_ms();
    EXPECT_GT(now, 1'600'000'000'000);  // after September 2020
    EXPECT_LT(now, 4'102'444'800'000);  // before 2100
}

}  // namespace
}  // namespace streamstore::events
