#include "streamstore/events/codec.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <functional>
#include <iterator>
#include <limits>
#include <optional>

#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>

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

std::string_view kind_name(json::kind kind) {
    switch (kind) {
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

// Every member name a reader below asks for, at any level. decode_*_event records the members of
// these names only, so a reader cannot ask for one that is not here: FieldKey checks at compile time.
constexpr std::array<std::string_view, 22> kFieldNames = {
    // envelope
    "event_type", "schema_version", "event_id", "occurred_at_ms", "data",
    // payloads
    "order_id", "customer_id", "user", "item", "quantity", "unit_price_cents", "currency", "created_at_ms",
    "amount_cents", "status", "decline_reason", "order_created_at_ms", "processed_at_ms", "kind", "text",
    "notified_at_ms", "latency_ms"};

// A member name of kFieldNames, with its index there, both fixed at compile time.
struct FieldKey {
    consteval FieldKey(const char* field_name) : name(field_name), index(0) {
        while (index < kFieldNames.size() && kFieldNames[index] != name) ++index;
        if (index == kFieldNames.size()) throw "not in kFieldNames";  // a compile error
    }
    std::string_view name;
    std::size_t index;
};

// One member's value as the field readers see it, whichever parser read it: its kind, and its
// number or string when it is one (the string is a view, valid while the parsed input lives).
struct Member {
    json::kind kind = json::kind::null;
    std::int64_t int64 = 0;
    std::uint64_t uint64 = 0;
    std::string_view string;
};

// The members of a boost::json::object (the value_to path).
class DomMembers {
public:
    explicit DomMembers(const json::object& object) : object_(object) {}

    [[nodiscard]] std::optional<Member> find(FieldKey key) const {
        const json::value* v = object_.if_contains(key.name);
        if (v == nullptr) return std::nullopt;
        Member m;
        m.kind = v->kind();
        if (v->is_int64()) m.int64 = v->get_int64();
        if (v->is_uint64()) m.uint64 = v->get_uint64();
        if (v->is_string()) m.string = v->get_string();
        return m;
    }

private:
    const json::object& object_;
};

// Reads the fields of one JSON object; every error names the field by its path ("data.quantity").
// `Members` finds a member by key: DomMembers for value_to, RecordedObject for decode_*_event; the
// rules and messages are the same code for both.
template <class Members>
class FieldReader {
public:
    FieldReader(const Members& members, std::string_view prefix) : members_(members), prefix_(prefix) {}

    std::string string(FieldKey key, std::size_t max_length) const { return std::string(view(key, max_length)); }

    /// Like string(), without the copy: a view into the parsed input, valid while it lives.
    std::string_view view(FieldKey key, std::size_t max_length) const {
        return checked_view(key, find_required(key), max_length);
    }

    std::optional<std::string> optional_string(FieldKey key, std::size_t max_length) const {
        const std::optional<Member> m = members_.find(key);
        if (!m || m->kind == json::kind::null) return std::nullopt;
        return std::string(checked_view(key, *m, max_length));
    }

    std::int64_t integer(FieldKey key, std::int64_t min, std::int64_t max) const {
        return checked_integer(key, find_required(key), min, max);
    }

    std::optional<std::int64_t> optional_integer(FieldKey key, std::int64_t min, std::int64_t max) const {
        const std::optional<Member> m = members_.find(key);
        if (!m || m->kind == json::kind::null) return std::nullopt;
        return checked_integer(key, *m, min, max);
    }

    /// Fails unless `key` is an object (whose members the caller then reads).
    void require_object(FieldKey key) const {
        const Member m = find_required(key);
        if (m.kind != json::kind::object) {
            fail(DecodeErrc::wrong_type, path(key) + ": must be an object, got " + std::string(kind_name(m.kind)));
        }
    }

    [[nodiscard]] std::string path(FieldKey key) const {
        std::string p(prefix_);
        p += key.name;
        return p;
    }

private:
    Member find_required(FieldKey key) const {
        const std::optional<Member> m = members_.find(key);
        if (!m || m->kind == json::kind::null) fail(DecodeErrc::missing_field, path(key) + ": is required");
        return *m;
    }

    std::string_view checked_view(FieldKey key, const Member& m, std::size_t max_length) const {
        if (m.kind != json::kind::string) {
            fail(DecodeErrc::wrong_type, path(key) + ": must be a string, got " + std::string(kind_name(m.kind)));
        }
        const std::string_view s = m.string;
        if (s.empty()) fail(DecodeErrc::invalid_value, path(key) + ": must not be empty");
        if (s.size() > max_length) {
            fail(DecodeErrc::invalid_value, path(key) + ": must be at most " + std::to_string(max_length) +
                                                " bytes, got " + std::to_string(s.size()));
        }
        return s;
    }

    std::int64_t checked_integer(FieldKey key, const Member& m, std::int64_t min, std::int64_t max) const {
        std::int64_t n = 0;
        if (m.kind == json::kind::int64) {
            n = m.int64;
        } else if (m.kind == json::kind::uint64) {
            // Larger than any int64: necessarily out of range.
            fail(DecodeErrc::invalid_value, path(key) + ": must be between " + std::to_string(min) + " and " +
                                                std::to_string(max) + ", got " + std::to_string(m.uint64));
        } else {
            fail(DecodeErrc::wrong_type, path(key) + ": must be an integer, got " + std::string(kind_name(m.kind)));
        }
        if (n < min || n > max) {
            fail(DecodeErrc::invalid_value, path(key) + ": must be between " + std::to_string(min) + " and " +
                                                std::to_string(max) + ", got " + std::to_string(n));
        }
        return n;
    }

    const Members& members_;
    std::string_view prefix_;
};

template <class M>
std::string currency_field(const FieldReader<M>& r, FieldKey key, bool required) {
    std::optional<std::string> c = required ? std::optional(r.string(key, 3)) : r.optional_string(key, 3);
    if (!c) return "EUR";
    const bool valid = c->size() == 3 && std::all_of(c->begin(), c->end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; });
    if (!valid) {
        fail(DecodeErrc::invalid_value, r.path(key) + ": must be three upper-case letters (ISO 4217), got \"" + *c + "\"");
    }
    return std::move(*c);
}

template <class M>
std::int32_t quantity_field(const FieldReader<M>& r) {
    return static_cast<std::int32_t>(r.integer("quantity", 1, kMaxQuantity));
}

template <class M>
Order read_order(const M& members, std::string_view prefix) {
    const FieldReader<M> r(members, prefix);
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

template <class M>
PaymentStatus read_status(const FieldReader<M>& r) {
    const std::string_view s = r.view("status", 16);
    if (s == "approved") return PaymentStatus::approved;
    if (s == "declined") return PaymentStatus::declined;
    fail(DecodeErrc::invalid_value,
         r.path("status") + ": must be \"approved\" or \"declined\", got \"" + std::string(s) + "\"");
}

template <class M>
Payment read_payment(const M& members, std::string_view prefix) {
    const FieldReader<M> r(members, prefix);
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

template <class M>
NotificationKind read_kind(const FieldReader<M>& r) {
    const std::string_view s = r.view("kind", 32);
    for (auto kind : {NotificationKind::order_received, NotificationKind::payment_approved,
                      NotificationKind::payment_declined}) {
        if (s == to_string(kind)) return kind;
    }
    fail(DecodeErrc::invalid_value, r.path("kind") + ": unknown notification kind \"" + std::string(s) + "\"");
}

template <class M>
Notification read_notification(const M& members, std::string_view prefix) {
    const FieldReader<M> r(members, prefix);
    Notification n;
    n.order_id = r.string("order_id", kMaxIdLength);
    n.kind = read_kind(r);
    n.text = r.string("text", 4 * kMaxTextLength);
    n.order_created_at_ms = r.optional_integer("order_created_at_ms", 0, kMaxTimestampMs).value_or(0);
    n.notified_at_ms = r.integer("notified_at_ms", 0, kMaxTimestampMs);
    n.latency_ms = r.optional_integer("latency_ms", -1, kMaxTimestampMs).value_or(-1);
    return n;
}

template <class T, class M>
T read_data(const M& members, std::string_view prefix) {
    if constexpr (std::is_same_v<T, Order>) return read_order(members, prefix);
    if constexpr (std::is_same_v<T, Payment>) return read_payment(members, prefix);
    if constexpr (std::is_same_v<T, Notification>) return read_notification(members, prefix);
}

template <class M>
EventMeta read_meta(const M& members, EventType expected) {
    const FieldReader<M> r(members, "");
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

// ---------------------------------------------------------------------------------------------
// decode_*_event: Boost.JSON's SAX parser (basic_parser) and a handler that keeps, of the
// top-level object and of its "data" object, the members named in kFieldNames (the last of each
// name, as json::parse keeps the last of duplicate keys) and skips everything else. No document
// is built: the parser checks the whole input (syntax, UTF-8, depth) exactly as json::parse does,
// then the same FieldReader rules run on what was kept. Strings are views into the input, copied
// only when the parser had to unescape them.

// The index in kFieldNames of `name`, or -1. No two names there share a length and a first letter,
// so those pick the only candidate, which one comparison then confirms.
constexpr std::size_t kShapes = 32;
constexpr auto kFieldByShape = [] {
    std::array<std::int8_t, kShapes * kShapes> table{};
    table.fill(-1);
    for (std::size_t i = 0; i < kFieldNames.size(); ++i) {
        const std::string_view name = kFieldNames[i];
        if (name.empty() || name.size() >= kShapes) throw "field names must be 1 to 31 bytes long";
        std::int8_t& entry = table[name.size() * kShapes + (static_cast<unsigned char>(name[0]) % kShapes)];
        if (entry != -1) throw "two field names share a length and a first letter";
        entry = static_cast<std::int8_t>(i);
    }
    return table;
}();

int field_index(std::string_view name) {
    if (name.empty() || name.size() >= kShapes) return -1;
    const int i = kFieldByShape[name.size() * kShapes + (static_cast<unsigned char>(name[0]) % kShapes)];
    if (i < 0 || kFieldNames[static_cast<std::size_t>(i)] != name) return -1;
    return i;
}

// One recorded member. Left uninitialised until recorded: RecordedObject::present_ says which are.
struct RecordedMember {
    json::kind kind;
    bool unescaped;  // the string is at `offset` in the handler's buffer of unescaped strings
    std::int64_t int64;
    std::uint64_t uint64;
    const char* data;
    std::size_t offset;
    std::size_t size;
};
static_assert(std::is_trivially_default_constructible_v<RecordedMember>);
static_assert(kFieldNames.size() <= 32);

// The members of one JSON object named in kFieldNames, as RecordingHandler recorded them.
class RecordedObject {
public:
    explicit RecordedObject(const std::string& unescaped) : unescaped_(unescaped) {}

    /// Marks member `field` present (a later one of the same name replaces it) and returns it.
    RecordedMember& record(int field) {
        present_ |= std::uint32_t{1} << field;
        return members_[static_cast<std::size_t>(field)];
    }
    void clear() { present_ = 0; }

    [[nodiscard]] bool contains(FieldKey key) const { return (present_ >> key.index) & 1U; }

    [[nodiscard]] std::optional<Member> find(FieldKey key) const {
        if (!contains(key)) return std::nullopt;
        const RecordedMember& r = members_[key.index];
        Member m{r.kind, 0, 0, {}};
        if (r.kind == json::kind::int64) m.int64 = r.int64;
        if (r.kind == json::kind::uint64) m.uint64 = r.uint64;
        if (r.kind == json::kind::string) {
            m.string = std::string_view(r.unescaped ? unescaped_.data() + r.offset : r.data, r.size);
        }
        return m;
    }

private:
    const std::string& unescaped_;
    std::uint32_t present_ = 0;
    std::array<RecordedMember, kFieldNames.size()> members_;
};

// The handler of basic_parser<RecordingHandler>. Every callback accepts, so the parser's result
// (and error) is that of json::parse on the same input with the same options.
class RecordingHandler {
    using error_code = boost::system::error_code;
    using string_view = json::string_view;

public:
    // Those of json::parse's own handler, so that the same inputs are too large.
    static constexpr std::size_t max_object_size = json::object::max_size();
    static constexpr std::size_t max_array_size = json::array::max_size();
    static constexpr std::size_t max_key_size = json::string::max_size();
    static constexpr std::size_t max_string_size = json::string::max_size();

    explicit RecordingHandler(std::string_view input) : input_(input) {}
    RecordingHandler(const RecordingHandler&) = delete;
    RecordingHandler& operator=(const RecordingHandler&) = delete;

    [[nodiscard]] json::kind root_kind() const { return root_kind_; }
    [[nodiscard]] const RecordedObject& top() const { return top_; }
    [[nodiscard]] const RecordedObject& data() const { return data_; }

    bool on_document_begin(error_code&) { return true; }
    bool on_document_end(error_code&) { return true; }

    bool on_object_begin(error_code&) {
        const bool is_data = target_object_ == &top_ && target_field_ == kDataField;
        begin_value(json::kind::object);
        if (is_data) {
            // A later "data" replaces an earlier one entirely, as in json::parse.
            data_.clear();
            in_data_ = true;
        }
        ++depth_;
        return true;
    }
    bool on_object_end(std::size_t, error_code&) {
        if (--depth_ == 1) in_data_ = false;
        return true;
    }
    bool on_array_begin(error_code&) {
        begin_value(json::kind::array);
        ++depth_;
        return true;
    }
    bool on_array_end(std::size_t, error_code&) {
        --depth_;
        return true;
    }

    bool on_key_part(string_view part, std::size_t total, error_code&) {
        if (keys_matter()) append(key_, part, total);
        return true;
    }
    bool on_key(string_view part, std::size_t total, error_code&) {
        if (!keys_matter()) return true;
        std::string_view key(part.data(), part.size());
        if (total != part.size()) {  // in parts: it had escapes
            append(key_, part, total);
            key = key_;
        }
        const int field = field_index(key);
        if (field >= 0) {
            target_object_ = in_data_ ? &data_ : &top_;
            target_field_ = field;
        }
        return true;
    }

    bool on_string_part(string_view part, std::size_t total, error_code&) {
        if (target_object_ != nullptr) {
            if (total == part.size()) string_start_ = unescaped_.size();  // the first part
            unescaped_.append(part.data(), part.size());
        }
        return true;
    }
    bool on_string(string_view part, std::size_t total, error_code&) {
        if (RecordedMember* m = begin_value(json::kind::string)) {
            if (total == part.size() && within_input(part)) {
                m->unescaped = false;
                m->data = part.data();
                m->size = part.size();
            } else {
                // Unescaped by the parser into a buffer of its own, which it reuses: copy.
                if (total == part.size()) string_start_ = unescaped_.size();
                unescaped_.append(part.data(), part.size());
                m->unescaped = true;
                m->offset = string_start_;
                m->size = unescaped_.size() - string_start_;
            }
        }
        return true;
    }

    bool on_number_part(string_view, error_code&) { return true; }
    bool on_int64(std::int64_t i, string_view, error_code&) {
        if (RecordedMember* m = begin_value(json::kind::int64)) m->int64 = i;
        return true;
    }
    bool on_uint64(std::uint64_t u, string_view, error_code&) {
        if (RecordedMember* m = begin_value(json::kind::uint64)) m->uint64 = u;
        return true;
    }
    bool on_double(double, string_view, error_code&) {
        begin_value(json::kind::double_);
        return true;
    }
    bool on_bool(bool, error_code&) {
        begin_value(json::kind::bool_);
        return true;
    }
    bool on_null(error_code&) {
        begin_value(json::kind::null);
        return true;
    }
    bool on_comment_part(string_view, error_code&) { return true; }
    bool on_comment(string_view, error_code&) { return true; }

private:
    static constexpr int kDataField = static_cast<int>(FieldKey("data").index);

    // Keys of the top-level object, and of the top-level "data" object, are read.
    [[nodiscard]] bool keys_matter() const { return depth_ == 1 || (in_data_ && depth_ == 2); }

    // A value of `kind` starts: records it when it belongs to the key just read, and returns it.
    RecordedMember* begin_value(json::kind kind) {
        if (depth_ == 0) root_kind_ = kind;
        if (target_object_ == nullptr) return nullptr;
        RecordedMember& m = target_object_->record(target_field_);
        m.kind = kind;
        target_object_ = nullptr;
        return &m;
    }

    [[nodiscard]] bool within_input(string_view s) const {
        const std::less_equal<const char*> le;
        return le(input_.data(), s.data()) && le(s.data() + s.size(), input_.data() + input_.size());
    }

    static void append(std::string& out, string_view part, std::size_t total) {
        if (total == part.size()) out.clear();  // the first part
        out.append(part.data(), part.size());
    }

    std::string_view input_;
    std::string unescaped_;  // strings the parser unescaped, one after another
    std::string key_;        // a key that came in parts
    RecordedObject top_{unescaped_};
    RecordedObject data_{unescaped_};
    RecordedObject* target_object_ = nullptr;  // where the next value goes, if it is recorded
    int target_field_ = 0;
    std::size_t string_start_ = 0;  // in unescaped_, of the string being read in parts
    std::size_t depth_ = 0;         // containers open
    bool in_data_ = false;          // inside the top-level "data" object
    json::kind root_kind_ = json::kind::null;
};

template <class T>
Event<T> read_event(const RecordingHandler& h) {
    const RecordedObject& top = h.top();
    const bool is_envelope = top.contains("event_type") || top.contains("data");
    if (!is_envelope) {
        if constexpr (std::is_same_v<T, Order>) {
            Event<Order> event;
            event.data = read_order(top, "");
            event.meta.event_id = event.data.order_id;
            event.meta.type = EventType::order_placed;
            event.meta.occurred_at_ms = event.data.created_at_ms;
            return event;
        } else {
            fail(DecodeErrc::missing_field, "event_type: is required");
        }
    }
    Event<T> event;
    event.meta = read_meta(top, kEventTypeOf<T>);
    FieldReader(top, "").require_object("data");
    event.data = read_data<T>(h.data(), "data.");
    return event;
}

template <class T>
DecodeResult<Event<T>> decode_event(std::string_view text) {
    if (text.empty()) return DecodeError{DecodeErrc::empty_payload, "payload is empty"};
    if (text.size() > kMaxEventBytes) {
        return DecodeError{DecodeErrc::payload_too_large, "payload is " + std::to_string(text.size()) +
                                                              " bytes, the limit is " +
                                                              std::to_string(kMaxEventBytes)};
    }
    json::parse_options options;
    options.max_depth = 16;
    json::basic_parser<RecordingHandler> parser(options, text);
    boost::system::error_code ec;
    // The whole input at once, as json::parse does: anything after the value is extra data.
    const std::size_t parsed = parser.write_some(false, text.data(), text.size(), ec);
    if (!ec && parsed < text.size()) ec = json::error::extra_data;
    if (ec) return DecodeError{DecodeErrc::malformed_json, "not valid JSON: " + ec.message()};
    const RecordingHandler& handler = parser.handler();
    if (handler.root_kind() != json::kind::object) {
        return DecodeError{DecodeErrc::not_an_object,
                           "top level must be a JSON object, got " + std::string(kind_name(handler.root_kind()))};
    }
    try {
        return read_event<T>(handler);
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
DomMembers require_object(const json::value& v) {
    if (!v.is_object()) {
        fail(DecodeErrc::not_an_object, "must be a JSON object, got " + std::string(kind_name(v.kind())));
    }
    return DomMembers(v.get_object());
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
