// The payment decision, the payment event and --max-amount parsing
// (services/payment-service payment_rules.hpp).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "payment_rules.hpp"
#include "streamstore/events/codec.hpp"
#include "streamstore/events/ids.hpp"

namespace streamstore::payment {
namespace {

using events::PaymentStatus;

events::Order order_of(std::int32_t quantity, std::int64_t unit_price_cents, std::string order_id = "o-1") {
    events::Order order;
    order.order_id = std::move(order_id);
    order.customer_id = "c-0001";
    order.user = "John Doe";
    order.item = "pizza";
    order.quantity = quantity;
    order.unit_price_cents = unit_price_cents;
    order.currency = "EUR";
    order.created_at_ms = 1'700'000'000'000;
    return order;
}

// Order ids as the order generator makes them.
std::vector<std::string> order_ids(int n) {
    events::IdGenerator ids(2024);
    std::vector<std::string> out;
    out.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) out.push_back(ids.next());
    return out;
}

// ---------------------------------------------------------------------------------------------
// decide()

TEST(PaymentRules, ApprovesANormalOrder) {
    const PaymentDecision decision = decide(order_of(2, 1250), PaymentRules{});
    EXPECT_EQ(decision.status, PaymentStatus::approved);
    EXPECT_EQ(decision.reason, "");
}

TEST(PaymentRules, ApprovesAnOrderAtBothLimits) {
    // 100 x EUR 5.00 = EUR 500.00: on the limits is not over them.
    const PaymentDecision decision = decide(order_of(100, 500), PaymentRules{});
    EXPECT_EQ(decision.status, PaymentStatus::approved) << decision.reason;
}

TEST(PaymentRules, DeclinesQuantityOverTheLimitWithTheDocumentedReason) {
    const PaymentDecision decision = decide(order_of(101, 1), PaymentRules{});
    EXPECT_EQ(decision.status, PaymentStatus::declined);
    EXPECT_EQ(decision.reason, "quantity 101 exceeds the limit of 100 per order");
}

TEST(PaymentRules, DeclinesAmountOverTheLimitWithBothAmountsInTheReason) {
    // 49 x EUR 12.50 = EUR 612.50 > EUR 500.00.
    const PaymentDecision decision = decide(order_of(49, 1250), PaymentRules{});
    EXPECT_EQ(decision.status, PaymentStatus::declined);
    EXPECT_EQ(decision.reason, "amount EUR 612.50 exceeds the limit of EUR 500.00 per order");
}

TEST(PaymentRules, DeclinesAmountOneCentOverTheLimit) {
    PaymentRules rules;
    rules.max_amount_cents = 1250;
    const PaymentDecision decision = decide(order_of(1, 1251), rules);
    EXPECT_EQ(decision.status, PaymentStatus::declined);
    EXPECT_EQ(decision.reason, "amount EUR 12.51 exceeds the limit of EUR 12.50 per order");
}

TEST(PaymentRules, WritesAmountsInTheOrdersCurrency) {
    events::Order order = order_of(10, 10'000);
    order.currency = "USD";
    EXPECT_EQ(decide(order, PaymentRules{}).reason, "amount USD 1000.00 exceeds the limit of USD 500.00 per order");
}

TEST(PaymentRules, ChecksQuantityBeforeAmount) {
    // Over both limits: the quantity rule is the one reported.
    const PaymentDecision decision = decide(order_of(150, 1250), PaymentRules{});
    EXPECT_EQ(decision.status, PaymentStatus::declined);
    EXPECT_EQ(decision.reason, "quantity 150 exceeds the limit of 100 per order");
}

TEST(PaymentRules, HonoursACustomMaxQuantity) {
    PaymentRules rules;
    rules.max_quantity = 5;
    EXPECT_EQ(decide(order_of(5, 100), rules).status, PaymentStatus::approved);
    EXPECT_EQ(decide(order_of(6, 100), rules).reason, "quantity 6 exceeds the limit of 5 per order");
}

TEST(PaymentRules, DeclineRateZeroNeverDeclines) {
    PaymentRules rules;
    rules.decline_rate = 0.0;
    for (const std::string& id : order_ids(2000)) {
        ASSERT_EQ(decide(order_of(1, 100, id), rules).status, PaymentStatus::approved) << id;
    }
}

TEST(PaymentRules, DeclineRateOneAlwaysDeclinesWithTheIssuerReason) {
    PaymentRules rules;
    rules.decline_rate = 1.0;
    for (const std::string& id : order_ids(2000)) {
        const PaymentDecision decision = decide(order_of(1, 100, id), rules);
        ASSERT_EQ(decision.status, PaymentStatus::declined) << id;
        ASSERT_EQ(decision.reason, "declined by the card issuer");
    }
}

TEST(PaymentRules, DeclineRateDoesNotHideTheLimitRules) {
    PaymentRules rules;
    rules.decline_rate = 1.0;
    EXPECT_EQ(decide(order_of(101, 1), rules).reason, "quantity 101 exceeds the limit of 100 per order");
    EXPECT_EQ(decide(order_of(49, 1250), rules).reason, "amount EUR 612.50 exceeds the limit of EUR 500.00 per order");
}

TEST(PaymentRules, DeclinesTheConfiguredShareOfOrders) {
    PaymentRules rules;
    rules.decline_rate = 0.3;
    rules.seed = 7;
    int declined = 0;
    const std::vector<std::string> ids = order_ids(10'000);
    for (const std::string& id : ids) {
        if (decide(order_of(1, 100, id), rules).status == PaymentStatus::declined) ++declined;
    }
    const double share = static_cast<double>(declined) / static_cast<double>(ids.size());
    EXPECT_GE(share, 0.27);
    EXPECT_LE(share, 0.33);
}

TEST(PaymentRules, GivesTheSameOrderTheSameDecisionEveryTime) {
    PaymentRules rules;
    rules.decline_rate = 0.3;
    rules.seed = 7;
    for (const std::string& id : order_ids(1000)) {
        const events::Order order = order_of(1, 100, id);
        const PaymentDecision first = decide(order, rules);
        const PaymentRules same_rules = rules;  // another instance, same configuration
        for (int i = 0; i < 3; ++i) {
            const PaymentDecision again = decide(order, same_rules);
            ASSERT_EQ(again.status, first.status) << id;
            ASSERT_EQ(again.reason, first.reason) << id;
        }
    }
}

TEST(PaymentRules, DecidesByOrderIdAlone) {
    // The issuer's draw depends on (seed, order id), not on the rest of the order.
    PaymentRules rules;
    rules.decline_rate = 0.5;
    for (const std::string& id : order_ids(500)) {
        events::Order a = order_of(1, 100, id);
        events::Order b = order_of(3, 250, id);
        b.user = "Ada Lovelace";
        ASSERT_EQ(decide(a, rules).status, decide(b, rules).status) << id;
    }
}

TEST(PaymentRules, ADifferentSeedChangesSomeDecisions) {
    PaymentRules a;
    a.decline_rate = 0.3;
    a.seed = 1;
    PaymentRules b = a;
    b.seed = 2;
    int different = 0;
    for (const std::string& id : order_ids(1000)) {
        const events::Order order = order_of(1, 100, id);
        if (decide(order, a).status != decide(order, b).status) ++different;
    }
    // Independent draws at 30 % differ on about 42 % of orders.
    EXPECT_GT(different, 300);
    EXPECT_LT(different, 540);
}

// ---------------------------------------------------------------------------------------------
// make_payment()

events::Event<events::Order> order_event() {
    events::Event<events::Order> event;
    event.meta.event_id = "0e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a";
    event.meta.type = events::EventType::order_placed;
    event.meta.occurred_at_ms = 1'700'000'000'000;
    event.data = order_of(3, 1250, "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b");
    return event;
}

TEST(MakePayment, CopiesTheOrderAndChargesQuantityTimesUnitPrice) {
    const events::Event<events::Order> order = order_event();
    const auto payment = make_payment(order, PaymentDecision{}, 1'700'000'000'250);
    const events::Payment& p = payment.data;
    EXPECT_EQ(p.order_id, order.data.order_id);
    EXPECT_EQ(p.customer_id, "c-0001");
    EXPECT_EQ(p.user, "John Doe");
    EXPECT_EQ(p.item, "pizza");
    EXPECT_EQ(p.quantity, 3);
    EXPECT_EQ(p.amount_cents, 3750);
    EXPECT_EQ(p.currency, "EUR");
    EXPECT_EQ(p.status, PaymentStatus::approved);
    EXPECT_EQ(p.decline_reason, "");
    EXPECT_EQ(p.order_created_at_ms, 1'700'000'000'000);
    EXPECT_EQ(p.processed_at_ms, 1'700'000'000'250);
    EXPECT_EQ(payment.meta.type, events::EventType::payment_processed);
    EXPECT_EQ(payment.meta.schema_version, events::kSchemaVersion);
    EXPECT_EQ(payment.meta.occurred_at_ms, 1'700'000'000'250);
}

TEST(MakePayment, CarriesTheDecision) {
    const PaymentDecision declined{PaymentStatus::declined, "declined by the card issuer"};
    const auto payment = make_payment(order_event(), declined, 1);
    EXPECT_EQ(payment.data.status, PaymentStatus::declined);
    EXPECT_EQ(payment.data.decline_reason, "declined by the card issuer");
}

TEST(MakePayment, DerivesItsEventIdFromTheOrderEventId) {
    const events::Event<events::Order> order = order_event();
    const auto first = make_payment(order, PaymentDecision{}, 1);
    const auto second = make_payment(order, PaymentDecision{}, 2);  // reprocessed later
    EXPECT_EQ(first.meta.event_id, events::derived_id("payment", order.meta.event_id));
    EXPECT_EQ(second.meta.event_id, first.meta.event_id);
    EXPECT_NE(first.meta.event_id, order.meta.event_id);
}

TEST(MakePayment, ProducesAnEventThatDecodes) {
    const PaymentDecision declined{PaymentStatus::declined, "quantity 101 exceeds the limit of 100 per order"};
    for (const PaymentDecision& decision : {PaymentDecision{}, declined}) {
        const auto payment = make_payment(order_event(), decision, 1'700'000'000'250);
        const auto decoded = events::decode_payment_event(events::encode(payment));
        ASSERT_TRUE(decoded.ok()) << decoded.error().message;
        EXPECT_EQ(decoded.value(), payment);
    }
}

// ---------------------------------------------------------------------------------------------
// parse_amount()

TEST(ParseAmount, ReadsWholeMajorUnits) {
    EXPECT_EQ(parse_amount("500"), 50'000);
    EXPECT_EQ(parse_amount("0"), 0);
}

TEST(ParseAmount, ReadsOneOrTwoDecimals) {
    EXPECT_EQ(parse_amount("500.5"), 50'050);
    EXPECT_EQ(parse_amount("500.00"), 50'000);
    EXPECT_EQ(parse_amount("12.50"), 1250);
    EXPECT_EQ(parse_amount("0.01"), 1);
}

struct BadAmount {
    std::string_view name;
    std::string_view text;
};

class ParseAmountRejects : public ::testing::TestWithParam<BadAmount> {};

TEST_P(ParseAmountRejects, Text) {
    EXPECT_EQ(parse_amount(GetParam().text), std::nullopt) << '"' << GetParam().text << '"';
}

INSTANTIATE_TEST_SUITE_P(
    NotAnAmount, ParseAmountRejects,
    ::testing::Values(BadAmount{"Empty", ""}, BadAmount{"DotWithoutCents", "5."}, BadAmount{"NoWholePart", ".5"},
                      BadAmount{"ThreeDecimals", "5.123"}, BadAmount{"Garbage", "abc"},
                      BadAmount{"LetterInCents", "5.x"}, BadAmount{"SignInCents", "5.-1"},
                      BadAmount{"LeadingSpace", " 5"}, BadAmount{"TrailingSpace", "5 "}, BadAmount{"PlusSign", "+5"},
                      BadAmount{"Exponent", "1e3"}, BadAmount{"DecimalComma", "5,00"},
                      BadAmount{"ThirteenDigits", "1234567890123"}),
    [](const ::testing::TestParamInfo<BadAmount>& p) { return std::string(p.param.name); });

// A negative --max-amount would decline every order; the header promises nullopt for anything but
// "500", "500.5" or "500.00".
TEST(ParseAmount, RejectsANegativeAmount) {
    EXPECT_EQ(parse_amount("-1"), std::nullopt);
    EXPECT_EQ(parse_amount("-0.50"), std::nullopt);
}

}  // namespace
}  // namespace streamstore::payment
