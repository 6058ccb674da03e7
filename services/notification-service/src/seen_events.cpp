#include "seen_events.hpp"

#include <algorithm>
#include <bit>

namespace streamstore::notification {

std::uint64_t event_hash(std::string_view event_id) noexcept {
    std::uint64_t hash = 14695981039346656037ULL;
    for (const char c : event_id) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 1099511628211ULL;
    }
    return hash;
}

namespace detail {
namespace {
constexpr std::size_t kMinSlots = 16;
// Fibonacci hashing: the top bits of id x 2^64/phi. FNV-1a's low bits depend only on the low
// bits of its input, so the table does not trust any part of the id to be well mixed.
constexpr std::uint64_t kMultiplier = 0x9E3779B97F4A7C15ULL;
}  // namespace

std::size_t IdTable::home_slot(std::uint64_t id) const noexcept {
    return static_cast<std::size_t>((id * kMultiplier) >> shift_);
}

std::size_t IdTable::find_slot(std::uint64_t id) const noexcept {
    std::size_t i = home_slot(id);
    while (slots_[i] != kEmpty && slots_[i] != id) i = (i + 1) & mask_;  // half empty: ends
    return i;
}

bool IdTable::contains(std::uint64_t id) const noexcept {
    if (id == kEmpty) return has_zero_;
    return !slots_.empty() && slots_[find_slot(id)] == id;
}

bool IdTable::insert(std::uint64_t id) {
    if (id == kEmpty) {
        if (has_zero_) return false;
        has_zero_ = true;
        ++size_;
        return true;
    }
    std::size_t slot = 0;
    if (!slots_.empty()) {
        slot = find_slot(id);
        if (slots_[slot] == id) return false;
    }
    if (2 * (size_ + 1) > slots_.size()) {
        reserve(size_ + 1);
        slot = find_slot(id);
    }
    slots_[slot] = id;
    ++size_;
    return true;
}

bool IdTable::erase(std::uint64_t id) noexcept {
    if (id == kEmpty) {
        if (!has_zero_) return false;
        has_zero_ = false;
        --size_;
        return true;
    }
    if (slots_.empty()) return false;
    std::size_t hole = find_slot(id);
    if (slots_[hole] != id) return false;
    // Backward shift: walk the rest of the cluster and move back into the hole every id whose
    // probe started at or before it, so that no probe meets an empty slot before its id.
    for (std::size_t j = (hole + 1) & mask_; slots_[j] != kEmpty; j = (j + 1) & mask_) {
        const std::size_t home = home_slot(slots_[j]);
        if (((j - home) & mask_) >= ((j - hole) & mask_)) {
            slots_[hole] = slots_[j];
            hole = j;
        }
    }
    slots_[hole] = kEmpty;
    --size_;
    return true;
}

void IdTable::reserve(std::size_t ids) {
    const std::size_t needed = std::max(kMinSlots, std::bit_ceil(2 * ids));
    if (needed > slots_.size()) rehash(needed);
}

void IdTable::rehash(std::size_t slot_count) {
    std::vector<std::uint64_t> old(slot_count, kEmpty);
    old.swap(slots_);
    mask_ = slot_count - 1;
    shift_ = 64 - std::countr_zero(slot_count);
    for (const std::uint64_t id : old) {
        if (id != kEmpty) slots_[find_slot(id)] = id;
    }
}

}  // namespace detail

namespace {
constexpr std::size_t kMinRing = 1024;  // ids; the ring doubles from there up to capacity
}  // namespace

std::uint64_t SeenEvents::hash_of(std::string_view event_id) const {
    if (event_id == last_id_) return last_hash_;
    last_hash_ = event_hash(event_id);
    last_id_.assign(event_id);
    return last_hash_;
}

bool SeenEvents::contains(std::int32_t partition, std::string_view event_id) const {
    const auto it = partitions_.find(partition);
    return it != partitions_.end() && it->second.ids.contains(hash_of(event_id));
}

bool SeenEvents::insert(Partition& p, std::uint64_t id) {
    if (capacity_ == 0 || p.ids.contains(id)) return false;
    if (p.count == capacity_) {  // full (so the ring is too): forget the oldest
        p.ids.erase(p.ring[p.head]);
        p.head = p.head + 1 == p.ring.size() ? 0 : p.head + 1;
        --p.count;
    }
    if (p.count < p.ring.size()) {
        const std::size_t tail = p.head + p.count;
        p.ring[tail < p.ring.size() ? tail : tail - p.ring.size()] = id;
    } else {  // the ring grows towards capacity (head is still 0: only a ring at capacity evicts)
        if (p.ring.size() == p.ring.capacity()) {
            p.ring.reserve(std::min(capacity_, std::max<std::size_t>(kMinRing, 2 * p.ring.size())));
        }
        p.ring.push_back(id);
    }
    ++p.count;
    p.ids.insert(id);
    return true;
}

void SeenEvents::remove_newest(Partition& p) {
    const std::size_t tail = p.head + p.count - 1;
    p.ids.erase(p.ring[tail < p.ring.size() ? tail : tail - p.ring.size()]);
    --p.count;
}

void SeenEvents::add(std::int32_t partition, std::string_view event_id) {
    Partition& p = partitions_[partition];
    if (!insert(p, hash_of(event_id))) return;
    ++p.pending;
    auto it = std::find_if(open_.begin(), open_.end(), [&](const UnitIds& u) { return u.partition == partition; });
    if (it == open_.end()) it = open_.insert(open_.end(), UnitIds{partition, 0});
    ++it->count;
}

void SeenEvents::close_unit() {
    closed_.push_back(std::move(open_));
    open_.clear();
}

void SeenEvents::commit_unit(const Unit& unit) {
    for (const auto& [partition, count] : unit) {
        const auto it = partitions_.find(partition);
        if (it != partitions_.end()) it->second.pending -= std::min(count, it->second.pending);
    }
}

void SeenEvents::commit() {
    if (closed_.empty()) {
        commit_unit(open_);
        open_.clear();
        return;
    }
    commit_unit(closed_.front());
    closed_.pop_front();
}

void SeenEvents::abort() {
    // Pending ids are the newest of their partition: the last ones of its ring, unless capacity
    // already evicted some of them (those stay forgotten, as do the older ids they evicted).
    for (auto& [partition, p] : partitions_) {
        for (std::size_t n = std::min(p.pending, p.count); n > 0; --n) remove_newest(p);
        p.pending = 0;
    }
    open_.clear();
    closed_.clear();
}

void SeenEvents::forget_pending(std::int32_t partition) {
    const auto of_partition = [&](const UnitIds& u) { return u.partition == partition; };
    std::erase_if(open_, of_partition);
    for (Unit& unit : closed_) std::erase_if(unit, of_partition);
}

void SeenEvents::load(std::int32_t partition, const std::vector<std::string_view>& event_ids) {
    forget_pending(partition);
    Partition fresh;
    const std::size_t kept = std::min(capacity_, event_ids.size());
    fresh.ids.reserve(kept);
    fresh.ring.reserve(kept);
    for (const auto id : event_ids) insert(fresh, event_hash(id));
    partitions_.insert_or_assign(partition, std::move(fresh));
}

void SeenEvents::drop(std::int32_t partition) {
    forget_pending(partition);
    partitions_.erase(partition);
}

std::size_t SeenEvents::size(std::int32_t partition) const {
    const auto it = partitions_.find(partition);
    return it == partitions_.end() ? 0 : it->second.count;
}

}  // namespace streamstore::notification
