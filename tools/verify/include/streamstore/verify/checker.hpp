#pragma once
// The reliability check itself, without Kafka: fed the records of the orders, payments,
// notifications and dead letter topics, it says which orders lost their payment or
// notifications, which were paid or notified twice, which records belong to aborted
// transactions, and whether every bad order record was dead-lettered exactly once.
//
// Records are decoded here (libs/events codec) so that what counts as a good order is exactly
// what the services accept. Memory: per distinct order id a small state, per committed payment
// or notification 8 bytes, per bad order record and per dead letter a copy of the payload.
//
// Feeding order: orders, payments, notifications and dead letters may come in any order relative
// to each other, but for payments and notifications each stream's read_committed records come
// first, then end_committed() with that pass's end offsets, then its read_uncommitted records
// (a record only in the second pass is aborted if it lies below the first pass's last stable
// offset, and still open if at or past it). Violations throw std::logic_error.
// Thread safety: none; one thread feeds a Checker.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "streamstore/events/events.hpp"
#include "streamstore/tools/dead_letter_headers.hpp"
#include "streamstore/tools/record.hpp"
#include "streamstore/verify/report.hpp"

namespace streamstore::verify {

struct Settings {
    Expectation expectation = Expectation::exactly_once;
    std::optional<std::uint64_t> expected_orders;  ///< fail unless exactly this many good orders
    bool check_notifications = true;
    Topics topics;
};

/// The two transactional streams read twice (read_committed, then read_uncommitted).
enum class Stream { payments, notifications };

class Checker {
public:
    explicit Checker(Settings settings);

    /// A record of the orders topic (read_committed).
    void add_order(const tools::Record& record);
    /// A record of `stream` read with read_committed.
    void add_committed(Stream stream, const tools::Record& record);
    /// The read_committed pass of `stream` is over; `end_offsets` are its partitions' ends.
    void end_committed(Stream stream, const std::map<std::int32_t, std::int64_t>& end_offsets);
    /// A record of `stream` read with read_uncommitted. Precondition: end_committed(stream).
    void add_uncommitted(Stream stream, const tools::Record& record);
    /// A record of the dead letter topic (read_committed).
    void add_dead_letter(const tools::Record& record);

    /// Classifies everything fed so far.
    [[nodiscard]] Report report() const;

private:
    struct OrderState {
        std::uint32_t order_records = 0;  ///< good order records with this id
        std::uint32_t payments = 0;       ///< committed payments
        bool approved = false;            ///< a committed payment approved it
        bool declined = false;            ///< a committed payment declined it
        std::uint32_t received = 0;       ///< committed order_received notifications
        std::uint32_t outcomes = 0;       ///< committed payment_approved / payment_declined notifications
        bool approved_notified = false;
        bool declined_notified = false;
    };
    struct BadOrder {
        std::string error_class;  ///< what the codec says, to compare with dlq.error.class
        std::string payload;
        std::uint32_t dead_letters = 0;
    };
    struct DeadLetter {
        tools::Position position;  ///< in the dead letter topic
        tools::DeadLetterHeaders headers;
        std::string payload;
    };
    struct StreamState {
        bool committed_done = false;
        std::uint64_t committed = 0;
        std::uint64_t uncommitted = 0;
        std::map<std::int32_t, std::vector<std::int64_t>> committed_offsets;  ///< sorted per partition
        std::map<std::int32_t, std::int64_t> end_offsets;
        Finding bad;
        Finding aborted;
        Finding open;
    };

    OrderState& state_of(const std::string& order_id);
    StreamState& stream(Stream s) { return streams_[s == Stream::payments ? 0 : 1]; }
    [[nodiscard]] const std::string& topic_of(Stream s) const;
    void add_payment(const tools::Record& record);
    void add_notification(const tools::Record& record);

    Settings settings_;
    std::unordered_map<std::string, OrderState> orders_;
    std::vector<const std::string*> first_seen_;  ///< keys of orders_ in first-seen order (nodes are stable)
    std::uint64_t good_orders_ = 0;
    std::map<std::int32_t, std::vector<std::int64_t>> good_offsets_;  ///< good order records, per partition
    std::map<tools::Position, BadOrder> bad_orders_;
    std::vector<DeadLetter> dead_letters_;
    StreamState streams_[2];
};

}  // namespace streamstore::verify
