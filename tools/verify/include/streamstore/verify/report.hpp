#pragma once
// The verifier's findings: what was read, what is wrong, and the verdict; plus the two ways to
// show them (a human summary and a JSON document).
// Thread safety: values and reentrant functions.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace streamstore::verify {

/// Examples kept per category (ids or record positions); the counts are always complete.
inline constexpr std::size_t kMaxExamples = 20;

/// What the pipeline promises, which decides which findings fail the check.
enum class Expectation {
    exactly_once,   ///< any lost or duplicate payment, notification or dead letter fails
    at_least_once,  ///< losses fail; duplicates are reported but pass
};
std::string_view to_string(Expectation expectation) noexcept;  ///< "exactly-once", "at-least-once"
std::optional<Expectation> parse_expectation(std::string_view text) noexcept;

/// Every kind of finding. Unit of each count in brackets.
enum class Category {
    duplicate_orders,             ///< [order ids] on more than one good order record; informational
    lost_payments,                ///< [orders] good orders without a committed payment
    duplicate_payments,           ///< [orders] with more than one committed payment
    conflicting_payments,         ///< [orders] with both an approved and a declined committed payment
    unknown_order_payments,       ///< [order ids] committed payments for orders not on the orders topic
    bad_payments,                 ///< [records] committed payments that do not decode, or keyed by another id
    aborted_payments,             ///< [records] read uncommitted, absent committed, below the last stable offset
    open_payments,                ///< [records] at or past the last stable offset: transactions still open
    lost_notifications,           ///< [orders] missing their order_received or their outcome notification
    duplicate_notifications,      ///< [orders] with more than one order_received or more than one outcome
    mismatched_notifications,     ///< [orders] with an outcome notification no committed payment backs
    unknown_order_notifications,  ///< [order ids] notifications for orders not on the orders topic
    bad_notifications,            ///< [records] notifications that do not decode, or keyed by another id
    aborted_notifications,        ///< [records] as for payments
    open_notifications,           ///< [records] as for payments
    missing_dead_letters,         ///< [bad order records] without a dead letter
    duplicate_dead_letters,       ///< [bad order records] with more than one dead letter
    wrong_header_dead_letters,    ///< [dead letters] whose headers are missing or malformed, point at no record
                                  ///< of the orders topic, or name another error class than the record's
    wrong_payload_dead_letters,   ///< [dead letters] whose payload is not the record's (or its start, if truncated)
    good_record_dead_letters,     ///< [dead letters] pointing at a record that decodes
};
inline constexpr std::size_t kCategoryCount = static_cast<std::size_t>(Category::good_record_dead_letters) + 1;

std::string_view key(Category category) noexcept;    ///< JSON key: "lost_payments"
std::string_view label(Category category) noexcept;  ///< summary label: "lost payments"
/// Whether a non-zero count fails the check under `expectation`.
bool fails(Category category, Expectation expectation) noexcept;
/// Whether the category belongs to the notification checks (skipped with --no-notifications).
bool is_notification_check(Category category) noexcept;

struct Finding {
    std::uint64_t count = 0;
    std::vector<std::string> examples;  ///< the first kMaxExamples, in reading order

    void add(std::string example);
};

/// How many records each topic held.
struct Totals {
    std::uint64_t good_orders = 0;              ///< order records that decode
    std::uint64_t bad_orders = 0;               ///< order records that do not
    std::uint64_t distinct_orders = 0;          ///< distinct order ids among the good ones
    std::uint64_t committed_payments = 0;       ///< records read with read_committed
    std::uint64_t uncommitted_payments = 0;     ///< records read with read_uncommitted
    std::uint64_t committed_notifications = 0;
    std::uint64_t uncommitted_notifications = 0;
    std::uint64_t dead_letters = 0;
};

/// Topic names, to name positions in the report.
struct Topics {
    std::string orders = "orders";
    std::string payments = "payments";
    std::string notifications = "notifications";
    std::string dead_letters = "orders.dlq";
};

struct Report {
    Expectation expectation = Expectation::exactly_once;
    std::optional<std::uint64_t> expected_orders;
    bool notifications_checked = true;
    Topics topics;
    Totals totals;
    std::array<Finding, kCategoryCount> findings;
    /// Why the check failed, one phrase each ("20 lost payments"); empty when it passed.
    std::vector<std::string> failures;

    [[nodiscard]] bool passed() const noexcept { return failures.empty(); }
    [[nodiscard]] const Finding& operator[](Category c) const { return findings[static_cast<std::size_t>(c)]; }
    [[nodiscard]] Finding& operator[](Category c) { return findings[static_cast<std::size_t>(c)]; }
    /// The categories this run checked, in display order (without the notification ones when
    /// they were skipped).
    [[nodiscard]] std::vector<Category> checked_categories() const;
};

/// The human summary: totals, one line per checked category with its count (and up to three
/// examples when non-zero), and a last line "PASS" or "FAIL: <reasons>". Ends with a newline.
std::string format_summary(const Report& report);

/// The full report as JSON: settings, totals, every checked category with its count, examples
/// and whether it fails, the failures and the verdict ("pass"/"fail").
std::string to_json(const Report& report);

}  // namespace streamstore::verify
