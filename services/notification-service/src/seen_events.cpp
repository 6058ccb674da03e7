#include "seen_events.hpp"

namespace streamstore::notification {

std::uint64_t event_hash(std::string_view event_id) noexcept {
    std::uint64_t hash = 14695981039346656037ULL;
    for (const char c : event_id) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 1099511628211ULL;
    }
    return hash;
}

bool SeenEvents::contains(std::int32_t partition, std::string_view event_id) const {
    const auto it = partitions_.find(partition);
    return it != partitions_.end() && it->second.ids.contains(event_hash(event_id));
}

void SeenEvents::insert(Partition& p, std::uint64_t id) {
    if (!p.ids.insert(id).second) return;
    p.order.push_back(id);
    while (p.order.size() > capacity_) {
        p.ids.erase(p.order.front());
        p.order.pop_front();
    }
}

void SeenEvents::add(std::int32_t partition, std::string_view event_id) {
    const std::uint64_t id = event_hash(event_id);
    insert(partitions_[partition], id);
    pending_.emplace_back(partition, id);
}

void SeenEvents::commit() { pending_.clear(); }

void SeenEvents::abort() {
    for (const auto& [partition, id] : pending_) {
        auto it = partitions_.find(partition);
        if (it == partitions_.end()) continue;
        it->second.ids.erase(id);
        std::erase(it->second.order, id);
    }
    pending_.clear();
}

void SeenEvents::load(std::int32_t partition, const std::vector<std::string_view>& event_ids) {
    Partition fresh;
    for (const auto id : event_ids) insert(fresh, event_hash(id));
    partitions_[partition] = std::move(fresh);
}

std::size_t SeenEvents::size(std::int32_t partition) const {
    const auto it = partitions_.find(partition);
    return it == partitions_.end() ? 0 : it->second.ids.size();
}

}  // namespace streamstore::notification
