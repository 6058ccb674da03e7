// The plain parts of messaging::Processor and of payment-service's transform.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <gtest/gtest.h>

#include "payment_service.hpp"
#include "streamstore/events/codec.hpp"
#include "streamstore/messaging/processor.hpp"

namespace streamstore {
namespace {
using namespace std::chrono_literals;
using messaging::Backoff;
using messaging::ProcessingGuarantee;

TEST(ProcessingGuarantee, ParsesKafkaStreamsNamesAndOurs) {
    EXPECT_EQ(messaging::parse_processing_guarantee("exactly-once"), ProcessingGuarantee::exactly_once);
    EXPECT_EQ(messaging::parse_processing_guarantee("exactly_once_v2"), ProcessingGuarantee::exactly_once);
    EXPECT_EQ(messaging::parse_processing_guarantee("at-least-once"), ProcessingGuarantee::at_least_once);
    EXPECT_EQ(messaging::parse_processing_guarantee("at_least_once"), ProcessingGuarantee::at_least_once);
    EXPECT_EQ(messaging::parse_processing_guarantee("at-most-once"), std::nullopt);
    EXPECT_EQ(messaging::to_string(ProcessingGuarantee::exactly_once), "exactly-once");
}

TEST(Backoff, DoublesFromTheInitialDelayUpToTheMaximum) {
    const Backoff backoff{100ms, 5'000ms};
    const double no_jitter = 1.0;  // the factor is 0.5 + 0.5 * jitter: 1.0 at the top
    EXPECT_EQ(backoff.delay(1, no_jitter), 100ms);
    EXPECT_EQ(backoff.delay(2, no_jitter), 200ms);
    EXPECT_EQ(backoff.delay(4, no_jitter), 800ms);
    EXPECT_EQ(backoff.delay(7, no_jitter), 5'000ms);
    EXPECT_EQ(backoff.delay(1'000, no_jitter), 5'000ms);
}

TEST(Backoff, JitterScalesTheDelayBetweenHalfAndAll) {
    const Backoff backoff{100ms, 5'000ms};
    EXPECT_EQ(backoff.delay(3, 0.0), 200ms);
    EXPECT_EQ(backoff.delay(3, 0.5), 300ms);
    EXPECT_EQ(backoff.delay(3, 2.0), 400ms);  // clamped
}

TEST(Outputs, ClearForgetsWhatWasSentAndReusedRecordsCarryNothingOver) {
    messaging::Outputs out;
    out.send("payments", "order-1", std::string_view("a long enough value to live on the heap, not in SSO"),
             {{"traceparent", "00-1-2-01"}}, 2);
    out.send("payments", "order-2", std::nullopt);
    ASSERT_EQ(out.records().size(), 2u);
    EXPECT_EQ(out.records()[0].partition, 2);
    EXPECT_EQ(out.records()[1].value, std::nullopt);

    out.clear();
    EXPECT_TRUE(out.records().empty());
    out.send("notifications", "k", std::string_view("v"));
    ASSERT_EQ(out.records().size(), 1u);
    const auto& reused = out.records()[0];
    EXPECT_EQ(reused.topic, "notifications");
    EXPECT_EQ(reused.key, "k");
    EXPECT_EQ(reused.value, std::optional<std::string>("v"));
    EXPECT_TRUE(reused.headers.empty());
    EXPECT_EQ(reused.partition, messaging::kAnyPartition);
    EXPECT_FALSE(reused.dead_letter);
}

TEST(Pay, DecodesDecidesAndBuildsThePayment) {
    const auto outcome = payment::pay(
        std::string_view(R"({"order_id":"o-1","user":"Ann","item":"tea","quantity":2,"unit_price_cents":150})"),
        payment::PaymentRules{}, 42);
    ASSERT_TRUE(std::holds_alternative<events::Event<events::Payment>>(outcome));
    const auto& payment = std::get<events::Event<events::Payment>>(outcome);
    EXPECT_EQ(payment.data.order_id, "o-1");
    EXPECT_EQ(payment.data.amount_cents, 300);
    EXPECT_EQ(payment.data.status, events::PaymentStatus::approved);
    EXPECT_EQ(payment.data.processed_at_ms, 42);
}

TEST(Pay, ANullValueIsAnEmptyPayload) {
    const auto outcome = payment::pay(std::nullopt, payment::PaymentRules{}, 0);
    ASSERT_TRUE(std::holds_alternative<events::DecodeError>(outcome));
    EXPECT_EQ(std::get<events::DecodeError>(outcome).code, events::DecodeErrc::empty_payload);
}

TEST(Pay, MalformedJsonSaysSo) {
    const auto outcome = payment::pay(std::string_view("{not json"), payment::PaymentRules{}, 0);
    ASSERT_TRUE(std::holds_alternative<events::DecodeError>(outcome));
    EXPECT_EQ(std::get<events::DecodeError>(outcome).code, events::DecodeErrc::malformed_json);
}

TEST(Pay, TheSameOrderAlwaysGetsTheSamePaymentEventId) {
    const std::string_view order(R"({"order_id":"o-9","user":"Ann","item":"tea","quantity":1})");
    const auto first = payment::pay(order, payment::PaymentRules{}, 1);
    const auto second = payment::pay(order, payment::PaymentRules{}, 2);
    EXPECT_EQ(std::get<events::Event<events::Payment>>(first).meta.event_id,
              std::get<events::Event<events::Payment>>(second).meta.event_id);
}

}  // namespace
}  // namespace streamstore
