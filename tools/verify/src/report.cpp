#include "streamstore/verify/report.hpp"

#include <algorithm>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace streamstore::verify {

namespace {
struct CategoryInfo {
    std::string_view key;
    std::string_view label;
};

// Indexed by Category.
constexpr std::array<CategoryInfo, kCategoryCount> kCategories{{
    {"duplicate_orders", "duplicate orders"},
    {"lost_payments", "lost payments"},
    {"duplicate_payments", "duplicate payments"},
    {"conflicting_payments", "conflicting payments"},
    {"unknown_order_payments", "payments for unknown orders"},
    {"bad_payments", "bad payments"},
    {"aborted_payments", "aborted payments"},
    {"open_payments", "payments in open transactions"},
    {"lost_notifications", "lost notifications"},
    {"duplicate_notifications", "duplicate notifications"},
    {"mismatched_notifications", "mismatched notifications"},
    {"unknown_order_notifications", "notifications for unknown orders"},
    {"bad_notifications", "bad notifications"},
    {"aborted_notifications", "aborted notifications"},
    {"open_notifications", "notifications in open transactions"},
    {"missing_dead_letters", "missing dead letters"},
    {"duplicate_dead_letters", "duplicate dead letters"},
    {"wrong_header_dead_letters", "dead letters with wrong headers"},
    {"wrong_payload_dead_letters", "dead letters with wrong payloads"},
    {"good_record_dead_letters", "dead letters for good records"},
}};

const CategoryInfo& info(Category c) { return kCategories[static_cast<std::size_t>(c)]; }

constexpr std::size_t kSummaryExamples = 3;
}  // namespace

std::string_view to_string(Expectation expectation) noexcept {
    return expectation == Expectation::exactly_once ? "exactly-once" : "at-least-once";
}

std::optional<Expectation> parse_expectation(std::string_view text) noexcept {
    if (text == "exactly-once") return Expectation::exactly_once;
    if (text == "at-least-once") return Expectation::at_least_once;
    return std::nullopt;
}

std::string_view key(Category category) noexcept { return info(category).key; }
std::string_view label(Category category) noexcept { return info(category).label; }

bool fails(Category category, Expectation expectation) noexcept {
    switch (category) {
        case Category::duplicate_orders:
        case Category::aborted_payments:
        case Category::open_payments:
        case Category::aborted_notifications:
        case Category::open_notifications:
            return false;  // facts about the input and about transactions, not faults
        case Category::duplicate_payments:
        case Category::duplicate_notifications:
        case Category::duplicate_dead_letters:
            return expectation == Expectation::exactly_once;
        default:
            return true;
    }
}

bool is_notification_check(Category category) noexcept {
    switch (category) {
        case Category::lost_notifications:
        case Category::duplicate_notifications:
        case Category::mismatched_notifications:
        case Category::unknown_order_notifications:
        case Category::bad_notifications:
        case Category::aborted_notifications:
        case Category::open_notifications:
            return true;
        default:
            return false;
    }
}

void Finding::add(std::string example) {
    ++count;
    if (examples.size() < kMaxExamples) examples.push_back(std::move(example));
}

std::vector<Category> Report::checked_categories() const {
    std::vector<Category> categories;
    for (std::size_t i = 0; i < kCategoryCount; ++i) {
        const auto c = static_cast<Category>(i);
        if (notifications_checked || !is_notification_check(c)) categories.push_back(c);
    }
    return categories;
}

std::string format_summary(const Report& r) {
    std::vector<std::pair<std::string, std::string>> lines;  // label, value
    const auto& t = r.totals;
    lines.emplace_back("orders", std::to_string(t.good_orders) + " good (" + std::to_string(t.distinct_orders) +
                                     " distinct ids), " + std::to_string(t.bad_orders) + " bad");
    lines.emplace_back("payments", std::to_string(t.committed_payments) + " committed, " +
                                       std::to_string(t.uncommitted_payments) + " read uncommitted");
    lines.emplace_back("notifications", r.notifications_checked
                                            ? std::to_string(t.committed_notifications) + " committed, " +
                                                  std::to_string(t.uncommitted_notifications) + " read uncommitted"
                                            : std::string("not checked (--no-notifications)"));
    lines.emplace_back("dead letters", std::to_string(t.dead_letters));
    for (const Category c : r.checked_categories()) {
        const Finding& f = r[c];
        std::string value = std::to_string(f.count);
        if (f.count > 0 && !f.examples.empty()) {
            value += " (e.g. ";
            for (std::size_t i = 0; i < std::min(kSummaryExamples, f.examples.size()); ++i) {
                if (i > 0) value += ", ";
                value += f.examples[i];
            }
            value += f.count > kSummaryExamples ? ", ...)" : ")";
        }
        lines.emplace_back(label(c), std::move(value));
    }

    std::size_t width = 0;
    for (const auto& line : lines) width = std::max(width, line.first.size());
    std::string out = "expect " + std::string(to_string(r.expectation));
    if (r.expected_orders) out += ", " + std::to_string(*r.expected_orders) + " orders";
    out += " (topics " + r.topics.orders + ", " + r.topics.payments;
    if (r.notifications_checked) out += ", " + r.topics.notifications;
    out += ", " + r.topics.dead_letters + ")\n";
    for (const auto& [name, value] : lines) {
        out += name;
        out += ':';
        out.append(width + 2 - name.size() - 1, ' ');
        out += value;
        out += '\n';
    }
    if (r.passed()) {
        out += "PASS\n";
    } else {
        out += "FAIL: ";
        for (std::size_t i = 0; i < r.failures.size(); ++i) {
            if (i > 0) out += ", ";
            out += r.failures[i];
        }
        out += '\n';
    }
    return out;
}

std::string to_json(const Report& r) {
    namespace json = boost::json;
    json::object topics{{"orders", r.topics.orders},
                        {"payments", r.topics.payments},
                        {"dead_letters", r.topics.dead_letters}};
    if (r.notifications_checked) topics["notifications"] = r.topics.notifications;
    const auto& t = r.totals;
    json::object totals{{"good_orders", t.good_orders},
                        {"bad_orders", t.bad_orders},
                        {"distinct_orders", t.distinct_orders},
                        {"committed_payments", t.committed_payments},
                        {"uncommitted_payments", t.uncommitted_payments},
                        {"dead_letters", t.dead_letters}};
    if (r.notifications_checked) {
        totals["committed_notifications"] = t.committed_notifications;
        totals["uncommitted_notifications"] = t.uncommitted_notifications;
    }
    json::object categories;
    for (const Category c : r.checked_categories()) {
        json::array examples;
        for (const auto& e : r[c].examples) examples.emplace_back(e);
        categories[key(c)] = json::object{{"count", r[c].count},
                                          {"examples", std::move(examples)},
                                          {"fails", fails(c, r.expectation)}};
    }
    json::array failures;
    for (const auto& f : r.failures) failures.emplace_back(f);
    json::object doc{{"verdict", r.passed() ? "pass" : "fail"},
                     {"expect", to_string(r.expectation)},
                     {"notifications_checked", r.notifications_checked},
                     {"topics", std::move(topics)},
                     {"totals", std::move(totals)},
                     {"categories", std::move(categories)},
                     {"failures", std::move(failures)}};
    if (r.expected_orders) doc["expected_orders"] = *r.expected_orders;
    else doc["expected_orders"] = nullptr;
    return json::serialize(doc) + "\n";
}

}  // namespace streamstore::verify
