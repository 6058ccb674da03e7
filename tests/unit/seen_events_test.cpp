// notification-service's de-duplication state: bounded, per partition, pending until commit,
// committed one unit of work at a time; and the flat hash table under it.
#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <random>
#include <set>
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

TEST(SeenEvents, ForgetsTheOldestFirstAsNewIdsArrive) {
    SeenEvents seen(3);
    for (const char* id : {"1", "2", "3", "4", "5"}) seen.add(0, id);
    seen.commit();
    EXPECT_FALSE(seen.contains(0, "1"));
    EXPECT_FALSE(seen.contains(0, "2"));
    for (const char* id : {"3", "4", "5"}) EXPECT_TRUE(seen.contains(0, id)) << id;
    seen.add(0, "6");
    EXPECT_FALSE(seen.contains(0, "3"));
    for (const char* id : {"4", "5", "6"}) EXPECT_TRUE(seen.contains(0, id)) << id;
    seen.add(0, "4");  // already there: does not count as the newest
    seen.add(0, "7");
    EXPECT_FALSE(seen.contains(0, "4"));
    EXPECT_EQ(seen.size(0), 3u);
}

TEST(SeenEvents, PartitionsHaveTheirOwnCapacity) {
    SeenEvents seen(2);
    for (const char* id : {"a", "b"}) seen.add(0, id);
    for (const char* id : {"c", "d", "e"}) seen.add(1, id);
    seen.commit();
    EXPECT_EQ(seen.size(0), 2u);
    EXPECT_EQ(seen.size(1), 2u);
    EXPECT_TRUE(seen.contains(0, "a"));
    EXPECT_FALSE(seen.contains(1, "c"));
    EXPECT_EQ(seen.size(7), 0u);
}

TEST(SeenEvents, AddingAnIdAlreadyRememberedLeavesItCommitted) {
    SeenEvents seen(10);
    seen.add(0, "x");
    seen.commit();
    seen.add(0, "x");
    seen.abort();
    EXPECT_TRUE(seen.contains(0, "x")) << "the abort forgets only what the aborted work added";
}

TEST(SeenEvents, CommitWithoutAClosedUnitKeepsEveryPendingId) {
    SeenEvents seen(10);
    seen.add(0, "a");
    seen.add(1, "b");
    seen.commit();
    seen.abort();
    EXPECT_TRUE(seen.contains(0, "a"));
    EXPECT_TRUE(seen.contains(1, "b"));
}

TEST(SeenEvents, CommitKeepsOnlyTheOldestClosedUnit) {
    SeenEvents seen(10);
    seen.add(0, "unit-1");
    seen.close_unit();
    seen.add(0, "unit-2");
    seen.add(1, "unit-2");
    seen.close_unit();
    seen.add(0, "open");
    seen.commit();  // unit 1
    seen.abort();   // unit 2 and the open one
    EXPECT_TRUE(seen.contains(0, "unit-1"));
    EXPECT_FALSE(seen.contains(0, "unit-2"));
    EXPECT_FALSE(seen.contains(1, "unit-2"));
    EXPECT_FALSE(seen.contains(0, "open"));
    EXPECT_EQ(seen.size(0), 1u);
    EXPECT_EQ(seen.size(1), 0u);
}

TEST(SeenEvents, CommitsClosedUnitsInTheOrderTheyClosed) {
    SeenEvents seen(10);
    for (const char* id : {"a", "b", "c"}) {
        seen.add(0, id);
        seen.close_unit();
    }
    seen.add(0, "d");
    seen.commit();  // a
    seen.commit();  // b
    seen.abort();   // c, d
    EXPECT_TRUE(seen.contains(0, "a"));
    EXPECT_TRUE(seen.contains(0, "b"));
    EXPECT_FALSE(seen.contains(0, "c"));
    EXPECT_FALSE(seen.contains(0, "d"));
}

TEST(SeenEvents, AnEmptyUnitIsStillAUnit) {
    SeenEvents seen(10);
    seen.close_unit();  // every record of it was a duplicate
    seen.add(0, "next");
    seen.close_unit();
    seen.commit();  // the empty unit, not "next"
    seen.abort();
    EXPECT_FALSE(seen.contains(0, "next"));
}

TEST(SeenEvents, AbortForgetsAllClosedUnitsAndTheOpenOne) {
    SeenEvents seen(10);
    seen.add(0, "kept");
    seen.close_unit();
    seen.commit();
    seen.add(0, "closed-1");
    seen.close_unit();
    seen.add(2, "closed-2");
    seen.close_unit();
    seen.add(0, "open");
    seen.abort();
    EXPECT_TRUE(seen.contains(0, "kept"));
    for (const char* id : {"closed-1", "open"}) EXPECT_FALSE(seen.contains(0, id)) << id;
    EXPECT_FALSE(seen.contains(2, "closed-2"));
    // Nothing is left to commit: a later unit commits on its own.
    seen.add(0, "after");
    seen.close_unit();
    seen.commit();
    seen.abort();
    EXPECT_TRUE(seen.contains(0, "after"));
}

TEST(SeenEvents, AbortDoesNotBringBackWhatPendingIdsEvicted) {
    SeenEvents seen(4);
    for (const char* id : {"1", "2", "3"}) seen.add(0, id);
    seen.commit();
    seen.add(0, "4");
    seen.add(0, "5");  // evicts 1
    seen.abort();
    EXPECT_FALSE(seen.contains(0, "1"));
    EXPECT_TRUE(seen.contains(0, "2"));
    EXPECT_TRUE(seen.contains(0, "3"));
    EXPECT_FALSE(seen.contains(0, "4"));
    EXPECT_FALSE(seen.contains(0, "5"));
    EXPECT_EQ(seen.size(0), 2u);
    seen.add(0, "6");
    seen.commit();
    EXPECT_EQ(seen.size(0), 3u);
}

TEST(SeenEvents, AbortForgetsPendingIdsEvenWhenCapacityEvictedSomeOfThem) {
    SeenEvents seen(3);
    for (const char* id : {"1", "2", "3"}) seen.add(0, id);
    seen.commit();
    for (const char* id : {"4", "5", "6", "7"}) seen.add(0, id);  // 4 itself evicted by 7
    seen.abort();
    EXPECT_EQ(seen.size(0), 0u);
    for (const char* id : {"1", "2", "3", "4", "5", "6", "7"}) EXPECT_FALSE(seen.contains(0, id)) << id;
    seen.add(0, "8");
    seen.commit();
    EXPECT_EQ(seen.size(0), 1u);
    EXPECT_TRUE(seen.contains(0, "8"));
}

TEST(SeenEvents, AnIdEvictedAndAddedAgainIsPendingInItsLatestUnit) {
    SeenEvents seen(2);
    seen.add(0, "a");
    seen.close_unit();
    seen.add(0, "b");
    seen.add(0, "c");  // evicts a
    seen.close_unit();
    seen.add(0, "a");  // evicts b; pending in the open unit
    seen.commit();     // the unit that first added a
    EXPECT_TRUE(seen.contains(0, "a"));
    EXPECT_TRUE(seen.contains(0, "c"));
    seen.abort();
    EXPECT_FALSE(seen.contains(0, "a"));
    EXPECT_FALSE(seen.contains(0, "c"));
    EXPECT_EQ(seen.size(0), 0u);
}

TEST(SeenEvents, LoadAndDropForgetThePartitionsPendingIds) {
    SeenEvents seen(10);
    seen.add(0, "pending-0");
    seen.add(1, "pending-1");
    seen.add(2, "pending-2");
    seen.close_unit();
    const std::vector<std::string_view> ids{"loaded"};
    seen.load(0, ids);
    seen.drop(1);
    seen.abort();
    EXPECT_TRUE(seen.contains(0, "loaded"));
    EXPECT_EQ(seen.size(0), 1u);
    EXPECT_FALSE(seen.loaded(1));
    EXPECT_FALSE(seen.contains(2, "pending-2"));

    seen.add(0, "new");
    seen.close_unit();
    seen.load(0, ids);
    seen.add(0, "newer");
    seen.commit();  // the closed unit, whose id the load replaced: "newer" stays pending
    seen.abort();
    EXPECT_TRUE(seen.contains(0, "loaded"));
    EXPECT_FALSE(seen.contains(0, "new"));
    EXPECT_FALSE(seen.contains(0, "newer"));
}

TEST(SeenEvents, AddsTheIdGivenWhateverWasLookedUpBefore) {
    SeenEvents seen(10);
    EXPECT_FALSE(seen.contains(0, "looked-up"));
    seen.add(0, "added");
    seen.add(0, "");
    EXPECT_TRUE(seen.contains(0, "added"));
    EXPECT_TRUE(seen.contains(0, ""));
    EXPECT_FALSE(seen.contains(0, "looked-up"));
    EXPECT_EQ(seen.size(0), 2u);
}

TEST(SeenEvents, WithoutCapacityRemembersNothing) {
    SeenEvents seen(0);
    seen.add(0, "a");
    seen.commit();
    EXPECT_TRUE(seen.loaded(0));
    EXPECT_FALSE(seen.contains(0, "a"));
    EXPECT_EQ(seen.size(0), 0u);
}

// A reference model: the obvious containers, pending ids forgotten by value.
class SeenEventsModel {
public:
    explicit SeenEventsModel(std::size_t capacity) : capacity_(capacity) {}

    bool contains(std::int32_t partition, const std::string& id) const {
        const auto it = partitions_.find(partition);
        return it != partitions_.end() && it->second.ids.contains(id);
    }
    void add(std::int32_t partition, const std::string& id) {
        Partition& p = partitions_[partition];
        if (p.ids.contains(id)) return;
        if (p.order.size() == capacity_) {
            p.ids.erase(p.order.front());
            p.order.pop_front();
        }
        p.order.push_back(id);
        p.ids.insert(id);
        open_.emplace_back(partition, id);
    }
    void close_unit() {
        closed_.push_back(std::move(open_));
        open_.clear();
    }
    void commit() {
        if (closed_.empty()) {
            open_.clear();
        } else {
            closed_.pop_front();
        }
    }
    void abort() {
        closed_.push_back(std::move(open_));
        open_.clear();
        for (const auto& unit : closed_) {
            for (const auto& [partition, id] : unit) {
                auto it = partitions_.find(partition);
                if (it == partitions_.end() || !it->second.ids.erase(id)) continue;
                std::erase(it->second.order, id);
            }
        }
        closed_.clear();
    }
    void load(std::int32_t partition, const std::vector<std::string>& ids) {
        forget_pending(partition);
        partitions_.erase(partition);
        Partition& p = partitions_[partition];
        for (const auto& id : ids) {
            if (p.ids.contains(id)) continue;
            if (p.order.size() == capacity_) {
                p.ids.erase(p.order.front());
                p.order.pop_front();
            }
            p.order.push_back(id);
            p.ids.insert(id);
        }
    }
    void drop(std::int32_t partition) {
        forget_pending(partition);
        partitions_.erase(partition);
    }
    bool loaded(std::int32_t partition) const { return partitions_.contains(partition); }
    std::size_t size(std::int32_t partition) const {
        const auto it = partitions_.find(partition);
        return it == partitions_.end() ? 0 : it->second.order.size();
    }

private:
    using Unit = std::vector<std::pair<std::int32_t, std::string>>;
    struct Partition {
        std::set<std::string> ids;
        std::deque<std::string> order;
    };
    void forget_pending(std::int32_t partition) {
        const auto of = [&](const auto& entry) { return entry.first == partition; };
        std::erase_if(open_, of);
        for (auto& unit : closed_) std::erase_if(unit, of);
    }

    std::size_t capacity_;
    std::map<std::int32_t, Partition> partitions_;
    Unit open_;
    std::deque<Unit> closed_;
};

// Thousands of random operations on a few partitions, a small capacity and a small set of ids
// (so ids come back, get evicted while pending, and units commit and abort in every order).
void expect_same_as_model(std::uint32_t seed, std::size_t capacity, int distinct_ids, int operations) {
    std::mt19937 random(seed);
    const auto below = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(random); };
    const auto some_id = [&] { return "event-" + std::to_string(below(distinct_ids)); };
    constexpr int kPartitions = 3;
    SeenEvents seen(capacity);
    SeenEventsModel model(capacity);
    for (int op = 0; op < operations; ++op) {
        const int what = below(1000);
        const std::int32_t partition = below(kPartitions);
        std::string last;
        if (what < 700) {
            const std::string id = some_id();
            ASSERT_EQ(seen.contains(partition, id), model.contains(partition, id)) << "op " << op << ": " << id;
            seen.add(partition, id);
            model.add(partition, id);
            last = "add";
        } else if (what < 800) {
            seen.close_unit();
            model.close_unit();
            last = "close_unit";
        } else if (what < 900) {
            seen.commit();
            model.commit();
            last = "commit";
        } else if (what < 960) {
            seen.abort();
            model.abort();
            last = "abort";
        } else if (what < 980) {
            std::vector<std::string> ids;
            for (int i = below(static_cast<int>(capacity) * 2); i > 0; --i) ids.push_back(some_id());
            const std::vector<std::string_view> views(ids.begin(), ids.end());
            seen.load(partition, views);
            model.load(partition, ids);
            last = "load";
        } else {
            seen.drop(partition);
            model.drop(partition);
            last = "drop";
        }
        for (std::int32_t p = 0; p < kPartitions; ++p) {
            ASSERT_EQ(seen.loaded(p), model.loaded(p)) << "op " << op << " (" << last << "), partition " << p;
            ASSERT_EQ(seen.size(p), model.size(p)) << "op " << op << " (" << last << "), partition " << p;
        }
        if (op % 50 == 0 || last == "abort") {
            for (std::int32_t p = 0; p < kPartitions; ++p) {
                for (int i = 0; i < distinct_ids; ++i) {
                    const std::string id = "event-" + std::to_string(i);
                    ASSERT_EQ(seen.contains(p, id), model.contains(p, id))
                        << "op " << op << " (" << last << "), partition " << p << ", " << id;
                }
            }
        }
    }
}

TEST(SeenEvents, BehavesLikeTheReferenceModelUnderRandomOperations) {
    for (std::uint32_t seed = 1; seed <= 5; ++seed) {
        SCOPED_TRACE("seed " + std::to_string(seed));
        expect_same_as_model(seed, 8, 24, 4'000);
        expect_same_as_model(seed, 100, 400, 4'000);
    }
}

TEST(EventHash, IsStableAcrossProcesses) {
    // FNV-1a 64 of "a" is a published constant: the hash must not depend on std::hash.
    EXPECT_EQ(event_hash("a"), 0xaf63dc4c8601ec8cULL);
    EXPECT_NE(event_hash("a"), event_hash("b"));
    EXPECT_EQ(event_hash(""), 0xcbf29ce484222325ULL);
    EXPECT_EQ(event_hash("foobar"), 0x85944171f73967e8ULL);
}

// ---------------------------------------------------------------------------------------------
// detail::IdTable

using detail::IdTable;

TEST(IdTable, StoresZeroLikeAnyOtherId) {
    IdTable table;
    EXPECT_FALSE(table.contains(0));
    EXPECT_TRUE(table.insert(0));
    EXPECT_FALSE(table.insert(0));
    EXPECT_TRUE(table.contains(0));
    EXPECT_TRUE(table.insert(1));
    EXPECT_EQ(table.size(), 2u);
    EXPECT_TRUE(table.erase(0));
    EXPECT_FALSE(table.erase(0));
    EXPECT_FALSE(table.contains(0));
    EXPECT_TRUE(table.contains(1));
    EXPECT_EQ(table.size(), 1u);
}

TEST(IdTable, StaysAtMostHalfFull) {
    IdTable table;
    for (std::uint64_t id = 1; id <= 1000; ++id) {
        ASSERT_TRUE(table.insert(id));
        ASSERT_LE(table.size() * 2, table.slot_count()) << id;
    }
    EXPECT_EQ(table.slot_count(), 2048u);
    table.reserve(1024);
    EXPECT_EQ(table.slot_count(), 2048u) << "1024 ids fit at load 0.5";
    for (std::uint64_t id = 1; id <= 1000; ++id) ASSERT_TRUE(table.contains(id)) << id;
}

TEST(IdTable, IdsThatDifferOnlyInTheirHighOrLowBitsAllFit) {
    IdTable table;
    std::vector<std::uint64_t> ids;
    for (std::uint64_t i = 1; i <= 64; ++i) {
        ids.push_back((i << 40) | 0x5555);         // the same low 40 bits
        ids.push_back(0xabcd000000000000ULL | i);  // the same high 48 bits
    }
    for (const auto id : ids) ASSERT_TRUE(table.insert(id));
    for (const auto id : ids) EXPECT_TRUE(table.contains(id));
    for (std::size_t i = 0; i < ids.size(); i += 2) ASSERT_TRUE(table.erase(ids[i]));
    for (std::size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(table.contains(ids[i]), i % 2 == 1) << i;
}

TEST(IdTable, ErasingFromTheMiddleOfACollisionChainKeepsTheRestFindable) {
    IdTable table;
    table.reserve(64);  // 128 slots, fixed: no rehash below 64 ids
    ASSERT_EQ(table.slot_count(), 128u);
    // Ids that all start probing at slot 127, so their chain wraps around to slots 0, 1, 2...,
    // then ids whose home is slot 0 and 1, which the chain displaced.
    std::vector<std::uint64_t> chain;
    std::vector<std::uint64_t> displaced;
    for (std::uint64_t id = 1; chain.size() < 6 || displaced.size() < 4; ++id) {
        const std::size_t home = table.home_slot(id);
        if (home == 127 && chain.size() < 6) chain.push_back(id);
        if (home <= 1 && displaced.size() < 4) displaced.push_back(id);
    }
    for (const auto id : chain) ASSERT_TRUE(table.insert(id));
    for (const auto id : displaced) ASSERT_TRUE(table.insert(id));
    ASSERT_EQ(table.slot_count(), 128u);
    for (const std::size_t victim : {0u, 3u, 5u}) {
        ASSERT_TRUE(table.erase(chain[victim]));
        for (std::size_t i = 0; i < chain.size(); ++i) {
            const bool erased = i == 0 || (i == 3 && victim >= 3) || (i == 5 && victim == 5);
            EXPECT_EQ(table.contains(chain[i]), !erased) << "chain " << i << " after erasing " << victim;
        }
        for (const auto id : displaced) EXPECT_TRUE(table.contains(id)) << id;
    }
    for (const auto id : displaced) ASSERT_TRUE(table.erase(id));
    EXPECT_EQ(table.size(), 3u);
}

TEST(IdTable, BehavesLikeAStdSetUnderRandomInsertsAndErases) {
    std::mt19937_64 random(7);
    IdTable table;
    std::set<std::uint64_t> model;
    // A few hundred distinct ids (0 among them) in a table that grows to 512 slots: long clusters.
    std::vector<std::uint64_t> universe{0};
    for (int i = 1; i < 300; ++i) universe.push_back(random());
    for (int op = 0; op < 50'000; ++op) {
        const std::uint64_t id = universe[random() % universe.size()];
        if (random() % 3 != 0) {
            ASSERT_EQ(table.insert(id), model.insert(id).second) << op;
        } else {
            ASSERT_EQ(table.erase(id), model.erase(id) == 1) << op;
        }
        ASSERT_EQ(table.size(), model.size()) << op;
        if (op % 500 == 0) {
            for (const auto u : universe) ASSERT_EQ(table.contains(u), model.contains(u)) << op;
        }
    }
}

}  // namespace
}  // namespace streamstore::notification
