#include "streamstore/verify/checker.hpp"

#include <algorithm>
#include <stdexcept>

#include "streamstore/events/codec.hpp"

namespace streamstore::verify {

namespace {
bool contains(const std::map<std::int32_t, std::vector<std::int64_t>>& offsets, tools::Position position) {
    const auto it = offsets.find(position.partition);
    return it != offsets.end() && std::binary_search(it->second.begin(), it->second.end(), position.offset);
}

void insert_sorted(std::vector<std::int64_t>& offsets, std::int64_t offset) {
    // Records arrive in offset order per partition, so this is an append in practice.
    if (offsets.empty() || offsets.back() < offset) offsets.push_back(offset);
    else offsets.insert(std::lower_bound(offsets.begin(), offsets.end(), offset), offset);
}
}  // namespace

Checker::Checker(Settings settings) : settings_(std::move(settings)) {}

Checker::OrderState& Checker::state_of(const std::string& order_id) {
    auto [it, inserted] = orders_.try_emplace(order_id);
    if (inserted) first_seen_.push_back(&it->first);
    return it->second;
}

const std::string& Checker::topic_of(Stream s) const {
    return s == Stream::payments ? settings_.topics.payments : settings_.topics.notifications;
}

void Checker::add_order(const tools::Record& record) {
    auto order = events::decode_order_event(record.payload());
    if (order) {
        ++good_orders_;
        ++state_of(order.value().data.order_id).order_records;
        insert_sorted(good_offsets_[record.position.partition], record.position.offset);
    } else {
        bad_orders_[record.position] = BadOrder{std::string(events::to_string(order.error().code)),
                                                std::string(record.payload()), 0};
    }
}

void Checker::add_committed(Stream s, const tools::Record& record) {
    StreamState& st = stream(s);
    if (st.committed_done) throw std::logic_error("verify::Checker: a read_committed record after end_committed()");
    ++st.committed;
    insert_sorted(st.committed_offsets[record.position.partition], record.position.offset);
    if (s == Stream::payments) add_payment(record);
    else add_notification(record);
}

void Checker::add_payment(const tools::Record& record) {
    auto payment = events::decode_payment_event(record.payload());
    if (!payment) {
        stream(Stream::payments).bad.add(tools::format_position(settings_.topics.payments, record.position));
        return;
    }
    const events::Payment& p = payment.value().data;
    if (record.key_or_empty() != p.order_id) {
        stream(Stream::payments).bad.add(tools::format_position(settings_.topics.payments, record.position));
    }
    OrderState& state = state_of(p.order_id);
    ++state.payments;
    (p.status == events::PaymentStatus::approved ? state.approved : state.declined) = true;
}

void Checker::add_notification(const tools::Record& record) {
    auto notification = events::decode_notification_event(record.payload());
    if (!notification) {
        stream(Stream::notifications).bad.add(tools::format_position(settings_.topics.notifications, record.position));
        return;
    }
    const events::Notification& n = notification.value().data;
    if (record.key_or_empty() != n.order_id) {
        stream(Stream::notifications).bad.add(tools::format_position(settings_.topics.notifications, record.position));
    }
    OrderState& state = state_of(n.order_id);
    switch (n.kind) {
        case events::NotificationKind::order_received: ++state.received; break;
        case events::NotificationKind::payment_approved: ++state.outcomes; state.approved_notified = true; break;
        case events::NotificationKind::payment_declined: ++state.outcomes; state.declined_notified = true; break;
    }
}

void Checker::end_committed(Stream s, const std::map<std::int32_t, std::int64_t>& end_offsets) {
    StreamState& st = stream(s);
    st.committed_done = true;
    st.end_offsets = end_offsets;
}

void Checker::add_uncommitted(Stream s, const tools::Record& record) {
    StreamState& st = stream(s);
    if (!st.committed_done) throw std::logic_error("verify::Checker: a read_uncommitted record before end_committed()");
    ++st.uncommitted;
    if (contains(st.committed_offsets, record.position)) return;
    // Not visible to read_committed. Below the last stable offset its transaction was decided
    // (so: aborted); at or past it, the transaction was still open during the committed pass.
    const auto end = st.end_offsets.find(record.position.partition);
    const bool decided = end != st.end_offsets.end() && record.position.offset < end->second;
    std::string id;
    if (s == Stream::payments) {
        auto payment = events::decode_payment_event(record.payload());
        if (payment) id = payment.value().data.order_id;
    } else {
        auto notification = events::decode_notification_event(record.payload());
        if (notification) id = notification.value().data.order_id;
    }
    if (id.empty()) id = tools::format_position(topic_of(s), record.position);
    (decided ? st.aborted : st.open).add(std::move(id));
}

void Checker::add_dead_letter(const tools::Record& record) {
    dead_letters_.push_back({record.position, tools::parse_dead_letter_headers(record), std::string(record.payload())});
}

Report Checker::report() const {
    Report r;
    r.expectation = settings_.expectation;
    r.expected_orders = settings_.expected_orders;
    r.notifications_checked = settings_.check_notifications;
    r.topics = settings_.topics;

    const StreamState& payments = streams_[0];
    const StreamState& notifications = streams_[1];
    r.totals.good_orders = good_orders_;
    r.totals.bad_orders = bad_orders_.size();
    r.totals.committed_payments = payments.committed;
    r.totals.uncommitted_payments = payments.uncommitted;
    r.totals.committed_notifications = notifications.committed;
    r.totals.uncommitted_notifications = notifications.uncommitted;
    r.totals.dead_letters = dead_letters_.size();
    r[Category::bad_payments] = payments.bad;
    r[Category::aborted_payments] = payments.aborted;
    r[Category::open_payments] = payments.open;
    r[Category::bad_notifications] = notifications.bad;
    r[Category::aborted_notifications] = notifications.aborted;
    r[Category::open_notifications] = notifications.open;

    for (const std::string* id : first_seen_) {
        const OrderState& s = orders_.at(*id);
        if (s.order_records == 0) {
            if (s.payments > 0) r[Category::unknown_order_payments].add(*id);
            if (s.received + s.outcomes > 0) r[Category::unknown_order_notifications].add(*id);
            continue;
        }
        ++r.totals.distinct_orders;
        if (s.order_records > 1) r[Category::duplicate_orders].add(*id);
        if (s.payments == 0) r[Category::lost_payments].add(*id);
        if (s.payments > 1) r[Category::duplicate_payments].add(*id);
        if (s.approved && s.declined) r[Category::conflicting_payments].add(*id);
        if (s.received == 0 || s.outcomes == 0) r[Category::lost_notifications].add(*id);
        if (s.received > 1 || s.outcomes > 1) r[Category::duplicate_notifications].add(*id);
        // An outcome no committed payment backs: the wrong one, or one for a payment that was
        // aborted or never made.
        if ((s.approved_notified && !s.approved) || (s.declined_notified && !s.declined)) {
            r[Category::mismatched_notifications].add(*id);
        }
    }

    // Dead letters: each must point, by its headers, at a bad record of the orders topic and
    // carry that record's payload (or its start, when truncated) and error class.
    std::map<tools::Position, std::uint32_t> letters_per_record;
    for (const DeadLetter& letter : dead_letters_) {
        const std::string id = tools::format_position(settings_.topics.dead_letters, letter.position);
        const auto original = letter.headers.original_position();
        if (!letter.headers.valid() || !original || letter.headers.original_topic != settings_.topics.orders) {
            r[Category::wrong_header_dead_letters].add(id);
            continue;
        }
        const auto bad = bad_orders_.find(*original);
        if (bad == bad_orders_.end()) {
            r[contains(good_offsets_, *original) ? Category::good_record_dead_letters
                                                 : Category::wrong_header_dead_letters]
                .add(id);
            continue;
        }
        ++letters_per_record[*original];
        const std::string& payload = bad->second.payload;
        const bool payload_ok = letter.headers.truncated
                                    ? letter.headers.original_bytes == payload.size() &&
                                          payload.compare(0, letter.payload.size(), letter.payload) == 0
                                    : letter.payload == payload;
        if (!payload_ok) r[Category::wrong_payload_dead_letters].add(id);
        else if (letter.headers.error_class != bad->second.error_class) r[Category::wrong_header_dead_letters].add(id);
    }
    for (const auto& [position, bad] : bad_orders_) {
        const auto it = letters_per_record.find(position);
        const std::uint32_t letters = it == letters_per_record.end() ? 0 : it->second;
        const std::string id = tools::format_position(settings_.topics.orders, position);
        if (letters == 0) r[Category::missing_dead_letters].add(id);
        else if (letters > 1) r[Category::duplicate_dead_letters].add(id);
    }

    // The verdict.
    if (settings_.expected_orders && *settings_.expected_orders != good_orders_) {
        r.failures.push_back("expected " + std::to_string(*settings_.expected_orders) + " good orders, found " +
                             std::to_string(good_orders_));
    }
    for (const Category c : r.checked_categories()) {
        if (r[c].count > 0 && fails(c, settings_.expectation)) {
            r.failures.push_back(std::to_string(r[c].count) + " " + std::string(label(c)));
        }
    }
    return r;
}

}  // namespace streamstore::verify
