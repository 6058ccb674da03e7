// The DOM reference decoder: a test oracle for decode_order_event, decode_payment_event and
// decode_notification_event (libs/events, codec.hpp).
//
// This is the decoder libs/events used before it decoded with Boost.JSON's SAX parser (commit
// 4a1dd83), kept here, unchanged in behaviour, as the answer the SAX decoders must give: the same
// event, or the same DecodeErrc and message, on every input. It parses the whole text into a
// boost::json::value (max depth 16), reads the envelope from that boost::json::object, and the
// payload with boost::json::value_to<T>, whose rules are the decoders' own (it names fields relative
// to the payload, so "data." is put in front). It is slow and allocates a DOM; never use it outside
// tests.
//
// Used by tests/unit/events_decode_equivalence_test.cpp (generated and mutated inputs, the fuzz
// corpus) and tests/fuzz/decode_event_fuzzer.cpp (every fuzz input), so both compare against one
// copy. Header-only: the fuzz project is standalone and compiles its own libs/events, so this must
// not depend on a library of the main build. Needs Boost.JSON and streamstore::events.
//
//   const auto sax = events::decode_order_event(text);
//   const auto dom = events::dom_reference::dom_decode<events::Order>(text);
//   if (!events::dom_reference::same_result(sax, dom)) { ... describe(sax), describe(dom) ... }
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <boost/json.hpp>

#include "streamstore/events/codec.hpp"
#include "streamstore/events/decode_error.hpp"
#include "streamstore/events/events.hpp"

namespace streamstore::events::dom_reference {

namespace detail {

namespace json = boost::json;

// The same wording as codec.cpp's kind_name, written out again on purpose: the oracle shares no
// code with the decoders it checks.
inline std::string kind_name(const json::value& v) {
    switch (v.kind()) {
        case json::kind::null: return "null";
        case json::kind::bool_: return "a boolean";
        case json::kind::int64:
        case json::kind::uint64: return "an integer";
        case json::kind::double_: return "a number that is not a 64-bit integer";
        case json::kind::string: return "a string";
        case json::kind::array: return "an array";
        case json::kind::object: return "an object";
    }
    return "unknown";
}

[[noreturn]] inline void fail(DecodeErrc code, std::string message) {
    throw DecodeException(DecodeError{code, std::move(message)});
}

inline const json::value& required(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || v->is_null()) fail(DecodeErrc::missing_field, std::string(key) + ": is required");
    return *v;
}

}  // namespace detail

// The envelope's string member `key`: present, a string, not empty, at most `max_length` bytes.
// Throws DecodeException otherwise.
inline std::string envelope_string(const boost::json::object& o, std::string_view key, std::size_t max_length) {
    using detail::fail;
    const boost::json::value& v = detail::required(o, key);
    const std::string k(key);
    if (!v.is_string()) fail(DecodeErrc::wrong_type, k + ": must be a string, got " + detail::kind_name(v));
    const boost::json::string& s = v.get_string();
    if (s.empty()) fail(DecodeErrc::invalid_value, k + ": must not be empty");
    if (s.size() > max_length) {
        fail(DecodeErrc::invalid_value, k + ": must be at most " + std::to_string(max_length) + " bytes, got " +
                                            std::to_string(s.size()));
    }
    return std::string(s);
}

// The envelope's integer member `key`, in [min, max]. Throws DecodeException otherwise.
inline std::int64_t envelope_integer(const boost::json::object& o, std::string_view key, std::int64_t min,
                                     std::int64_t max) {
    using detail::fail;
    const boost::json::value& v = detail::required(o, key);
    const std::string k(key);
    const std::string range = ": must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got ";
    if (v.is_uint64()) fail(DecodeErrc::invalid_value, k + range + std::to_string(v.get_uint64()));
    if (!v.is_int64()) fail(DecodeErrc::wrong_type, k + ": must be an integer, got " + detail::kind_name(v));
    const std::int64_t n = v.get_int64();
    if (n < min || n > max) fail(DecodeErrc::invalid_value, k + range + std::to_string(n));
    return n;
}

// The envelope's metadata, checked against the `expected` event type. Throws DecodeException.
inline EventMeta dom_meta(const boost::json::object& o, EventType expected) {
    using detail::fail;
    EventMeta meta;
    const std::string type = envelope_string(o, "event_type", 64);
    if (type != to_string(expected)) {
        fail(DecodeErrc::unexpected_event_type,
             "event_type: expected \"" + std::string(to_string(expected)) + "\", got \"" + type + "\"");
    }
    meta.type = expected;
    const std::int64_t version = envelope_integer(o, "schema_version", std::numeric_limits<int>::min(),
                                                  std::numeric_limits<int>::max());
    if (version != kSchemaVersion) {
        fail(DecodeErrc::unsupported_schema_version, "schema_version: " + std::to_string(version) +
                                                         " is not supported (this build reads " +
                                                         std::to_string(kSchemaVersion) + ")");
    }
    meta.event_id = envelope_string(o, "event_id", 64);
    meta.occurred_at_ms = envelope_integer(o, "occurred_at_ms", 0, 253'402'300'799'999);
    return meta;
}

// What decode_order_event (T = Order), decode_payment_event (Payment) or decode_notification_event
// (Notification) must return for `text`. Throws nothing but std::bad_alloc.
template <class T>
DecodeResult<Event<T>> dom_decode(std::string_view text) {
    namespace json = boost::json;
    using detail::fail;
    if (text.empty()) return DecodeError{DecodeErrc::empty_payload, "payload is empty"};
    if (text.size() > kMaxEventBytes) {
        return DecodeError{DecodeErrc::payload_too_large, "payload is " + std::to_string(text.size()) +
                                                              " bytes, the limit is " +
                                                              std::to_string(kMaxEventBytes)};
    }
    json::parse_options options;
    options.max_depth = 16;
    boost::system::error_code ec;
    const json::value root = json::parse(text, ec, {}, options);
    if (ec) return DecodeError{DecodeErrc::malformed_json, "not valid JSON: " + ec.message()};
    if (!root.is_object()) {
        return DecodeError{DecodeErrc::not_an_object,
                           "top level must be a JSON object, got " + detail::kind_name(root)};
    }
    const json::object& o = root.get_object();
    try {
        if (!o.contains("event_type") && !o.contains("data")) {
            if constexpr (std::is_same_v<T, Order>) {
                Event<Order> event;
                event.data = json::value_to<Order>(root);
                event.meta.event_id = event.data.order_id;
                event.meta.occurred_at_ms = event.data.created_at_ms;
                return event;
            } else {
                return DecodeError{DecodeErrc::missing_field, "event_type: is required"};
            }
        }
        Event<T> event;
        event.meta = dom_meta(o, kEventTypeOf<T>);
        const json::value& data = detail::required(o, "data");
        if (!data.is_object()) {
            fail(DecodeErrc::wrong_type, "data: must be an object, got " + detail::kind_name(data));
        }
        try {
            event.data = json::value_to<T>(data);
        } catch (const DecodeException& e) {
            return DecodeError{e.error().code, "data." + e.error().message};
        }
        return event;
    } catch (const DecodeException& e) {
        return e.error();
    }
}

// Whether two results are the same: both an equal event, or both the same DecodeErrc and message.
template <class T>
bool same_result(const DecodeResult<Event<T>>& a, const DecodeResult<Event<T>>& b) {
    if (a.ok() != b.ok()) return false;
    if (a.ok()) return a.value() == b.value();
    return a.error().code == b.error().code && a.error().message == b.error().message;
}

// A result in one line, for reports: "ok: <the event encoded>" or "<DecodeErrc>: <message>".
template <class T>
std::string describe(const DecodeResult<Event<T>>& r) {
    if (r.ok()) return "ok: " + encode(r.value());
    return std::string(to_string(r.error().code)) + ": " + r.error().message;
}

}  // namespace streamstore::events::dom_reference
