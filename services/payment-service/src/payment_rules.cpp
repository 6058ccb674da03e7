#include "payment_rules.hpp"

#include <charconv>

#include "streamstore/events/ids.hpp"

namespace streamstore::payment {

namespace {
// FNV-1a then a SplitMix64 finaliser: stable across platforms and builds (unlike std::hash).
std::uint64_t stable_hash(std::uint64_t seed, std::string_view text) {
    std::uint64_t h = 0xcbf29ce484222325ULL ^ seed;
    for (unsigned char c : text) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    h += 0x9e3779b97f4a7c15ULL;
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
    return h ^ (h >> 31);
}
}  // namespace

PaymentDecision decide(const events::Order& order, const PaymentRules& rules) {
    if (order.quantity > rules.max_quantity) {
        return {events::PaymentStatus::declined, "quantity " + std::to_string(order.quantity) +
                                                     " exceeds the limit of " + std::to_string(rules.max_quantity) +
                                                     " per order"};
    }
    if (order.amount_cents() > rules.max_amount_cents) {
        return {events::PaymentStatus::declined,
                "amount " + events::format_money(order.amount_cents(), order.currency) + " exceeds the limit of " +
                    events::format_money(rules.max_amount_cents, order.currency) + " per order"};
    }
    if (rules.decline_rate > 0) {
        // Top 53 bits as a uniform double in [0, 1).
        const double draw = static_cast<double>(stable_hash(rules.seed, order.order_id) >> 11) * 0x1.0p-53;
        if (draw < rules.decline_rate) return {events::PaymentStatus::declined, "declined by the card issuer"};
    }
    return {};
}

events::Event<events::Payment> make_payment(const events::Event<events::Order>& order,
                                            const PaymentDecision& decision, std::int64_t now_ms) {
    events::Event<events::Payment> payment;
    payment.meta.event_id = events::derived_id("payment", order.meta.event_id);
    payment.meta.type = events::EventType::payment_processed;
    payment.meta.occurred_at_ms = now_ms;
    const events::Order& o = order.data;
    payment.data = events::Payment{
        .order_id = o.order_id,
        .customer_id = o.customer_id,
        .user = o.user,
        .item = o.item,
        .quantity = o.quantity,
        .amount_cents = o.amount_cents(),
        .currency = o.currency,
        .status = decision.status,
        .decline_reason = decision.reason,
        .order_created_at_ms = o.created_at_ms,
        .processed_at_ms = now_ms,
    };
    return payment;
}

std::optional<std::int64_t> parse_amount(std::string_view text) {
    const auto dot = text.find('.');
    const std::string_view whole = text.substr(0, dot);
    const std::string_view fraction = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
    if (whole.empty() || whole.size() > 12 || fraction.size() > 2 || (dot != std::string_view::npos && fraction.empty())) {
        return std::nullopt;
    }
    if (whole.front() < '0' || whole.front() > '9') return std::nullopt;  // from_chars would take a '-'
    std::int64_t units = 0;
    if (auto [p, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), units);
        ec != std::errc{} || p != whole.data() + whole.size()) {
        return std::nullopt;
    }
    std::int64_t cents = 0;
    for (std::size_t i = 0; i < 2; ++i) {
        const char c = i < fraction.size() ? fraction[i] : '0';
        if (c < '0' || c > '9') return std::nullopt;
        cents = cents * 10 + (c - '0');
    }
    return units * 100 + cents;
}

}  // namespace streamstore::payment
