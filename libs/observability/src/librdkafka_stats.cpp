#include "streamstore/observability/librdkafka_stats.hpp"

#include <charconv>
#include <limits>
#include <stdexcept>
#include <system_error>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace streamstore::observability {
namespace {

namespace json = boost::json;

std::optional<std::int64_t> int_field(const json::object& object, std::string_view key) {
    const json::value* value = object.if_contains(key);
    if (value == nullptr) return std::nullopt;
    if (value->is_int64()) return value->get_int64();
    if (value->is_uint64() && value->get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return static_cast<std::int64_t>(value->get_uint64());
    }
    return std::nullopt;
}

std::optional<std::string_view> string_field(const json::object& object, std::string_view key) {
    const json::value* value = object.if_contains(key);
    if (value == nullptr || !value->is_string()) return std::nullopt;
    const json::string& string = value->get_string();
    return std::string_view(string.data(), string.size());
}

bool assigned(const json::object& partition) {
    // fetch_state: none, stopping, stopped, offset-query, offset-wait, validate-epoch-wait, active.
    const auto state = string_field(partition, "fetch_state");
    if (!state || *state == "none" || *state == "stopping" || *state == "stopped") return false;
    const json::value* desired = partition.if_contains("desired");
    return desired == nullptr || !desired->is_bool() || desired->get_bool();
}

std::optional<std::int32_t> partition_id(const json::object& partition, std::string_view key) {
    if (auto id = int_field(partition, "partition")) {
        if (*id < std::numeric_limits<std::int32_t>::min() || *id > std::numeric_limits<std::int32_t>::max()) {
            return std::nullopt;
        }
        return static_cast<std::int32_t>(*id);
    }
    std::int32_t id = 0;  // older versions: only the key says which partition
    const auto [end, error] = std::from_chars(key.data(), key.data() + key.size(), id);
    if (error != std::errc{} || end != key.data() + key.size()) return std::nullopt;
    return id;
}

std::optional<std::int64_t> lag_of(const json::object& partition) {
    std::optional<std::int64_t> end = int_field(partition, "ls_offset");
    if (!end || *end < 0) end = int_field(partition, "hi_offset");
    if (!end || *end < 0) return std::nullopt;
    std::optional<std::int64_t> position = int_field(partition, "app_offset");
    if (!position || *position < 0) position = int_field(partition, "committed_offset");
    if (!position || *position < 0) return std::nullopt;
    return *end > *position ? *end - *position : 0;
}

}  // namespace

std::optional<ConsumerLag> parse_consumer_lag(std::string_view stats_json) {
    std::error_code error;
    const json::value root = json::parse(json::string_view(stats_json.data(), stats_json.size()), error);
    if (error) throw std::invalid_argument("librdkafka statistics are not JSON: " + error.message());
    const json::object* top = root.if_object();
    if (top == nullptr) throw std::invalid_argument("librdkafka statistics are not a JSON object");
    const auto type = string_field(*top, "type");
    if (!type) throw std::invalid_argument("librdkafka statistics without a \"type\" string");
    if (*type != "consumer") return std::nullopt;
    const auto name = string_field(*top, "name");
    const auto client_id = string_field(*top, "client_id");
    if (!name || !client_id) {
        throw std::invalid_argument("librdkafka consumer statistics without \"name\" or \"client_id\" strings");
    }

    ConsumerLag result;
    result.name = *name;
    result.client_id = *client_id;
    result.ts = int_field(*top, "ts").value_or(0);
    const json::value* topics_value = top->if_contains("topics");
    const json::object* topics = topics_value != nullptr ? topics_value->if_object() : nullptr;
    if (topics == nullptr) return result;  // no topic known yet
    for (const auto& [topic_key, topic_value] : *topics) {
        const json::object* topic = topic_value.if_object();
        if (topic == nullptr) continue;
        const std::string_view topic_name = string_field(*topic, "topic").value_or(std::string_view(topic_key.data(), topic_key.size()));
        const json::value* partitions_value = topic->if_contains("partitions");
        const json::object* partitions = partitions_value != nullptr ? partitions_value->if_object() : nullptr;
        if (partitions == nullptr) continue;
        for (const auto& [partition_key, partition_value] : *partitions) {
            const json::object* partition = partition_value.if_object();
            if (partition == nullptr) continue;
            const auto id = partition_id(*partition, std::string_view(partition_key.data(), partition_key.size()));
            if (!id || *id < 0 || !assigned(*partition)) continue;
            const auto lag = lag_of(*partition);
            if (!lag) continue;
            result.partitions.push_back(PartitionLag{result.client_id, std::string(topic_name), *id, *lag});
        }
    }
    return result;
}

std::vector<PartitionLag> consumer_lag(std::string_view stats_json) noexcept {
    try {
        auto parsed = parse_consumer_lag(stats_json);
        if (!parsed) return {};
        return std::move(parsed->partitions);
    } catch (...) {
        return {};
    }
}

}  // namespace streamstore::observability
