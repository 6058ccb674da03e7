#pragma once
// Why an event could not be decoded. Decoding never throws on bad input: it returns one of these.

#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>

namespace streamstore::events {

/// The class of a decoding failure; `to_string` gives its stable name, used in dead letter
/// headers and metrics labels.
enum class DecodeErrc {
    empty_payload = 1,           ///< Null or zero-length record value.
    payload_too_large,           ///< More than kMaxEventBytes.
    malformed_json,              ///< Not JSON, or not valid UTF-8.
    not_an_object,               ///< JSON, but not an object where one is required.
    missing_field,               ///< A required field is absent.
    wrong_type,                  ///< A field has the wrong JSON type (e.g. a string quantity).
    invalid_value,               ///< A field has the right type but an impossible value.
    unsupported_schema_version,  ///< schema_version is not kSchemaVersion.
    unexpected_event_type,       ///< A valid envelope of another event type.
};

std::string_view to_string(DecodeErrc code) noexcept;
const std::error_category& decode_category() noexcept;
std::error_code make_error_code(DecodeErrc code) noexcept;

/// A decoding failure: its class and a precise message naming the field, e.g.
/// `data.quantity: must be between 1 and 1000000, got -3`.
struct DecodeError {
    DecodeErrc code;
    std::string message;
};

/// Either a decoded value or the reason it could not be decoded.
template <class T>
class DecodeResult {
public:
    // Implicit by design. A value is moved straight into place: an event is a dozen strings.
    DecodeResult(T&& value) : state_(std::in_place_index<0>, std::move(value)) {}      // NOLINT
    DecodeResult(const T& value) : state_(std::in_place_index<0>, value) {}            // NOLINT
    DecodeResult(DecodeError error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

    [[nodiscard]] bool ok() const noexcept { return state_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    /// Precondition: ok().
    [[nodiscard]] T& value() & { return std::get<0>(state_); }
    [[nodiscard]] const T& value() const& { return std::get<0>(state_); }
    [[nodiscard]] T&& value() && { return std::get<0>(std::move(state_)); }
    /// Precondition: !ok().
    [[nodiscard]] const DecodeError& error() const { return std::get<1>(state_); }

private:
    std::variant<T, DecodeError> state_;
};

}  // namespace streamstore::events

template <>
struct std::is_error_code_enum<streamstore::events::DecodeErrc> : std::true_type {};
