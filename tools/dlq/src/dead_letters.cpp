#include "streamstore/dlq/dead_letters.hpp"

#include <algorithm>
#include <limits>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace streamstore::dlq {

DeadLetter to_dead_letter(const tools::Record& record, bool keep_payload) {
    DeadLetter letter;
    letter.position = record.position;
    letter.key = record.key;
    letter.payload_bytes = record.payload().size();
    if (keep_payload) letter.payload = std::string(record.payload());
    letter.headers = tools::parse_dead_letter_headers(record);
    return letter;
}

std::string one_line(std::string_view text, std::size_t max_chars) {
    const std::size_t line_end = text.find_first_of("\r\n");
    const bool more_lines = line_end != std::string_view::npos && text.find_first_not_of("\r\n", line_end) != std::string_view::npos;
    text = text.substr(0, line_end);
    bool cut = more_lines;
    if (text.size() > max_chars) {
        std::size_t end = max_chars;
        // Do not split a UTF-8 sequence: back up over continuation bytes (10xxxxxx).
        while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
        text = text.substr(0, end);
        cut = true;
    }
    std::string out(text);
    for (char& c : out) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
    }
    if (cut) out += "...";
    return out;
}

namespace {
std::string original_position(const tools::DeadLetterHeaders& h) {
    std::string text = h.original_topic.value_or("?");
    text += '[';
    text += h.original_partition ? std::to_string(*h.original_partition) : "?";
    text += "]@";
    text += h.original_offset ? std::to_string(*h.original_offset) : "?";
    return text;
}
}  // namespace

std::string format_list_line(std::string_view dlq_topic, const DeadLetter& letter) {
    const auto& h = letter.headers;
    std::string line = tools::format_position(dlq_topic, letter.position);
    line += "  ";
    line += original_position(h);
    line += "  ";
    line += h.error_class.empty() ? "?" : one_line(h.error_class, 64);
    line += "  ";
    line += std::to_string(letter.payload_bytes) + " bytes";
    if (h.truncated) {
        line += ", truncated from ";
        line += h.original_bytes ? std::to_string(*h.original_bytes) : "?";
    }
    line += "  ";
    line += one_line(h.error_message);
    if (!h.valid()) {
        line += "  [header problems: ";
        for (std::size_t i = 0; i < h.problems.size(); ++i) {
            if (i > 0) line += "; ";
            line += one_line(h.problems[i]);
        }
        line += "]";
    }
    return line;
}

std::string to_json_line(std::string_view dlq_topic, const DeadLetter& letter) {
    namespace json = boost::json;
    const auto& h = letter.headers;
    json::object original;
    original["topic"] = h.original_topic ? json::value(*h.original_topic) : json::value(nullptr);
    original["partition"] = h.original_partition ? json::value(*h.original_partition) : json::value(nullptr);
    original["offset"] = h.original_offset ? json::value(*h.original_offset) : json::value(nullptr);
    json::array problems;
    for (const auto& p : h.problems) problems.emplace_back(p);
    json::object doc{{"topic", dlq_topic},
                     {"partition", letter.position.partition},
                     {"offset", letter.position.offset},
                     {"original", std::move(original)},
                     {"error_class", h.error_class},
                     {"error_message", h.error_message},
                     {"payload_bytes", letter.payload_bytes},
                     {"truncated", h.truncated},
                     {"problems", std::move(problems)}};
    doc["key"] = letter.key ? json::value(*letter.key) : json::value(nullptr);
    doc["original_bytes"] = h.original_bytes ? json::value(*h.original_bytes) : json::value(nullptr);
    return json::serialize(doc);
}

std::optional<std::vector<tools::Position>> parse_positions(std::string_view text, std::string& error) {
    std::vector<tools::Position> positions;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        const std::string_view item = text.substr(start, comma - start);
        const std::size_t colon = item.find(':');
        std::optional<std::int64_t> partition;
        std::optional<std::int64_t> offset;
        if (colon != std::string_view::npos) {
            partition = tools::parse_non_negative(item.substr(0, colon), std::numeric_limits<std::int32_t>::max());
            offset = tools::parse_non_negative(item.substr(colon + 1), std::numeric_limits<std::int64_t>::max());
        }
        if (!partition || !offset) {
            error = "'" + std::string(item) + "' is not PARTITION:OFFSET (e.g. 0:42)";
            return std::nullopt;
        }
        positions.push_back({static_cast<std::int32_t>(*partition), *offset});
        start = comma + 1;
    }
    return positions;
}

bool Selection::selects(const DeadLetter& letter) const {
    if (!error_classes.empty() &&
        std::find(error_classes.begin(), error_classes.end(), letter.headers.error_class) == error_classes.end()) {
        return false;
    }
    return positions.empty() || std::find(positions.begin(), positions.end(), letter.position) != positions.end();
}

ReplayPlan plan_replay(const DeadLetter& letter, const std::optional<std::string>& to) {
    const auto& h = letter.headers;
    if (h.truncated) {
        return {false, {},
                "payload truncated (" + std::to_string(letter.payload_bytes) + " of " +
                    (h.original_bytes ? std::to_string(*h.original_bytes) : std::string("?")) + " bytes)"};
    }
    if (h.truncation_unclear) return {false, {}, "cannot tell whether the payload is whole (malformed dlq.payload.* headers)"};
    if (to) return {true, *to, {}};
    if (!h.original_topic) return {false, {}, "no dlq.original.topic header (use --to)"};
    return {true, *h.original_topic, {}};
}

tools::OutgoingRecord replay_record(std::string_view dlq_topic, const DeadLetter& letter,
                                    const std::string& destination) {
    tools::OutgoingRecord record;
    record.topic = destination;
    record.key = letter.key;
    record.value = letter.payload;
    record.headers.emplace_back(std::string(tools::kDlqReplayedFrom), tools::format_position(dlq_topic, letter.position));
    return record;
}

std::string format_summary(const ReplaySummary& s) {
    std::string text = s.dry_run ? "dry run: would replay " : "replayed ";
    text += std::to_string(s.replayed) + ", skipped " + std::to_string(s.skipped) + ", failed " +
            std::to_string(s.failed);
    return text;
}

}  // namespace streamstore::dlq
