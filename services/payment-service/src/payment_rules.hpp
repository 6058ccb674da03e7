#pragma once
// The payment decision: plain, deterministic rules, unit-tested without Kafka.
//
// Rules, checked in this order; the first that matches declines the order:
//  1. quantity > max_quantity                 -> "quantity N exceeds the limit of M per order"
//  2. amount > max_amount_cents                -> "amount EUR X exceeds the limit of EUR Y per order"
//  3. a decline_rate share of the other orders -> "declined by the card issuer"
//     chosen by a hash of (seed, order id), so the same order always gets the same answer:
//     on every instance, and again when it is reprocessed after a crash.
// Everything else is approved.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "streamstore/events/events.hpp"

namespace streamstore::payment {

struct PaymentRules {
    std::int64_t max_amount_cents = 50'000;  ///< per order, in the order's currency (EUR 500.00)
    std::int32_t max_quantity = 100;
    double decline_rate = 0.0;               ///< 0.0 .. 1.0
    std::uint64_t seed = 0;
};

struct PaymentDecision {
    events::PaymentStatus status = events::PaymentStatus::approved;
    std::string reason;  ///< empty when approved
};

PaymentDecision decide(const events::Order& order, const PaymentRules& rules);

/// The payment event for `order`. Its event id is derived from the order event's id, so a
/// reprocessed order yields a payment with the same id.
events::Event<events::Payment> make_payment(const events::Event<events::Order>& order,
                                            const PaymentDecision& decision, std::int64_t now_ms);

/// Parses "500", "500.5" or "500.00" (major units) into cents; nullopt for anything else.
std::optional<std::int64_t> parse_amount(std::string_view text);

}  // namespace streamstore::payment
