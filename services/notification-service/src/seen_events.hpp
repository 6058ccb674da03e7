#pragma once
// Which events were already notified, per notifications partition: the de-duplication state.
//
// Bounded: each partition remembers its last `capacity` event ids (as 64-bit hashes), oldest
// forgotten first, so a duplicate that arrives more than `capacity` notifications later in its
// partition is not caught. Ids added since the last commit are pending: abort() forgets them
// (their notifications were discarded), commit() keeps them.
// Thread safety: none; one strand uses it, plus the processor's blocking thread while loading a
// partition that the strand does not touch yet.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace streamstore::notification {

class SeenEvents {
public:
    explicit SeenEvents(std::size_t capacity_per_partition) : capacity_(capacity_per_partition) {}

    [[nodiscard]] bool contains(std::int32_t partition, std::string_view event_id) const;
    /// Records `event_id` as notified, pending until commit().
    void add(std::int32_t partition, std::string_view event_id);
    void commit();
    void abort();
    /// Replaces `partition`'s state with `event_ids` (oldest first), as loaded from Kafka.
    void load(std::int32_t partition, const std::vector<std::string_view>& event_ids);
    [[nodiscard]] bool loaded(std::int32_t partition) const { return partitions_.contains(partition); }
    void drop(std::int32_t partition) { partitions_.erase(partition); }
    [[nodiscard]] std::size_t size(std::int32_t partition) const;

private:
    struct Partition {
        std::unordered_set<std::uint64_t> ids;
        std::deque<std::uint64_t> order;  // oldest first
    };
    void insert(Partition& p, std::uint64_t id);

    std::size_t capacity_;
    std::map<std::int32_t, Partition> partitions_;
    std::vector<std::pair<std::int32_t, std::uint64_t>> pending_;
};

/// A stable 64-bit hash of an event id (FNV-1a), the same in every process.
std::uint64_t event_hash(std::string_view event_id) noexcept;

}  // namespace streamstore::notification
