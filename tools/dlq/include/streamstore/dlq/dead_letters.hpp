#pragma once
// streamstore-dlq's plain parts, without Kafka: how a dead letter is shown, which ones a replay
// selects, where each goes, what is sent, and the summary line.
// Thread safety: values and reentrant functions.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "streamstore/tools/dead_letter_headers.hpp"
#include "streamstore/tools/record.hpp"

namespace streamstore::dlq {

/// A dead letter as the tool lists and replays it.
struct DeadLetter {
    tools::Position position;        ///< in the dead letter topic
    std::optional<std::string> key;  ///< the original record's key, kept on replay
    std::string payload;             ///< empty when not kept (listing needs only the size)
    std::size_t payload_bytes = 0;   ///< bytes carried by the dead letter
    tools::DeadLetterHeaders headers;
};

/// The dead letter in `record`; its payload is copied only when `keep_payload`.
DeadLetter to_dead_letter(const tools::Record& record, bool keep_payload);

/// `text` up to its first line break, control characters as spaces, at most `max_chars` bytes
/// (cut at a UTF-8 character boundary, then "...").
std::string one_line(std::string_view text, std::size_t max_chars = 160);

/// One `list` line: dead letter position, original position, error class, payload size (and
/// truncation), error message on one line, then any header problems. E.g.
/// `orders.dlq[0]@12  orders[2]@345  malformed_json  17 bytes  not valid JSON: syntax error`.
std::string format_list_line(std::string_view dlq_topic, const DeadLetter& letter);

/// The same as one compact JSON object (no trailing newline), for `list --json` (JSON lines).
std::string to_json_line(std::string_view dlq_topic, const DeadLetter& letter);

/// Parses --offsets: "P:O[,P:O...]" (partition and offset, non-negative decimals). Returns the
/// positions, or nullopt with the reason in `error`.
std::optional<std::vector<tools::Position>> parse_positions(std::string_view text, std::string& error);

/// Which dead letters a replay takes. Empty lists select everything; both filters must match.
struct Selection {
    std::vector<std::string> error_classes;  ///< --error-class (exact dlq.error.class; any of them)
    std::vector<tools::Position> positions;  ///< --offsets (positions in the dead letter topic)

    [[nodiscard]] bool selects(const DeadLetter& letter) const;
};

/// What a replay does with one selected dead letter.
struct ReplayPlan {
    bool replay = false;
    std::string destination;  ///< when replay: --to, else dlq.original.topic
    std::string reason;       ///< when not: why it is skipped
};

/// Replays to `to` when given, else to the dead letter's original topic. Skips a dead letter
/// whose payload is truncated (or whose truncation headers cannot be trusted: replaying part of
/// a record would publish a different record) and one with no original topic and no `to`.
ReplayPlan plan_replay(const DeadLetter& letter, const std::optional<std::string>& to);

/// The record a replay sends: the dead letter's key and payload to `destination`, with header
/// dlq.replayed.from = "<dlq topic>[<partition>]@<offset>". Precondition: the payload was kept.
tools::OutgoingRecord replay_record(std::string_view dlq_topic, const DeadLetter& letter,
                                    const std::string& destination);

struct ReplaySummary {
    std::uint64_t replayed = 0;  ///< delivered (or, in a dry run, that would be sent)
    std::uint64_t skipped = 0;   ///< not sent: truncated, no destination, or --offsets not found
    std::uint64_t failed = 0;    ///< sent but not delivered
    bool dry_run = false;
};

/// "replayed N, skipped M, failed K"; in a dry run "dry run: would replay N, skipped M, failed 0".
std::string format_summary(const ReplaySummary& summary);

}  // namespace streamstore::dlq
