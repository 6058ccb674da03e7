#pragma once
// The events that flow through StreamStore: what an order, a payment and a notification say.
//
// Plain value types: no Kafka, no JSON. Amounts are integers in minor units (cents) with an
// ISO 4217 currency code; timestamps are milliseconds since the Unix epoch (UTC).
// Thread safety: none needed, these are values; copy or move them freely.

#include <cstdint>
#include <string>
#include <string_view>

namespace streamstore::events {

/// The schema version this build writes and the only one it reads.
inline constexpr int kSchemaVersion = 1;

/// What kind of event an envelope carries; its wire name is `to_string(type)`.
enum class EventType { order_placed, payment_processed, notification_sent };

std::string_view to_string(EventType type) noexcept;

/// Envelope metadata written around every event.
struct EventMeta {
    std::string event_id;              ///< Unique per event (a UUID); the de-duplication key.
    EventType type = EventType::order_placed;
    int schema_version = kSchemaVersion;
    std::int64_t occurred_at_ms = 0;   ///< When the business fact happened (ms since epoch).

    bool operator==(const EventMeta&) const = default;
};

/// An order placed by a customer. The minimal order of the original Kafka demos,
/// `{"order_id": "...", "user": "John Doe", "item": "pizza", "quantity": 10}`, is a valid Order:
/// the other fields take the defaults below.
struct Order {
    std::string order_id;                  ///< Non-empty, at most 64 characters.
    std::string customer_id;               ///< Defaults to `user` when absent on the wire.
    std::string user;                      ///< The customer's display name.
    std::string item;
    std::int32_t quantity = 0;             ///< 1 .. kMaxQuantity.
    std::int64_t unit_price_cents = 0;     ///< Minor units of `currency`, >= 0.
    std::string currency = "EUR";          ///< Three upper-case letters (ISO 4217).
    std::int64_t created_at_ms = 0;        ///< 0 when unknown (e.g. a demo-shaped order).

    /// quantity * unit_price_cents.
    [[nodiscard]] std::int64_t amount_cents() const noexcept {
        return static_cast<std::int64_t>(quantity) * unit_price_cents;
    }
    bool operator==(const Order&) const = default;
};

inline constexpr std::int32_t kMaxQuantity = 1'000'000;

enum class PaymentStatus { approved, declined };

std::string_view to_string(PaymentStatus status) noexcept;

/// The outcome of charging an order. Carries enough of the order to notify without a join.
struct Payment {
    std::string order_id;
    std::string customer_id;
    std::string user;
    std::string item;
    std::int32_t quantity = 0;
    std::int64_t amount_cents = 0;
    std::string currency = "EUR";
    PaymentStatus status = PaymentStatus::approved;
    std::string decline_reason;            ///< Empty when approved; a human-readable reason otherwise.
    std::int64_t order_created_at_ms = 0;  ///< Copied from the order, for end-to-end latency.
    std::int64_t processed_at_ms = 0;

    bool operator==(const Payment&) const = default;
};

enum class NotificationKind { order_received, payment_approved, payment_declined };

std::string_view to_string(NotificationKind kind) noexcept;

/// A message to a customer about their order, as notification-service emits it.
struct Notification {
    std::string order_id;
    NotificationKind kind = NotificationKind::order_received;
    std::string text;
    std::int64_t order_created_at_ms = 0;
    std::int64_t notified_at_ms = 0;
    std::int64_t latency_ms = -1;          ///< notified_at - order_created_at; -1 when unknown.

    bool operator==(const Notification&) const = default;
};

/// An event with its envelope. On the wire:
/// `{"event_id":..., "event_type":..., "schema_version":1, "occurred_at_ms":..., "data":{...}}`.
template <class T>
struct Event {
    EventMeta meta;
    T data;

    bool operator==(const Event&) const = default;
};

/// The envelope type written for each payload type.
template <class T>
inline constexpr EventType kEventTypeOf = EventType::order_placed;
template <>
inline constexpr EventType kEventTypeOf<Payment> = EventType::payment_processed;
template <>
inline constexpr EventType kEventTypeOf<Notification> = EventType::notification_sent;

/// "EUR 42.00" for (4200, "EUR").
std::string format_money(std::int64_t amount_cents, std::string_view currency);

}  // namespace streamstore::events
