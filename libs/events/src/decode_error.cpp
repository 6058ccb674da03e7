#include "streamstore/events/decode_error.hpp"

namespace streamstore::events {

std::string_view to_string(DecodeErrc code) noexcept {
    switch (code) {
        case DecodeErrc::empty_payload: return "empty_payload";
        case DecodeErrc::payload_too_large: return "payload_too_large";
        case DecodeErrc::malformed_json: return "malformed_json";
        case DecodeErrc::not_an_object: return "not_an_object";
        case DecodeErrc::missing_field: return "missing_field";
        case DecodeErrc::wrong_type: return "wrong_type";
        case DecodeErrc::invalid_value: return "invalid_value";
        case DecodeErrc::unsupported_schema_version: return "unsupported_schema_version";
        case DecodeErrc::unexpected_event_type: return "unexpected_event_type";
    }
    return "unknown";
}

namespace {
class DecodeCategory final : public std::error_category {
public:
    const char* name() const noexcept override { return "streamstore.events"; }
    std::string message(int value) const override {
        return std::string(to_string(static_cast<DecodeErrc>(value)));
    }
};
}  // namespace

const std::error_category& decode_category() noexcept {
    static const DecodeCategory category;
    return category;
}

std::error_code make_error_code(DecodeErrc code) noexcept {
    return {static_cast<int>(code), decode_category()};
}

}  // namespace streamstore::events
