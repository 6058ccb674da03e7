#include "streamstore/events/codec.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <iterator>
#include <limits>
#include <optional>

#include <boost/json.hpp>

namespace streamstore::events {
namespace json = boost::json;

namespace {

constexpr std::size_t kMaxIdLength = 64;
constexpr std::size_t kMaxTextLength = 512;
constexpr std::int64_t kMaxAmountCents = 1'000'000'000'000;  // 10 billion in major units
constexpr std::int64_t kMaxTimestampMs = 253'402'300'799'999;  // 9999-12-31T23:59:59.999Z

[[noreturn]] void fail(DecodeErrc code, std::string message) {
    throw DecodeException(DecodeError{code, std::move(message)});
}

std::string_view kind_name(const json::value& v) {
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

// Reads the fields of one JSON object; every error names the field by its path ("data.quantity").
class FieldReader {
public:
    FieldReader(const json::object& object, std::string_view prefix) : object_(object), prefix_(prefix) {}

    std::string string(std::string_view key, std::size_t max_length) const {
        return std::string(view(key, max_length));
    }

    /// Like string(), without the copy: a view into the parsed document, valid while it lives.
    std::string_view view(std::string_view key, std::size_t max_length) const {
        return checked_view(key, *find_required(key), max_length);
    }

    std::optional<std::string> optional_string(std::string_view key, std::size_t max_length) const {
        const json::value* v = object_.if_contains(key);
        if (v == nullptr || v->is_null()) return std::nullopt;
        return std::string(checked_view(key, *v, max_length));
    }

    std::int64_t integer(std::string_view key, std::int64_t min, std::int64_t max) const {
        return checked_integer(key, *find_required(key), min, max);
    }

    std::optional<std::int64_t> optional_integer(std::string_view key, std::int64_t min,
                                                 std::int64_t max) const {
        const json::value* v = object_.if_contains(key);
        if (v == nullptr || v->is_null()) return std::nullopt;
        return checked_integer(key, *v, min, max);
    }

    const json::object& object(std::string_view key) const {
        const json::value* v = find_required(key);
        if (!v->is_object()) {
            fail(DecodeErrc::wrong_type, path(key) + ": must be an object, got " + std::string(kind_name(*v)));
        }
        return v->get_object();
    }

    [[nodiscard]] std::string path(std::string_view key) const {
        std::string p(prefix_);
        p += key;
        return p;
    }

private:
    const json::value* find_required(std::string_view key) const {
        const json::value* v = object_.if_contains(key);
        if (v == nullptr || v->is_null()) fail(DecodeErrc::missing_field, path(key) + ": is required");
        return v;
    }

    std::string_view checked_view(std::string_view key, const json::value& v, std::size_t max_length) const {
        if (!v.is_string()) {
            fail(DecodeErrc::wrong_type, path(key) + ": must be a string, got " + std::string(kind_name(v)));
        }
        const json::string& s = v.get_string();
        if (s.empty()) fail(DecodeErrc::invalid_value, path(key) + ": must not be empty");
        if (s.size() > max_length) {
            fail(DecodeErrc::invalid_value, path(key) + ": must be at most " + std::to_string(max_length) +
                                                " bytes, got " + std::to_string(s.size()));
        }
        return s;
    }

    std::int64_t checked_integer(std::string_view key, const json::value& v, std::int64_t min,
                                 std::int64_t max) const {
        std::int64_t n = 0;
        if (v.is_int64()) {
            n = v.get_int64();
        } else if (v.is_uint64()) {
            // Larger than any int64: necessarily out of range.
            fail(DecodeErrc::invalid_value, path(key) + ": must be between " + std::to_string(min) + " and " +
                                                std::to_string(max) + ", got " + std::to_string(v.get_uint64()));
        } else {
            fail(DecodeErrc::wrong_type, path(key) + ": must be an integer, got " + std::string(kind_name(v)));
        }
        if (n < min || n > max) {
            fail(DecodeErrc::invalid_value, path(key) + ": must be between " + std::to_string(min) + " and " +
                                                std::to_string(max) + ", got " + std::to_string(n));
        }
        return n;
    }

    const json::object& object_;
    std::string_view prefix_;
};

std::string currency_field(const FieldReader& r, std::string_view key, bool required) {
    std::optional<std::string> c = required ? std::optional(r.string(key, 3)) : r.optional_string(key, 3);
    if (!c) return "EUR";
    const bool valid = c->size() == 3 && std::all_of(c->begin(), c->end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; });
    if (!valid) {
        fail(DecodeErrc::invalid_value, r.path(key) + ": must be three upper-case letters (ISO 4217), got \"" + *c + "\"");
    }
    return std::move(*c);
}

std::int32_t quantity_field(const FieldReader& r) {
    return static_cast<std::int32_t>(r.integer("quantity", 1, kMaxQuantity));
}

Order read_order(const json::object& o, std::string_view prefix) {
    const FieldReader r(o, prefix);
    Order order;
    order.order_id = r.string("order_id", kMaxIdLength);
    order.user = r.string("user", kMaxTextLength);
    order.item = r.string("item", kMaxTextLength);
    order.quantity = quantity_field(r);
    if (auto customer = r.optional_string("customer_id", kMaxIdLength)) {
        order.customer_id = std::move(*customer);
    } else if (order.user.size() > kMaxIdLength) {
        // The user stands in for the customer id, which has the id's limit (found by the fuzzer).
        fail(DecodeErrc::missing_field, r.path("customer_id") + ": is required when user is longer than " +
                                            std::to_string(kMaxIdLength) + " bytes");
    } else {
        order.customer_id = order.user;
    }
    order.unit_price_cents = r.optional_integer("unit_price_cents", 0, kMaxAmountCents).value_or(0);
    order.currency = currency_field(r, "currency", false);
    order.created_at_ms = r.optional_integer("created_at_ms", 0, kMaxTimestampMs).value_or(0);
    if (order.amount_cents() > kMaxAmountCents) {
        fail(DecodeErrc::invalid_value, r.path("unit_price_cents") + ": quantity x unit price exceeds " +
                                            std::to_string(kMaxAmountCents) + " cents");
    }
    return order;
}

PaymentStatus read_status(const FieldReader& r) {
    const std::string_view s = r.view("status", 16);
    if (s == "approved") return PaymentStatus::approved;
    if (s == "declined") return PaymentStatus::declined;
    fail(DecodeErrc::invalid_value,
         r.path("status") + ": must be \"approved\" or \"declined\", got \"" + std::string(s) + "\"");
}

Payment read_payment(const json::object& o, std::string_view prefix) {
    const FieldReader r(o, prefix);
    Payment p;
    p.order_id = r.string("order_id", kMaxIdLength);
    p.customer_id = r.string("customer_id", kMaxIdLength);
    p.user = r.string("user", kMaxTextLength);
    p.item = r.string("item", kMaxTextLength);
    p.quantity = quantity_field(r);
    p.amount_cents = r.integer("amount_cents", 0, kMaxAmountCents);
    p.currency = currency_field(r, "currency", true);
    p.status = read_status(r);
    p.decline_reason = r.optional_string("decline_reason", kMaxTextLength).value_or("");
    if (p.status == PaymentStatus::declined && p.decline_reason.empty()) {
        fail(DecodeErrc::missing_field, r.path("decline_reason") + ": is required when status is \"declined\"");
    }
    p.order_created_at_ms = r.optional_integer("order_created_at_ms", 0, kMaxTimestampMs).value_or(0);
    p.processed_at_ms = r.integer("processed_at_ms", 0, kMaxTimestampMs);
    return p;
}

NotificationKind read_kind(const FieldReader& r) {
    const std::string_view s = r.view("kind", 32);
    for (auto kind : {NotificationKind::order_received, NotificationKind::payment_approved,
                      NotificationKind::payment_declined}) {
        if (s == to_string(kind)) return kind;
    }
    fail(DecodeErrc::invalid_value, r.path("kind") + ": unknown notification kind \"" + std::string(s) + "\"");
}

Notification read_notification(const json::object& o, std::string_view prefix) {
    const FieldReader r(o, prefix);
    Notification n;
    n.order_id = r.string("order_id", kMaxIdLength);
    n.kind = read_kind(r);
    n.text = r.string("text", 4 * kMaxTextLength);
    n.order_created_at_ms = r.optional_integer("order_created_at_ms", 0, kMaxTimestampMs).value_or(0);
    n.notified_at_ms = r.integer("notified_at_ms", 0, kMaxTimestampMs);
    n.latency_ms = r.optional_integer("latency_ms", -1, kMaxTimestampMs).value_or(-1);
    return n;
}

template <class T>
T read_data(const json::object& o, std::string_view prefix) {
    if constexpr (std::is_same_v<T, Order>) return read_order(o, prefix);
    if constexpr (std::is_same_v<T, Payment>) return read_payment(o, prefix);
    if constexpr (std::is_same_v<T, Notification>) return read_notification(o, prefix);
}

EventMeta read_meta(const json::object& o, EventType expected) {
    const FieldReader r(o, "");
    EventMeta meta;
    const std::string_view type = r.view("event_type", 64);
    if (type != to_string(expected)) {
        fail(DecodeErrc::unexpected_event_type,
             "event_type: expected \"" + std::string(to_string(expected)) + "\", got \"" + std::string(type) + "\"");
    }
    meta.type = expected;
    const std::int64_t version = r.integer("schema_version", std::numeric_limits<int>::min(),
                                           std::numeric_limits<int>::max());
    if (version != kSchemaVersion) {
        fail(DecodeErrc::unsupported_schema_version, "schema_version: " + std::to_string(version) +
                                                         " is not supported (this build reads " +
                                                         std::to_string(kSchemaVersion) + ")");
    }
    meta.schema_version = kSchemaVersion;
    meta.event_id = r.string("event_id", kMaxIdLength);
    meta.occurred_at_ms = r.integer("occurred_at_ms", 0, kMaxTimestampMs);
    return meta;
}

template <class T>
DecodeResult<Event<T>> decode_event(std::string_view text) {
    if (text.empty()) return DecodeError{DecodeErrc::empty_payload, "payload is empty"};
    if (text.size() > kMaxEventBytes) {
        return DecodeError{DecodeErrc::payload_too_large, "payload is " + std::to_string(text.size()) +
                                                              " bytes, the limit is " +
                                                              std::to_string(kMaxEventBytes)};
    }
    // Parse into a stack buffer first; events are small, so this avoids most heap allocation.
    std::array<unsigned char, 4096> buffer;
    json::monotonic_resource resource(buffer.data(), buffer.size());
    json::parse_options options;
    options.max_depth = 16;
    boost::system::error_code ec;
    json::value root = json::parse(text, ec, &resource, options);
    if (ec) return DecodeError{DecodeErrc::malformed_json, "not valid JSON: " + ec.message()};
    if (!root.is_object()) {
        return DecodeError{DecodeErrc::not_an_object,
                           "top level must be a JSON object, got " + std::string(kind_name(root))};
    }
    const json::object& object = root.get_object();
    try {
        const bool is_envelope = object.contains("event_type") || object.contains("data");
        if (!is_envelope) {
            if constexpr (std::is_same_v<T, Order>) {
                Event<Order> event;
                event.data = read_order(object, "");
                event.meta.event_id = event.data.order_id;
                event.meta.type = EventType::order_placed;
                event.meta.occurred_at_ms = event.data.created_at_ms;
                return event;
            } else {
                return DecodeError{DecodeErrc::missing_field, "event_type: is required"};
            }
        }
        Event<T> event;
        event.meta = read_meta(object, kEventTypeOf<T>);
        event.data = read_data<T>(FieldReader(object, "").object("data"), "data.");
        return event;
    } catch (DecodeException& e) {
        return e.error();
    }
}

// ---------------------------------------------------------------------------------------------
// Encoding: compact JSON written straight into one string. No DOM: building a boost::json::object
// cost an allocation per member. The bytes are those boost::json::serialize writes for the
// object value_from builds (same members in the same order, strings escaped by Boost.JSON's
// serializer, the same numbers); tests/unit/events_wire_format_test.cpp compares the two.

// Appends `s` as a JSON string, escaped by Boost.JSON's own serializer (the same code
// boost::json::serialize runs). 4 KiB holds any string up to 680 bytes escaped in one read;
// longer ones take more reads.
void append_json_string(std::string& out, std::string_view s) {
    json::serializer serializer;
    serializer.reset(s);
    char buffer[4096];
    while (!serializer.done()) {
        const json::string_view written = serializer.read(buffer);
        out.append(written.data(), written.size());
    }
}

void append_integer(std::string& out, std::int64_t n) {
    char digits[std::numeric_limits<std::int64_t>::digits10 + 2];  // 19 digits and a sign
    const auto end = std::to_chars(std::begin(digits), std::end(digits), n).ptr;
    out.append(digits, end);
}

// Writes the members of one JSON object in order, with the commas between them. Keys are
// literals of plain ASCII and are written as they are.
class ObjectWriter {
public:
    explicit ObjectWriter(std::string& out) : out_(out) { out_ += '{'; }

    void member(std::string_view key, std::string_view value) {
        start_member(key);
        append_json_string(out_, value);
    }
    void member(std::string_view key, std::int64_t value) {
        start_member(key);
        append_integer(out_, value);
    }
    /// Starts a member whose value the caller writes next (a nested object).
    void member_key(std::string_view key) { start_member(key); }
    void close() { out_ += '}'; }

private:
    void start_member(std::string_view key) {
        if (!first_) out_ += ',';
        first_ = false;
        out_ += '"';
        out_ += key;
        out_ += "\":";
    }

    std::string& out_;
    bool first_ = true;
};

// The members of each payload, in the order of the tag_invoke (value_from) overloads below.
void write_members(ObjectWriter& o, const Order& order) {
    o.member("order_id", order.order_id);
    o.member("customer_id", order.customer_id);
    o.member("user", order.user);
    o.member("item", order.item);
    o.member("quantity", order.quantity);
    o.member("unit_price_cents", order.unit_price_cents);
    o.member("currency", order.currency);
    o.member("created_at_ms", order.created_at_ms);
}

void write_members(ObjectWriter& o, const Payment& p) {
    o.member("order_id", p.order_id);
    o.member("customer_id", p.customer_id);
    o.member("user", p.user);
    o.member("item", p.item);
    o.member("quantity", p.quantity);
    o.member("amount_cents", p.amount_cents);
    o.member("currency", p.currency);
    o.member("status", to_string(p.status));
    o.member("order_created_at_ms", p.order_created_at_ms);
    o.member("processed_at_ms", p.processed_at_ms);
    if (!p.decline_reason.empty()) o.member("decline_reason", p.decline_reason);
}

void write_members(ObjectWriter& o, const Notification& n) {
    o.member("order_id", n.order_id);
    o.member("kind", to_string(n.kind));
    o.member("text", n.text);
    o.member("order_created_at_ms", n.order_created_at_ms);
    o.member("notified_at_ms", n.notified_at_ms);
    o.member("latency_ms", n.latency_ms);
}

// The bytes of each payload's free-text fields, to reserve the output once. Enum names, numbers,
// keys and punctuation are covered by kEncodedFixedBytes.
std::size_t text_bytes(const Order& o) {
    return o.order_id.size() + o.customer_id.size() + o.user.size() + o.item.size() + o.currency.size();
}
std::size_t text_bytes(const Payment& p) {
    return p.order_id.size() + p.customer_id.size() + p.user.size() + p.item.size() + p.currency.size() +
           p.decline_reason.size();
}
std::size_t text_bytes(const Notification& n) { return n.order_id.size() + n.text.size(); }

// Everything but the free text: keys, punctuation, enum names and numbers. A declined payment
// with 13-digit timestamps and amount takes 328 bytes, the most of the three; escapes beyond the
// margin cost one reallocation.
constexpr std::size_t kEncodedFixedBytes = 384;

template <class T>
std::string encode_event(const Event<T>& event) {
    std::string out;
    out.reserve(kEncodedFixedBytes + event.meta.event_id.size() + text_bytes(event.data));
    ObjectWriter envelope(out);
    envelope.member("event_id", event.meta.event_id);
    envelope.member("event_type", to_string(kEventTypeOf<T>));  // the payload decides, not meta.type
    envelope.member("schema_version", event.meta.schema_version);
    envelope.member("occurred_at_ms", event.meta.occurred_at_ms);
    envelope.member_key("data");
    ObjectWriter data(out);
    write_members(data, event.data);
    data.close();
    envelope.close();
    return out;
}

}  // namespace

std::string encode(const Event<Order>& event) { return encode_event(event); }
std::string encode(const Event<Payment>& event) { return encode_event(event); }
std::string encode(const Event<Notification>& event) { return encode_event(event); }

DecodeResult<Event<Order>> decode_order_event(std::string_view json) { return decode_event<Order>(json); }
DecodeResult<Event<Payment>> decode_payment_event(std::string_view json) { return decode_event<Payment>(json); }
DecodeResult<Event<Notification>> decode_notification_event(std::string_view json) {
    return decode_event<Notification>(json);
}

void tag_invoke(const json::value_from_tag&, json::value& out, const Order& order) {
    out = json::object{
        {"order_id", order.order_id},
        {"customer_id", order.customer_id},
        {"user", order.user},
        {"item", order.item},
        {"quantity", order.quantity},
        {"unit_price_cents", order.unit_price_cents},
        {"currency", order.currency},
        {"created_at_ms", order.created_at_ms},
    };
}

void tag_invoke(const json::value_from_tag&, json::value& out, const Payment& p) {
    json::object o{
        {"order_id", p.order_id},
        {"customer_id", p.customer_id},
        {"user", p.user},
        {"item", p.item},
        {"quantity", p.quantity},
        {"amount_cents", p.amount_cents},
        {"currency", p.currency},
        {"status", to_string(p.status)},
        {"order_created_at_ms", p.order_created_at_ms},
        {"processed_at_ms", p.processed_at_ms},
    };
    if (!p.decline_reason.empty()) o.emplace("decline_reason", p.decline_reason);
    out = std::move(o);
}

void tag_invoke(const json::value_from_tag&, json::value& out, const Notification& n) {
    out = json::object{
        {"order_id", n.order_id},
        {"kind", to_string(n.kind)},
        {"text", n.text},
        {"order_created_at_ms", n.order_created_at_ms},
        {"notified_at_ms", n.notified_at_ms},
        {"latency_ms", n.latency_ms},
    };
}

namespace {
const json::object& require_object(const json::value& v) {
    if (!v.is_object()) {
        fail(DecodeErrc::not_an_object, "must be a JSON object, got " + std::string(kind_name(v)));
    }
    return v.get_object();
}
}  // namespace

Order tag_invoke(const json::value_to_tag<Order>&, const json::value& v) { return read_order(require_object(v), ""); }
Payment tag_invoke(const json::value_to_tag<Payment>&, const json::value& v) {
    return read_payment(require_object(v), "");
}
Notification tag_invoke(const json::value_to_tag<Notification>&, const json::value& v) {
    return read_notification(require_object(v), "");
}

}  // namespace streamstore::events
