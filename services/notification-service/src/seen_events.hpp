#pragma once
// Which events were already notified, per notifications partition: the de-duplication state.
//
// Bounded: each partition remembers its last `capacity` event ids (as 64-bit hashes), oldest
// forgotten first, so a duplicate that arrives more than `capacity` notifications later in its
// partition is not caught.
//
// Units of work: ids added since the last commit are pending. close_unit() closes the ids added
// since the previous close_unit() into one unit, so that a caller can commit one unit while it
// adds the next one's ids (pipelined commits):
// - commit() keeps the ids of the oldest closed unit for good, or, when no unit is closed, every
//   pending id (a caller that never calls close_unit() commits everything at once);
// - abort() forgets every pending id, of the closed units and of the open one alike (their
//   notifications were discarded). Ids they evicted stay forgotten: after an abort a partition
//   may hold fewer than `capacity` ids until new ones are added;
// - load() and drop() also forget `partition`'s pending ids (its state is replaced or gone).
// Adding an id that is already remembered (pending or not) changes nothing.
//
// Memory: per partition a flat hash table of at most bit_ceil(2 x capacity) 64-bit slots and a
// ring of at most `capacity` ids, both grown with use (a full partition at the default 50,000:
// 1 MiB + 0.4 MiB); no allocation per id once a partition is full.
// Thread safety: none; one strand uses it, plus the processor's blocking thread while loading a
// partition that the strand does not touch yet.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace streamstore::notification {

/// A stable 64-bit hash of an event id (FNV-1a), the same in every process.
std::uint64_t event_hash(std::string_view event_id) noexcept;

namespace detail {

/// A set of 64-bit ids: open addressing with linear probing over a power-of-two table kept at
/// most half full (it doubles as it fills; it never shrinks), deletion by backward shift (no
/// tombstones, so probes stay short however many ids come and go). Every id is valid, 0 too.
class IdTable {
public:
    [[nodiscard]] bool contains(std::uint64_t id) const noexcept;
    /// False (and no change) when `id` was already there.
    bool insert(std::uint64_t id);
    /// False when `id` was not there.
    bool erase(std::uint64_t id) noexcept;
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    /// Grows the table so that `ids` ids fit at a load factor <= 0.5.
    void reserve(std::size_t ids);
    [[nodiscard]] std::size_t slot_count() const noexcept { return slots_.size(); }
    /// The slot where probing for `id` starts (for tests of colliding ids); needs slot_count() > 0.
    [[nodiscard]] std::size_t home_slot(std::uint64_t id) const noexcept;

private:
    static constexpr std::uint64_t kEmpty = 0;  // a free slot; the id 0 lives in has_zero_
    void rehash(std::size_t slot_count);
    /// The slot holding `id` (!= kEmpty), or the empty slot ending its probe.
    [[nodiscard]] std::size_t find_slot(std::uint64_t id) const noexcept;

    std::vector<std::uint64_t> slots_;  // empty, or a power of two
    std::size_t mask_ = 0;
    int shift_ = 64;
    std::size_t size_ = 0;  // ids, the 0 in has_zero_ included
    bool has_zero_ = false;
};

}  // namespace detail

class SeenEvents {
public:
    explicit SeenEvents(std::size_t capacity_per_partition)
        : capacity_(capacity_per_partition), last_hash_(event_hash({})) {}

    [[nodiscard]] bool contains(std::int32_t partition, std::string_view event_id) const;
    /// Records `event_id` as notified, pending (in the open unit) until commit().
    void add(std::int32_t partition, std::string_view event_id);
    /// Closes the open unit: the ids added since the last close_unit() commit or abort together.
    void close_unit();
    /// Keeps the oldest closed unit's ids for good; with no closed unit, every pending id.
    void commit();
    /// Forgets every pending id, closed units and the open one alike.
    void abort();
    /// Replaces `partition`'s state with `event_ids` (oldest first), as loaded from Kafka.
    void load(std::int32_t partition, const std::vector<std::string_view>& event_ids);
    [[nodiscard]] bool loaded(std::int32_t partition) const { return partitions_.contains(partition); }
    void drop(std::int32_t partition);
    [[nodiscard]] std::size_t size(std::int32_t partition) const;

private:
    struct Partition {
        detail::IdTable ids;
        // The remembered ids in the order they were added, ring[head] the oldest. Grows to
        // capacity (head stays 0 meanwhile), then the newest id overwrites the oldest.
        std::vector<std::uint64_t> ring;
        std::size_t head = 0;
        std::size_t count = 0;
        // Ids added to this partition by units not committed yet, evicted ones included. They
        // are the newest of all, so the last min(pending, count) ids of the ring are pending.
        std::size_t pending = 0;
    };
    // How many ids a unit of work added to one partition.
    struct UnitIds {
        std::int32_t partition;
        std::size_t count;
    };
    using Unit = std::vector<UnitIds>;

    /// Adds `id` as the newest (evicting the oldest when full); false if it was there already.
    bool insert(Partition& p, std::uint64_t id);
    /// Removes the newest id (an aborted one) from `p`.
    static void remove_newest(Partition& p);
    /// Forgets that the units added ids to `partition`.
    void forget_pending(std::int32_t partition);
    void commit_unit(const Unit& unit);
    /// event_hash(event_id), computed once for a contains() and the add() of the same id that
    /// follows it (FNV-1a goes byte by byte: it was half the cost of the pair).
    [[nodiscard]] std::uint64_t hash_of(std::string_view event_id) const;

    std::size_t capacity_;
    std::map<std::int32_t, Partition> partitions_;
    Unit open_;                 // the ids added since the last close_unit()
    std::deque<Unit> closed_;   // closed units not committed yet, oldest first
    mutable std::string last_id_;      // the last id hashed by hash_of, and its hash
    mutable std::uint64_t last_hash_;
};

}  // namespace streamstore::notification
