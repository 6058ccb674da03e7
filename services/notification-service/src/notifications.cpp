#include "notifications.hpp"

#include <algorithm>

#include "streamstore/events/codec.hpp"
#include "streamstore/events/ids.hpp"

namespace streamstore::notification {

namespace {
events::Event<events::Notification> make(std::string_view source_event_id, std::string order_id,
                                         events::NotificationKind kind, std::string text,
                                         std::int64_t order_created_at_ms, std::int64_t now_ms) {
    events::Event<events::Notification> n;
    n.meta.event_id = events::derived_id("notification", source_event_id);
    n.meta.type = events::EventType::notification_sent;
    n.meta.occurred_at_ms = now_ms;
    n.data.order_id = std::move(order_id);
    n.data.kind = kind;
    n.data.text = std::move(text);
    n.data.order_created_at_ms = order_created_at_ms;
    n.data.notified_at_ms = now_ms;
    // A producer clock ahead of ours would give a negative latency: report 0 rather than nonsense.
    n.data.latency_ms = order_created_at_ms > 0 ? std::max<std::int64_t>(0, now_ms - order_created_at_ms) : -1;
    return n;
}
}  // namespace

events::Event<events::Notification> notify_order(const events::Event<events::Order>& order, std::int64_t now_ms) {
    const events::Order& o = order.data;
    std::string text = "Order received: " + std::to_string(o.quantity) + " x " + o.item + " for " + o.user +
                       " (order " + o.order_id + ")";
    return make(order.meta.event_id, o.order_id, events::NotificationKind::order_received, std::move(text),
                o.created_at_ms, now_ms);
}

events::Event<events::Notification> notify_payment(const events::Event<events::Payment>& payment, std::int64_t now_ms) {
    const events::Payment& p = payment.data;
    const bool approved = p.status == events::PaymentStatus::approved;
    std::string text = approved ? "Payment approved for order " + p.order_id + " (" +
                                      events::format_money(p.amount_cents, p.currency) + ")"
                                : "Payment declined for order " + p.order_id + ": " + p.decline_reason;
    return make(payment.meta.event_id, p.order_id,
                approved ? events::NotificationKind::payment_approved : events::NotificationKind::payment_declined,
                std::move(text), p.order_created_at_ms, now_ms);
}

std::string render(const events::Event<events::Notification>& notification, OutputFormat format) {
    return format == OutputFormat::json ? events::encode(notification) : notification.data.text;
}

}  // namespace streamstore::notification
