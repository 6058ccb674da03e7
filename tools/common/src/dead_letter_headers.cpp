#include "streamstore/tools/dead_letter_headers.hpp"

#include <charconv>
#include <limits>

namespace streamstore::tools {

std::optional<std::int64_t> parse_non_negative(std::string_view text, std::int64_t max) {
    if (text.empty() || text.front() < '0' || text.front() > '9') return std::nullopt;
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value > max) return std::nullopt;
    return value;
}

std::optional<Position> DeadLetterHeaders::original_position() const {
    if (!original_partition || !original_offset) return std::nullopt;
    return Position{*original_partition, *original_offset};
}

namespace {
std::string quoted(std::string_view text) {
    constexpr std::size_t kMax = 40;  // a problem line names the value, it does not reproduce it
    std::string out = "'";
    out += text.substr(0, kMax);
    if (text.size() > kMax) out += "...";
    out += "'";
    return out;
}

// The header's value, or nullopt after noting that it is missing.
std::optional<std::string_view> required(const Record& record, std::string_view name,
                                         std::vector<std::string>& problems) {
    auto value = record.header(name);
    if (!value) problems.push_back(std::string(name) + ": missing");
    return value;
}
}  // namespace

DeadLetterHeaders parse_dead_letter_headers(const Record& record) {
    DeadLetterHeaders h;
    auto& problems = h.problems;

    if (auto topic = required(record, kDlqOriginalTopic, problems)) {
        if (topic->empty()) problems.push_back(std::string(kDlqOriginalTopic) + ": empty");
        else h.original_topic = std::string(*topic);
    }
    if (auto text = required(record, kDlqOriginalPartition, problems)) {
        if (auto p = parse_non_negative(*text, std::numeric_limits<std::int32_t>::max())) {
            h.original_partition = static_cast<std::int32_t>(*p);
        } else {
            problems.push_back(std::string(kDlqOriginalPartition) + ": " + quoted(*text) + " is not a partition");
        }
    }
    if (auto text = required(record, kDlqOriginalOffset, problems)) {
        if (auto o = parse_non_negative(*text, std::numeric_limits<std::int64_t>::max())) {
            h.original_offset = *o;
        } else {
            problems.push_back(std::string(kDlqOriginalOffset) + ": " + quoted(*text) + " is not an offset");
        }
    }
    if (auto error_class = required(record, kDlqErrorClass, problems)) {
        if (error_class->empty()) problems.push_back(std::string(kDlqErrorClass) + ": empty");
        h.error_class = std::string(*error_class);
    }
    if (auto message = required(record, kDlqErrorMessage, problems)) h.error_message = std::string(*message);

    const std::size_t problems_before = problems.size();
    const auto truncated = record.header(kDlqPayloadTruncated);
    const auto original_bytes = record.header(kDlqPayloadOriginalBytes);
    if (truncated && *truncated != "true" && *truncated != "false") {
        problems.push_back(std::string(kDlqPayloadTruncated) + ": " + quoted(*truncated) + " is not true or false");
    }
    h.truncated = truncated && *truncated == "true";
    std::optional<std::int64_t> bytes;
    if (original_bytes) {
        bytes = parse_non_negative(*original_bytes, std::numeric_limits<std::int64_t>::max());
        if (!bytes) {
            problems.push_back(std::string(kDlqPayloadOriginalBytes) + ": " + quoted(*original_bytes) +
                               " is not a size");
        }
    }
    const auto carried = static_cast<std::int64_t>(record.payload().size());
    if (h.truncated) {
        if (!original_bytes) {
            problems.push_back(std::string(kDlqPayloadOriginalBytes) + ": missing (required when " +
                               std::string(kDlqPayloadTruncated) + " is true)");
        } else if (bytes && *bytes <= carried) {
            problems.push_back(std::string(kDlqPayloadOriginalBytes) + ": " + std::to_string(*bytes) +
                               " is not more than the " + std::to_string(carried) + " bytes carried");
        }
        if (bytes) h.original_bytes = static_cast<std::uint64_t>(*bytes);
    } else if (bytes && *bytes != carried) {
        problems.push_back(std::string(kDlqPayloadOriginalBytes) + ": " + std::to_string(*bytes) +
                           " bytes, but the payload is whole and has " + std::to_string(carried));
    }
    h.truncation_unclear = problems.size() > problems_before;
    return h;
}

}  // namespace streamstore::tools
