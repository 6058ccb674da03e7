// What a customer is told (services/notification-service notifications.hpp).

#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "notifications.hpp"
#include "streamstore/events/codec.hpp"
#include "streamstore/events/ids.hpp"

namespace streamstore::notification {
namespace {

using events::NotificationKind;

constexpr std::int64_t kCreated = 1'700'000'000'000;
const std::string kOrderId = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b";

events::Event<events::Order> demo_order(std::int64_t created_at_ms = kCreated) {
    events::Event<events::Order> event;
    event.meta.event_id = "0e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a";
    event.meta.type = events::EventType::order_placed;
    event.meta.occurred_at_ms = created_at_ms;
    event.data.order_id = kOrderId;
    event.data.customer_id = "c-0001";
    event.data.user = "John Doe";
    event.data.item = "pizza";
    event.data.quantity = 10;
    event.data.unit_price_cents = 420;
    event.data.created_at_ms = created_at_ms;
    return event;
}

events::Event<events::Payment> payment(events::PaymentStatus status, std::string reason = "") {
    events::Event<events::Payment> event;
    event.meta.event_id = "1a2b3c4d-5e6f-5a7b-8c9d-0e1f2a3b4c5d";
    event.meta.type = events::EventType::payment_processed;
    event.meta.occurred_at_ms = kCreated + 100;
    event.data.order_id = kOrderId;
    event.data.customer_id = "c-0001";
    event.data.user = "John Doe";
    event.data.item = "pizza";
    event.data.quantity = 10;
    event.data.amount_cents = 4200;
    event.data.currency = "EUR";
    event.data.status = status;
    event.data.decline_reason = std::move(reason);
    event.data.order_created_at_ms = kCreated;
    event.data.processed_at_ms = kCreated + 100;
    return event;
}

TEST(Notifications, TellsTheCustomerTheOrderWasReceived) {
    const auto n = notify_order(demo_order(), kCreated + 250);
    EXPECT_EQ(n.data.text, "Order received: 10 x pizza for John Doe (order " + kOrderId + ")");
    EXPECT_EQ(n.data.kind, NotificationKind::order_received);
    EXPECT_EQ(n.data.order_id, kOrderId);
}

TEST(Notifications, TellsTheCustomerThePaymentWasApprovedWithTheAmount) {
    const auto n = notify_payment(payment(events::PaymentStatus::approved), kCreated + 250);
    EXPECT_EQ(n.data.text, "Payment approved for order " + kOrderId + " (EUR 42.00)");
    EXPECT_EQ(n.data.kind, NotificationKind::payment_approved);
}

TEST(Notifications, TellsTheCustomerWhyThePaymentWasDeclined) {
    const auto n = notify_payment(payment(events::PaymentStatus::declined, "quantity 150 exceeds the limit of 100 per order"),
                                  kCreated + 250);
    EXPECT_EQ(n.data.text,
              "Payment declined for order " + kOrderId + ": quantity 150 exceeds the limit of 100 per order");
    EXPECT_EQ(n.data.kind, NotificationKind::payment_declined);
}

TEST(Notifications, MeasuresLatencyFromTheOrdersCreation) {
    const auto from_order = notify_order(demo_order(), kCreated + 250);
    EXPECT_EQ(from_order.data.latency_ms, 250);
    EXPECT_EQ(from_order.data.order_created_at_ms, kCreated);
    EXPECT_EQ(from_order.data.notified_at_ms, kCreated + 250);

    const auto from_payment = notify_payment(payment(events::PaymentStatus::approved), kCreated + 1234);
    EXPECT_EQ(from_payment.data.latency_ms, 1234);
}

TEST(Notifications, ReportsUnknownLatencyForAnOrderWithoutCreationTime) {
    const auto n = notify_order(demo_order(0), kCreated);
    EXPECT_EQ(n.data.latency_ms, -1);
    EXPECT_EQ(n.data.order_created_at_ms, 0);
}

TEST(Notifications, FillsTheEnvelope) {
    const auto order = demo_order();
    const auto n = notify_order(order, kCreated + 250);
    EXPECT_EQ(n.meta.type, events::EventType::notification_sent);
    EXPECT_EQ(n.meta.occurred_at_ms, kCreated + 250);
    EXPECT_EQ(n.meta.event_id, events::derived_id("notification", order.meta.event_id));
    // Reprocessing the same order gives the same notification id.
    EXPECT_EQ(notify_order(order, kCreated + 999).meta.event_id, n.meta.event_id);
}

TEST(Notifications, GiveOrderAndPaymentNotificationsDifferentIds) {
    EXPECT_NE(notify_order(demo_order(), kCreated).meta.event_id,
              notify_payment(payment(events::PaymentStatus::approved), kCreated).meta.event_id);
}

TEST(NotificationRendering, TextIsTheMessageAlone) {
    const auto n = notify_order(demo_order(), kCreated + 250);
    EXPECT_EQ(render(n, OutputFormat::text), n.data.text);
}

TEST(NotificationRendering, JsonIsOneLineThatDecodesToTheSameNotification) {
    for (const auto& n : {notify_order(demo_order(), kCreated + 250), notify_order(demo_order(0), kCreated),
                          notify_payment(payment(events::PaymentStatus::approved), kCreated + 5),
                          notify_payment(payment(events::PaymentStatus::declined, "declined by the card issuer"),
                                         kCreated + 5)}) {
        const std::string line = render(n, OutputFormat::json);
        EXPECT_EQ(line.find('\n'), std::string::npos) << line;
        const auto decoded = events::decode_notification_event(line);
        ASSERT_TRUE(decoded.ok()) << decoded.error().message << " in " << line;
        EXPECT_EQ(decoded.value(), n);
    }
}

// An order stamped by a producer whose clock is ahead of this host's: the notification is still
// written, so its JSON must still be readable by the project's own decoder.
TEST(NotificationRendering, JsonOfANotificationBeforeTheOrdersTimestampStillDecodes) {
    const auto n = notify_order(demo_order(kCreated), kCreated - 5);
    const auto decoded = events::decode_notification_event(render(n, OutputFormat::json));
    EXPECT_TRUE(decoded.ok()) << decoded.error().message << " (latency_ms " << n.data.latency_ms << ")";
}

}  // namespace
}  // namespace streamstore::notification
