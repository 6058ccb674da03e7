// The exact bytes encode() writes (libs/events codec.hpp). Consumers, dead letter tools and the
// de-duplication of notifications see these bytes, so they are pinned twice: by golden strings
// written by the original encoder (a boost::json::object serialised with boost::json::serialize),
// and by comparison with that DOM path, rebuilt here from value_from, over generated events with
// every kind of character and number.

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <string_view>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "streamstore/events/codec.hpp"
#include "streamstore/events/events.hpp"

namespace streamstore::events {
namespace {

// What encode() wrote while it built a DOM: the envelope as a boost::json::object around
// value_from(data) (the tag_invoke overloads in codec.cpp), serialised compactly.
template <class T>
std::string dom_encode(const Event<T>& event) {
    boost::json::object root;
    root.reserve(5);
    root.emplace("event_id", event.meta.event_id);
    root.emplace("event_type", to_string(kEventTypeOf<T>));
    root.emplace("schema_version", event.meta.schema_version);
    root.emplace("occurred_at_ms", event.meta.occurred_at_ms);
    root.emplace("data", boost::json::value_from(event.data));
    return boost::json::serialize(root);
}

// ---------------------------------------------------------------------------------------------
// Golden strings, written by the DOM encoder

TEST(EventWireFormat, OrderWithEscapesUtf8AndExtremeNumbersIsByteForByteAsBefore) {
    Event<Order> event;
    event.meta.event_id = "";
    event.meta.schema_version = -7;
    event.meta.occurred_at_ms = std::numeric_limits<std::int64_t>::min();
    event.data.order_id = R"(id"with\quotes/slash)";
    event.data.customer_id = std::string("nul\0byte", 8);
    event.data.user = "Zoë € 😀 \xff\xfe";  // valid UTF-8, then two bytes that are not
    event.data.item = "\b\f\n\r\t\x01\x1f\x7f end";
    event.data.quantity = std::numeric_limits<std::int32_t>::min();
    event.data.unit_price_cents = std::numeric_limits<std::int64_t>::max();
    event.data.currency = "";
    event.data.created_at_ms = 0;

    const std::string expected =
        R"({"event_id":"","event_type":"order_placed","schema_version":-7,)"
        R"("occurred_at_ms":-9223372036854775808,"data":{"order_id":"id\"with\\quotes/slash",)"
        R"("customer_id":"nul\u0000byte","user":"Zoë € 😀 )" "\xff\xfe" R"(",)"
        R"("item":"\b\f\n\r\t\u0001\u001f)" "\x7f" R"( end","quantity":-2147483648,)"
        R"("unit_price_cents":9223372036854775807,"currency":"","created_at_ms":0}})";
    EXPECT_EQ(encode(event), expected);
}

Event<Payment> payment_with_escapes() {
    Event<Payment> event;
    event.meta.event_id = "1a2b3c4d-5e6f-5a7b-8c9d-0e1f2a3b4c5d";
    event.meta.occurred_at_ms = 1'700'000'000'500;
    event.data.order_id = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b";
    event.data.customer_id = "c-0001";
    event.data.user = R"(John "JD" Doe)";
    event.data.item = R"(pizza\calzone)";
    event.data.quantity = 10;
    event.data.amount_cents = -12'500;
    event.data.currency = "EUR";
    event.data.status = PaymentStatus::declined;
    event.data.decline_reason = "over the limit:\n\t€ 100";
    event.data.order_created_at_ms = 1'700'000'000'000;
    event.data.processed_at_ms = 1'700'000'000'500;
    return event;
}

TEST(EventWireFormat, DeclinedPaymentEndsWithItsReasonAsBefore) {
    const std::string expected =
        R"({"event_id":"1a2b3c4d-5e6f-5a7b-8c9d-0e1f2a3b4c5d","event_type":"payment_processed",)"
        R"("schema_version":1,"occurred_at_ms":1700000000500,"data":{)"
        R"("order_id":"6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b","customer_id":"c-0001",)"
        R"("user":"John \"JD\" Doe","item":"pizza\\calzone","quantity":10,"amount_cents":-12500,)"
        R"("currency":"EUR","status":"declined","order_created_at_ms":1700000000000,)"
        R"("processed_at_ms":1700000000500,"decline_reason":"over the limit:\n\t€ 100"}})";
    EXPECT_EQ(encode(payment_with_escapes()), expected);
}

TEST(EventWireFormat, ApprovedPaymentHasNoReasonAsBefore) {
    Event<Payment> event = payment_with_escapes();
    event.data.status = PaymentStatus::approved;
    event.data.decline_reason.clear();
    const std::string expected =
        R"({"event_id":"1a2b3c4d-5e6f-5a7b-8c9d-0e1f2a3b4c5d","event_type":"payment_processed",)"
        R"("schema_version":1,"occurred_at_ms":1700000000500,"data":{)"
        R"("order_id":"6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b","customer_id":"c-0001",)"
        R"("user":"John \"JD\" Doe","item":"pizza\\calzone","quantity":10,"amount_cents":-12500,)"
        R"("currency":"EUR","status":"approved","order_created_at_ms":1700000000000,)"
        R"("processed_at_ms":1700000000500}})";
    EXPECT_EQ(encode(event), expected);
}

TEST(EventWireFormat, NotificationWithAnsiEscapesAndUnknownLatencyIsAsBefore) {
    Event<Notification> event;
    event.meta.event_id = "2b3c4d5e-6f7a-5b8c-9d0e-1f2a3b4c5d6e";
    event.meta.type = EventType::order_placed;  // ignored: the payload type decides event_type
    event.meta.occurred_at_ms = 1'700'000'000'900;
    event.data.order_id = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b";
    event.data.kind = NotificationKind::payment_declined;
    event.data.text = "Payment declined for order \"x\": \x1b[31mred\x1b[0m";
    event.data.order_created_at_ms = 0;
    event.data.notified_at_ms = 1'700'000'000'900;
    event.data.latency_ms = -1;
    const std::string expected =
        R"({"event_id":"2b3c4d5e-6f7a-5b8c-9d0e-1f2a3b4c5d6e","event_type":"notification_sent",)"
        R"("schema_version":1,"occurred_at_ms":1700000000900,"data":{)"
        R"("order_id":"6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b","kind":"payment_declined",)"
        R"("text":"Payment declined for order \"x\": \u001b[31mred\u001b[0m",)"
        R"("order_created_at_ms":0,"notified_at_ms":1700000000900,"latency_ms":-1}})";
    EXPECT_EQ(encode(event), expected);
}

TEST(EventWireFormat, EveryByteIsEscapedAsBoostJsonDoes) {
    // Each byte alone and at every position of a longer text, so a mismatch names the byte.
    for (int byte = 0; byte < 256; ++byte) {
        Event<Notification> event;
        event.data.text = std::string(1, static_cast<char>(byte));
        EXPECT_EQ(encode(event), dom_encode(event)) << "byte " << byte;
        for (std::size_t at = 0; at < 20; ++at) {
            event.data.text = std::string(20, 'a');
            event.data.text[at] = static_cast<char>(byte);
            EXPECT_EQ(encode(event), dom_encode(event)) << "byte " << byte << " at " << at;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Generated events, compared with the DOM path

// Random events whose strings mix plain text with everything a JSON writer must get right:
// quotes, backslashes, every control character, DEL, multi-byte UTF-8, bytes that are not UTF-8.
class EventGenerator {
public:
    explicit EventGenerator(std::uint64_t seed) : random_(seed) {}

    std::string text() {
        static constexpr std::string_view kPieces[] = {
            "a", "Ada Lovelace", " ", "\"", "\\", "/", "\\\"", "\n", "\r\n", "\t", "\b", "\f",
            "é", "€", "😀", "\u2028", "c-0042", "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b"};
        std::string s;
        const auto pieces = pick(0, 24);
        for (std::int64_t i = 0; i < pieces; ++i) {
            if (pick(0, 2) == 0) {
                s += static_cast<char>(pick(0, 255));  // any byte: controls, DEL, stray UTF-8
            } else {
                s += kPieces[pick(0, std::ssize(kPieces) - 1)];
            }
        }
        return s;
    }

    std::int64_t number() {
        constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
        constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
        static constexpr std::int64_t kEdges[] = {0,  1,    -1,   9,        10,       -10,          kMin,
                                                  kMax, kMin + 1, kMax - 1, 1'700'000'000'000, 253'402'300'799'999};
        switch (pick(0, 2)) {
            case 0: return kEdges[pick(0, std::ssize(kEdges) - 1)];
            case 1: return pick(-100'000, 100'000);
            default: return pick(kMin, kMax);
        }
    }

    std::int32_t int32() {
        switch (pick(0, 2)) {
            case 0: return std::numeric_limits<std::int32_t>::min();
            case 1: return std::numeric_limits<std::int32_t>::max();
            default: return static_cast<std::int32_t>(pick(-1000, kMaxQuantity));
        }
    }

    EventMeta meta() {
        EventMeta meta;
        meta.event_id = text();
        meta.type = static_cast<EventType>(pick(0, 2));
        meta.schema_version = pick(0, 3) == 0 ? int32() : kSchemaVersion;
        meta.occurred_at_ms = number();
        return meta;
    }

    Event<Order> order() {
        Event<Order> e{meta(), {}};
        e.data.order_id = text();
        e.data.customer_id = text();
        e.data.user = text();
        e.data.item = text();
        e.data.quantity = int32();
        e.data.unit_price_cents = number();
        e.data.currency = text();
        e.data.created_at_ms = number();
        return e;
    }

    Event<Payment> payment() {
        Event<Payment> e{meta(), {}};
        e.data.order_id = text();
        e.data.customer_id = text();
        e.data.user = text();
        e.data.item = text();
        e.data.quantity = int32();
        e.data.amount_cents = number();
        e.data.currency = text();
        e.data.status = pick(0, 1) == 0 ? PaymentStatus::approved : PaymentStatus::declined;
        e.data.decline_reason = pick(0, 1) == 0 ? std::string() : text();  // absent when empty
        e.data.order_created_at_ms = number();
        e.data.processed_at_ms = number();
        return e;
    }

    Event<Notification> notification() {
        Event<Notification> e{meta(), {}};
        e.data.order_id = text();
        e.data.kind = static_cast<NotificationKind>(pick(0, 2));
        e.data.text = text();
        e.data.order_created_at_ms = number();
        e.data.notified_at_ms = number();
        e.data.latency_ms = number();
        return e;
    }

private:
    std::int64_t pick(std::int64_t min, std::int64_t max) {
        return std::uniform_int_distribution<std::int64_t>(min, max)(random_);
    }

    std::mt19937_64 random_;
};

constexpr int kGeneratedEvents = 3000;

TEST(EventWireFormat, GeneratedOrdersAreEncodedAsTheDomEncoderDid) {
    EventGenerator generate(1);
    for (int i = 0; i < kGeneratedEvents; ++i) {
        const Event<Order> event = generate.order();
        ASSERT_EQ(encode(event), dom_encode(event)) << "generated order " << i;
    }
}

TEST(EventWireFormat, GeneratedPaymentsAreEncodedAsTheDomEncoderDid) {
    EventGenerator generate(2);
    for (int i = 0; i < kGeneratedEvents; ++i) {
        const Event<Payment> event = generate.payment();
        ASSERT_EQ(encode(event), dom_encode(event)) << "generated payment " << i;
    }
}

TEST(EventWireFormat, GeneratedNotificationsAreEncodedAsTheDomEncoderDid) {
    EventGenerator generate(3);
    for (int i = 0; i < kGeneratedEvents; ++i) {
        const Event<Notification> event = generate.notification();
        ASSERT_EQ(encode(event), dom_encode(event)) << "generated notification " << i;
    }
}

TEST(EventWireFormat, LongTextIsEncodedWhole) {
    Event<Notification> event;
    event.data.text = std::string(10'000, 'x') + "\"\n" + std::string(10'000, '\x01');
    EXPECT_EQ(encode(event), dom_encode(event));
}

}  // namespace
}  // namespace streamstore::events
