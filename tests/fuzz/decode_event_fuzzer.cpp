// libFuzzer target for the event decoders of libs/events (codec.hpp).
//
// Every input, as raw bytes, goes to decode_order_event, decode_payment_event and
// decode_notification_event. Besides "no crash, no leak, no undefined behaviour" (the sanitizers),
// it checks what codec.hpp promises:
//   - decoding never throws;
//   - a failure carries a known DecodeErrc and a non-empty message;
//   - at most one decoder accepts an input (event_type, or its absence, picks the type);
//   - same result as the DOM reference decoder: each decoder returns exactly what the decoder it
//     replaced does (tests/support/dom_reference_decoder.hpp): an equal event, or the same
//     DecodeErrc and message;
//   - round trip: when decoding succeeds, encode(event) decodes again to an equal event, and
//     encoding that event again gives the same bytes;
//   - boost::json::value_to<T> on any parsed JSON value throws nothing but DecodeException, and
//     what it accepts survives value_from / value_to unchanged.
// A broken property prints the input's details and aborts, so libFuzzer keeps the input.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "dom_reference_decoder.hpp"
#include "streamstore/events/codec.hpp"

namespace {

namespace events = streamstore::events;
namespace json = boost::json;

[[noreturn]] void broken(std::string_view property, std::string_view detail) {
    std::fprintf(stderr, "\n==decode_event_fuzzer: property broken: %.*s\n%.*s\n",
                 static_cast<int>(property.size()), property.data(), static_cast<int>(detail.size()),
                 detail.data());
    std::abort();
}

void check_error(const events::DecodeError& error, std::string_view decoder) {
    const auto code = static_cast<int>(error.code);
    if (code < static_cast<int>(events::DecodeErrc::empty_payload) ||
        code > static_cast<int>(events::DecodeErrc::unexpected_event_type) ||
        events::to_string(error.code) == "unknown") {
        broken("a failure has a known DecodeErrc",
               std::string(decoder) + " returned code " + std::to_string(code));
    }
    if (error.message.empty()) {
        broken("a failure has a message",
               std::string(decoder) + " returned " + std::string(events::to_string(error.code)) +
                   " with an empty message");
    }
}

// The input as a JSON string, cut to its first 600 bytes, for reports.
std::string quoted(std::string_view input) {
    const std::string_view head = input.substr(0, 600);
    return json::serialize(json::string_view(head.data(), head.size())) +
           (head.size() < input.size() ? " (" + std::to_string(input.size()) + " bytes, cut)" : "");
}

// The DOM decoder libs/events used before its SAX decoders is the oracle: same event, or same
// DecodeErrc and message.
template <class T>
void check_same_as_dom(std::string_view input, const events::DecodeResult<events::Event<T>>& sax,
                       std::string_view decoder) {
    const events::DecodeResult<events::Event<T>> dom = [&] {
        try {
            return events::dom_reference::dom_decode<T>(input);
        } catch (const std::exception& e) {
            broken("same result as the DOM reference decoder",
                   "the DOM reference decoder for " + std::string(decoder) + " threw: " + e.what());
        }
    }();
    if (!events::dom_reference::same_result(sax, dom)) {
        broken("same result as the DOM reference decoder",
               std::string(decoder) + " differs on " + quoted(input) +
                   "\n  SAX: " + events::dom_reference::describe(sax) +
                   "\n  DOM: " + events::dom_reference::describe(dom));
    }
}

// Decodes with `decode`, compares with the DOM reference decoder, and on success checks the round
// trip. Returns whether it decoded.
template <class T, class Decode>
bool check_decoder(std::string_view input, Decode decode, std::string_view decoder) {
    events::DecodeResult<events::Event<T>> result = [&] {
        try {
            return decode(input);
        } catch (const std::exception& e) {
            broken("decoding never throws", std::string(decoder) + " threw: " + e.what());
        } catch (...) {
            broken("decoding never throws", std::string(decoder) + " threw a non-std exception");
        }
    }();
    check_same_as_dom<T>(input, result, decoder);
    if (!result.ok()) {
        check_error(result.error(), decoder);
        return false;
    }

    const events::Event<T>& event = result.value();
    const std::string encoded = events::encode(event);
    const events::DecodeResult<events::Event<T>> again = decode(encoded);
    if (!again.ok()) {
        broken("round trip: encode(decoded) decodes",
               std::string(decoder) + " rejected its own encoding with " +
                   std::string(events::to_string(again.error().code)) + ": " + again.error().message +
                   "\nencoded: " + encoded);
    }
    if (!(again.value() == event)) {
        broken("round trip: encode(decoded) decodes to an equal event",
               std::string(decoder) + "\nencoded:    " + encoded +
                   "\nre-encoded: " + events::encode(again.value()));
    }
    const std::string reencoded = events::encode(again.value());
    if (reencoded != encoded) {
        broken("round trip: encoding is stable",
               std::string(decoder) + "\nencoded:    " + encoded + "\nre-encoded: " + reencoded);
    }
    return true;
}

// value_to<T> throws DecodeException on bad values (codec.hpp); nothing else may escape.
template <class T>
void check_value_to(const json::value& value, std::string_view type) {
    T decoded;
    try {
        decoded = json::value_to<T>(value);
    } catch (const events::DecodeException& e) {
        check_error(e.error(), type);
        return;
    } catch (const std::exception& e) {
        broken("value_to throws only DecodeException",
               "value_to<" + std::string(type) + "> threw: " + e.what());
    }
    const json::value round_tripped = json::value_from(decoded);
    T again;
    try {
        again = json::value_to<T>(round_tripped);
    } catch (const std::exception& e) {
        broken("value_from / value_to round trip",
               "value_to<" + std::string(type) + "> rejected " + json::serialize(round_tripped) +
                   ": " + e.what());
    }
    if (!(again == decoded)) {
        broken("value_from / value_to round trip",
               std::string(type) + " changed: " + json::serialize(round_tripped));
    }
}

void check_value_to_all(const json::value& value) {
    check_value_to<events::Order>(value, "Order");
    check_value_to<events::Payment>(value, "Payment");
    check_value_to<events::Notification>(value, "Notification");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);

    int accepted = 0;
    accepted += check_decoder<events::Order>(input, events::decode_order_event, "decode_order_event");
    accepted += check_decoder<events::Payment>(input, events::decode_payment_event, "decode_payment_event");
    accepted += check_decoder<events::Notification>(input, events::decode_notification_event,
                                                    "decode_notification_event");
    if (accepted > 1) {
        broken("at most one decoder accepts an input", std::to_string(accepted) + " decoders accepted it");
    }

    if (size <= events::kMaxEventBytes) {
        boost::system::error_code ec;
        const json::value value = json::parse(input, ec);
        if (!ec) {
            check_value_to_all(value);
            if (const json::object* object = value.if_object()) {
                if (const json::value* payload = object->if_contains("data")) check_value_to_all(*payload);
            }
        }
    }
    return 0;
}
