// decode_*_event (codec.cpp: Boost.JSON's SAX parser, no document) against the DOM decoder it
// replaced, on many generated and mutated inputs: both must give the same event, or the same
// DecodeErrc and message.
//
// The reference is that DOM decoder, in tests/support/dom_reference_decoder.hpp, which the fuzzer
// (tests/fuzz/decode_event_fuzzer.cpp) checks every input against too.

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "dom_reference_decoder.hpp"
#include "streamstore/events/codec.hpp"
#include "streamstore/events/decode_error.hpp"
#include "streamstore/events/events.hpp"

namespace streamstore::events {
namespace {

namespace json = boost::json;
using dom_reference::describe;
using dom_reference::dom_decode;
using dom_reference::same_result;

// ---------------------------------------------------------------------------------------------
// Comparing the two

// Runs every input through both decoders of all three types and counts outcomes and differences.
class Comparison {
public:
    void check(std::string_view input) {
        ++inputs_;
        compare<Order>(input, decode_order_event, "order");
        compare<Payment>(input, decode_payment_event, "payment");
        compare<Notification>(input, decode_notification_event, "notification");
    }

    [[nodiscard]] std::size_t inputs() const { return inputs_; }
    [[nodiscard]] std::size_t accepted() const { return accepted_; }
    [[nodiscard]] std::size_t failures(DecodeErrc code) const { return by_code_[static_cast<std::size_t>(code)]; }
    [[nodiscard]] std::size_t differences() const { return differences_; }
    [[nodiscard]] const std::string& report() const { return report_; }

private:
    template <class T>
    void compare(std::string_view input, DecodeResult<Event<T>> (*decode)(std::string_view), std::string_view type) {
        const DecodeResult<Event<T>> sax = decode(input);
        const DecodeResult<Event<T>> dom = dom_decode<T>(input);
        if (dom.ok()) {
            ++accepted_;
        } else {
            ++by_code_[static_cast<std::size_t>(dom.error().code)];
        }
        if (same_result(sax, dom)) return;
        if (++differences_ <= 10) {
            report_ += std::string(type) + " decoder differs on (" + std::to_string(input.size()) + " bytes) " +
                       json::serialize(json::string_view(input.data(), std::min<std::size_t>(input.size(), 600))) +
                       "\n  SAX: " + describe(sax) + "\n  DOM: " + describe(dom) + "\n";
        }
    }

    std::size_t inputs_ = 0;
    std::size_t accepted_ = 0;
    std::size_t differences_ = 0;
    std::array<std::size_t, 16> by_code_{};
    std::string report_;
};

// ---------------------------------------------------------------------------------------------
// Inputs

// Strings of every kind the parser treats differently: plain, with characters JSON must escape,
// multi-byte UTF-8, and lengths around the limits (64 bytes for ids, 512 for texts).
std::string random_text(std::mt19937_64& rng, std::size_t max_length) {
    static constexpr std::array<std::string_view, 14> kPieces = {
        "a", "Z", "7", " ", "-", "\"", "\\", "/", "\n", "\t", "\x01", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x8d\x95"};
    const std::size_t length = std::uniform_int_distribution<std::size_t>(1, max_length)(rng);
    std::string s;
    const bool plain = rng() % 2 == 0;
    while (s.size() < length) {
        s += plain ? std::string(1, static_cast<char>('a' + rng() % 26)) : std::string(kPieces[rng() % kPieces.size()]);
    }
    return s;
}

std::int64_t random_timestamp(std::mt19937_64& rng) {
    static constexpr std::array<std::int64_t, 4> kEdges = {0, 1, 1'763'719'200'123, 253'402'300'799'999};
    return rng() % 3 == 0 ? kEdges[rng() % kEdges.size()] : 1'700'000'000'000 + static_cast<std::int64_t>(rng() % 100'000'000'000);
}

std::string random_id(std::mt19937_64& rng) {
    if (rng() % 4 == 0) return random_text(rng, rng() % 2 == 0 ? 64 : 70);
    std::string id(36, '-');
    for (std::size_t i : {0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 14, 15, 16, 17, 19, 20, 21, 22, 24, 25, 26, 27, 28, 29,
                          30, 31, 32, 33, 34, 35}) {
        id[i] = "0123456789abcdef"[rng() % 16];
    }
    return id;
}

EventMeta random_meta(std::mt19937_64& rng) {
    EventMeta meta;
    meta.event_id = random_id(rng);
    meta.occurred_at_ms = random_timestamp(rng);
    return meta;
}

Event<Order> random_order(std::mt19937_64& rng) {
    Event<Order> e;
    e.meta = random_meta(rng);
    e.data.order_id = random_id(rng);
    e.data.customer_id = rng() % 5 == 0 ? random_text(rng, 70) : "c-00" + std::to_string(rng() % 100);
    e.data.user = random_text(rng, rng() % 8 == 0 ? 520 : 24);
    e.data.item = random_text(rng, 20);
    e.data.quantity = rng() % 6 == 0 ? kMaxQuantity : static_cast<std::int32_t>(1 + rng() % 20);
    e.data.unit_price_cents = rng() % 6 == 0 ? 1'000'000'000'000 : static_cast<std::int64_t>(rng() % 100'000);
    e.data.currency = rng() % 6 == 0 ? "eur" : "EUR";
    e.data.created_at_ms = random_timestamp(rng);
    return e;
}

Event<Payment> random_payment(std::mt19937_64& rng) {
    const Event<Order> order = random_order(rng);
    Event<Payment> e;
    e.meta = random_meta(rng);
    e.data.order_id = order.data.order_id;
    e.data.customer_id = order.data.customer_id;
    e.data.user = order.data.user;
    e.data.item = order.data.item;
    e.data.quantity = order.data.quantity;
    e.data.amount_cents = order.data.unit_price_cents;
    e.data.currency = order.data.currency;
    e.data.status = rng() % 2 == 0 ? PaymentStatus::approved : PaymentStatus::declined;
    if (e.data.status == PaymentStatus::declined && rng() % 4 != 0) e.data.decline_reason = random_text(rng, 40);
    e.data.order_created_at_ms = order.data.created_at_ms;
    e.data.processed_at_ms = random_timestamp(rng);
    return e;
}

Event<Notification> random_notification(std::mt19937_64& rng) {
    Event<Notification> e;
    e.meta = random_meta(rng);
    e.data.order_id = random_id(rng);
    e.data.kind = std::array{NotificationKind::order_received, NotificationKind::payment_approved,
                             NotificationKind::payment_declined}[rng() % 3];
    e.data.text = random_text(rng, rng() % 8 == 0 ? 2100 : 80);
    e.data.order_created_at_ms = random_timestamp(rng);
    e.data.notified_at_ms = random_timestamp(rng);
    e.data.latency_ms = rng() % 4 == 0 ? -1 : static_cast<std::int64_t>(rng() % 10'000);
    return e;
}

// Values a member is retyped to: every JSON kind, and numbers at and past every limit.
const std::vector<json::value>& replacement_values() {
    static const std::vector<json::value> values = [] {
        std::vector<json::value> v;
        for (std::string_view text :
             {"null", "true", "false", "0", "-1", "1", "2", "1.5", "-0", "0.0", "1e3", "1000000", "1000001",
              "9223372036854775807", "-9223372036854775808", "9223372036854775808", "18446744073709551615",
              "18446744073709551616", "2147483648", "-2147483649", "253402300799999", "253402300800000",
              "1000000000000", "1000000000001", R"("")", R"("x")", R"("EUR")", R"("approved")", R"("declined")",
              R"("payment_declined")", R"("order_placed")", R"("payment_processed")", R"("notification_sent")",
              R"("\u0041BC")", "[]", "[1,{}]", "{}", R"({"order_id":"nested"})"}) {
            v.push_back(json::parse(text));
        }
        v.emplace_back(std::string(65, 'x'));
        v.emplace_back(std::string(513, 'y'));
        return v;
    }();
    return values;
}

// Writes JSON by hand: members may repeat (json::object cannot hold duplicates), and any string or
// key may be written with every ASCII character as a \u escape, so the parser hands it over in
// parts.
struct Member {
    std::string key;
    json::value value;
    std::string raw = {};  // written as it is instead of `value` when not empty
};

std::string escaped_all(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x80) {
            static constexpr char kHex[] = "0123456789abcdef";
            out += "\\u00";
            out += kHex[u >> 4];
            out += kHex[u & 15];
        } else {
            out += c;
        }
    }
    return out + "\"";
}

std::string write_string(std::string_view s, bool escape) {
    return escape ? escaped_all(s) : json::serialize(json::string_view(s.data(), s.size()));
}

std::string write_value(const json::value& v, std::mt19937_64& rng, int escape_one_in) {
    const bool escape = escape_one_in > 0 && rng() % static_cast<unsigned>(escape_one_in) == 0;
    if (v.is_string()) return write_string(v.get_string(), escape);
    if (!v.is_object()) return json::serialize(v);
    std::string out = "{";
    for (const auto& m : v.get_object()) {
        if (out.size() > 1) out += ',';
        out += write_string(m.key(), escape_one_in > 0 && rng() % static_cast<unsigned>(escape_one_in) == 0);
        out += ':';
        out += write_value(m.value(), rng, escape_one_in);
    }
    return out + "}";
}

std::string write_object(const std::vector<Member>& members, std::mt19937_64& rng, int escape_one_in) {
    std::string out = "{";
    for (const Member& m : members) {
        if (out.size() > 1) out += ',';
        out += write_string(m.key, escape_one_in > 0 && rng() % static_cast<unsigned>(escape_one_in) == 0);
        out += ':';
        out += m.raw.empty() ? write_value(m.value, rng, escape_one_in) : m.raw;
    }
    return out + "}";
}

std::vector<Member> members_of(const json::object& o) {
    std::vector<Member> members;
    for (const auto& m : o) members.push_back({std::string(m.key()), m.value()});
    return members;
}

// Every mutation of one encoded event: members removed, retyped and repeated at the top level and
// in "data"; keys and strings escaped; the payload bare; truncations; random byte edits.
template <class Check>
void mutate(const std::string& encoded, std::mt19937_64& rng, Check&& check) {
    check(encoded);
    const json::object envelope = json::parse(encoded).as_object();
    const std::vector<Member> top = members_of(envelope);
    const std::vector<Member> data = members_of(envelope.at("data").as_object());
    const auto with_data = [&](const std::vector<Member>& d) {
        std::vector<Member> t = top;
        for (Member& m : t) {
            if (m.key == "data") m.raw = write_object(d, rng, 0);
        }
        return t;
    };

    for (const std::vector<Member>* level : {&top, &data}) {
        const bool in_data = level == &data;
        const auto emit = [&](const std::vector<Member>& members) {
            check(write_object(in_data ? with_data(members) : members, rng, 0));
        };
        for (std::size_t i = 0; i < level->size(); ++i) {
            std::vector<Member> removed = *level;
            removed.erase(removed.begin() + static_cast<std::ptrdiff_t>(i));
            emit(removed);
            // Retyped, in place and as a repeat after the original (the last one counts), and the
            // original repeated after a retyped one.
            const auto& values = replacement_values();
            for (std::size_t r = rng() % 4; r < values.size(); r += 1 + rng() % 4) {
                std::vector<Member> retyped = *level;
                retyped[i].value = values[r];
                emit(retyped);
                std::vector<Member> repeated = *level;
                repeated.push_back({(*level)[i].key, values[r]});
                emit(repeated);
                retyped.push_back((*level)[i]);
                emit(retyped);
            }
            // A near miss of the key.
            std::vector<Member> renamed = *level;
            renamed[i].key += rng() % 2 == 0 ? " " : "_";
            emit(renamed);
            std::vector<Member> upper = *level;
            upper[i].key[0] = static_cast<char>(upper[i].key[0] - 'a' + 'A');
            emit(upper);
        }
        // Unknown members, deep and shallow, before and after the known ones.
        for (std::string_view extra : {R"({"a":[1,2,{"b":null}]})", R"([[[[[[[[[[[[[[1]]]]]]]]]]]]]])",
                                       R"([[[[[[[[[[[[[[[1]]]]]]]]]]]]]]])", R"({"data":{"order_id":"x"}})"}) {
            std::vector<Member> more = *level;
            more.insert(more.begin(), {"unknown", json::parse(extra)});
            more.push_back({"zz", json::parse(extra)});
            emit(more);
        }
    }

    // Keys and strings escaped, some or all.
    check(write_object(top, rng, 1));
    check(write_object(top, rng, 3));
    // The payload alone, as a bare object, and data repeated with another type or content.
    check(write_object(data, rng, 0));
    std::vector<Member> twice = top;
    twice.push_back({"data", json::parse(R"({"order_id":"o-2"})")});
    check(write_object(twice, rng, 0));
    twice = top;
    twice.insert(twice.begin(), {"data", json::array{1, 2}});
    check(write_object(twice, rng, 0));
    twice = top;
    twice.push_back({"data", json::array{}});
    check(write_object(twice, rng, 0));

    // Not an object at the top.
    check("[" + encoded + "]");
    check(json::serialize(json::string(encoded)));
    // Truncated, and with random bytes replaced, inserted or removed.
    for (std::size_t n = 0; n < encoded.size(); n += 1 + rng() % 24) check(encoded.substr(0, n));
    static constexpr std::string_view kBytes = "\"\\{}[],:0123456789-+.eE tfnu\x7f\xff\xc3\x80\x00";
    for (int k = 0; k < 24; ++k) {
        std::string edited = encoded;
        const std::size_t at = rng() % edited.size();
        const char byte = kBytes[rng() % kBytes.size()];
        switch (rng() % 3) {
            case 0: edited[at] = byte; break;
            case 1: edited.insert(edited.begin() + static_cast<std::ptrdiff_t>(at), byte); break;
            default: edited.erase(at, 1 + rng() % 4); break;
        }
        check(edited);
    }
}

std::vector<std::string> files_in(const std::filesystem::path& dir) {
    std::vector<std::string> contents;
    if (!std::filesystem::is_directory(dir)) return contents;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (!entry.is_regular_file()) continue;
        std::ifstream in(entry.path(), std::ios::binary);
        contents.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return contents;
}

void expect_no_differences(const Comparison& c) {
    EXPECT_EQ(c.differences(), 0U) << c.differences() << " of " << c.inputs() << " inputs decode differently:\n"
                                   << c.report();
}

// ---------------------------------------------------------------------------------------------

TEST(DecodeEquivalence, SaxDecodersMatchTheDomDecoderOnMutatedEvents) {
    std::mt19937_64 rng(20251121);
    Comparison c;
    const auto check = [&](std::string_view input) { c.check(input); };
    for (int i = 0; i < 6; ++i) {
        mutate(encode(random_order(rng)), rng, check);
        mutate(encode(random_payment(rng)), rng, check);
        mutate(encode(random_notification(rng)), rng, check);
    }
    expect_no_differences(c);

    // The generator reaches every outcome, so the comparison above means something.
    EXPECT_GT(c.accepted(), 100U);
    for (DecodeErrc code : {DecodeErrc::malformed_json, DecodeErrc::not_an_object, DecodeErrc::missing_field,
                            DecodeErrc::wrong_type, DecodeErrc::invalid_value, DecodeErrc::unsupported_schema_version,
                            DecodeErrc::unexpected_event_type}) {
        EXPECT_GT(c.failures(code), 10U) << to_string(code);
    }
}

TEST(DecodeEquivalence, SaxDecodersMatchTheDomDecoderOnEdgeCases) {
    Comparison c;
    const std::string order = encode([] {
        std::mt19937_64 rng(7);
        return random_order(rng);
    }());
    std::string padded = order;
    padded.append(kMaxEventBytes - padded.size(), ' ');
    for (std::string_view input :
         {std::string_view(), std::string_view("{}"), std::string_view("[]"), std::string_view("null"),
          std::string_view("42"), std::string_view("\"x\""), std::string_view("{\"data\":null}"),
          std::string_view("{\"event_type\":null}"), std::string_view(" {} "), std::string_view("{} {}"),
          std::string_view("{\"a\":1}\x00", 8), std::string_view("\xef\xbb\xbf{}"), std::string_view("{/*c*/}"),
          std::string_view(R"({"order_id":"o","user":"u","item":"i","quantity":1,"data":5})"),
          std::string_view(R"({"order_id":"o","user":"u","item":"i","quantity":1,"event_type":"order_placed"})"),
          std::string_view(R"({"order\u005fid":"o","us\u0065r":"u","item":"i","quantity":1})"),
          std::string_view(R"({"order_id":"\ud83c\udf55","user":"u\u0000","item":"i","quantity":1})"),
          std::string_view(R"({"order_id":"\ud83c","user":"u","item":"i","quantity":1})"),
          std::string_view(padded)}) {
        c.check(input);
    }
    c.check(padded + " ");  // one byte over the limit
    std::string deep = order;
    deep.insert(deep.size() - 2, R"(,"x":)" + std::string(14, '[') + std::string(14, ']'));
    c.check(deep);
    deep = order;
    deep.insert(deep.size() - 2, R"(,"x":)" + std::string(15, '[') + std::string(15, ']'));
    c.check(deep);
    // A long escaped string: the parser unescapes it through its buffer in several parts.
    std::string long_text = R"({"order_id":"o","user":")";
    for (int i = 0; i < 3000; ++i) long_text += "\\u0041\\n";
    long_text += R"(","item":"i","quantity":1})";
    c.check(long_text);
    expect_no_differences(c);
}

// STREAMSTORE_FUZZ_DIR is tests/fuzz (tests/unit/CMakeLists.txt): its corpus of odd inputs.
TEST(DecodeEquivalence, SaxDecodersMatchTheDomDecoderOnTheFuzzCorpus) {
    Comparison c;
    for (const char* dir : {STREAMSTORE_FUZZ_DIR "/corpus", STREAMSTORE_FUZZ_DIR "/regressions"}) {
        for (const std::string& input : files_in(dir)) c.check(input);
    }
    EXPECT_GT(c.inputs(), 50U) << "tests/fuzz/corpus not found";
    expect_no_differences(c);
}

}  // namespace
}  // namespace streamstore::events
