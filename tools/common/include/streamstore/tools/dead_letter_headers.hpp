#pragma once
// What a dead letter's headers say: where its record came from, why it was dead-lettered, and
// whether its payload is whole. Parsing is strict, because the verifier reports dead letters
// whose headers are wrong: every problem found is listed, none throws.
// Thread safety: reentrant; no shared state.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "streamstore/messaging/dead_letter.hpp"
#include "streamstore/tools/record.hpp"

namespace streamstore::tools {

// Header names: those libs/messaging writes on every dead letter, plus the replay header.
using messaging::kDlqErrorClass;
using messaging::kDlqErrorMessage;
using messaging::kDlqOriginalOffset;
using messaging::kDlqOriginalPartition;
using messaging::kDlqOriginalTopic;
using messaging::kDlqPayloadOriginalBytes;
using messaging::kDlqPayloadTruncated;
/// Written by `streamstore-dlq replay` on each re-published record: "<dlq topic>[<p>]@<offset>".
inline constexpr std::string_view kDlqReplayedFrom = "dlq.replayed.from";

/// A dead letter's headers, parsed. Fields whose header is absent or malformed are empty/nullopt
/// and the reason is in `problems`.
struct DeadLetterHeaders {
    std::optional<std::string> original_topic;
    std::optional<std::int32_t> original_partition;
    std::optional<std::int64_t> original_offset;
    std::string error_class;
    std::string error_message;
    bool truncated = false;
    std::optional<std::uint64_t> original_bytes;  ///< only when truncated
    /// The truncation headers are malformed or contradict the payload: whether the payload is
    /// whole cannot be told (a replay must not trust it).
    bool truncation_unclear = false;
    /// One entry per header that is missing or malformed, e.g.
    /// "dlq.original.offset: 'x1' is not an offset". Empty when the headers are all right.
    std::vector<std::string> problems;

    [[nodiscard]] bool valid() const noexcept { return problems.empty(); }
    /// The payload is known to be the whole original payload.
    [[nodiscard]] bool payload_whole() const noexcept { return !truncated && !truncation_unclear; }
    /// (partition, offset) of the original record, when both headers parsed.
    [[nodiscard]] std::optional<Position> original_position() const;
};

/// Parses the dlq.* headers of `record`. Also checks that a truncated payload is shorter than
/// dlq.payload.original.bytes says the original was, and that an untruncated one carries no
/// original size that disagrees with it.
DeadLetterHeaders parse_dead_letter_headers(const Record& record);

/// Parses a decimal integer in [0, max] (digits only: no sign, no spaces); nullopt otherwise.
std::optional<std::int64_t> parse_non_negative(std::string_view text, std::int64_t max);

}  // namespace streamstore::tools
