#pragma once
// JSON encoding and validating decoding of StreamStore events (Boost.JSON).
//
// Encoding cannot fail. Decoding never throws on bad input: it returns a DecodeError whose
// message names the offending field. The Boost.JSON customisation points (`tag_invoke` for
// value_from / value_to) are provided for each type; value_to throws DecodeException, the
// decode_* functions do not.
// Thread safety: all functions are reentrant; no shared state.

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/json/fwd.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include "streamstore/events/decode_error.hpp"
#include "streamstore/events/events.hpp"

namespace streamstore::events {

/// Records larger than this are rejected unread (payload_too_large): 64 KiB.
inline constexpr std::size_t kMaxEventBytes = 64 * 1024;

/// Thrown by boost::json::value_to<T> for the types below.
class DecodeException : public std::runtime_error {
public:
    explicit DecodeException(DecodeError error)
        : std::runtime_error(error.message), error_(std::move(error)) {}
    [[nodiscard]] const DecodeError& error() const noexcept { return error_; }

private:
    DecodeError error_;
};

/// Serialises an event with its envelope to compact JSON, written straight into the returned
/// string (one allocation). The bytes are exactly those of boost::json::serialize on the envelope
/// object around `boost::json::value_from(event.data)`. `event_type` comes from the payload type,
/// not from `event.meta.type`.
std::string encode(const Event<Order>& event);
std::string encode(const Event<Payment>& event);
std::string encode(const Event<Notification>& event);

/// Decodes an order event. Accepts the envelope form, and also a bare order object without an
/// envelope (the original demos' shape), which is taken as schema version 1 with
/// event_id = order_id and occurred_at_ms = created_at_ms.
DecodeResult<Event<Order>> decode_order_event(std::string_view json);
DecodeResult<Event<Payment>> decode_payment_event(std::string_view json);
DecodeResult<Event<Notification>> decode_notification_event(std::string_view json);

// Boost.JSON customisation points. value_from builds the same members, in the same order, as
// encode() writes.
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& out, const Order& order);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& out, const Payment& payment);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& out,
                const Notification& notification);
Order tag_invoke(const boost::json::value_to_tag<Order>&, const boost::json::value& json);
Payment tag_invoke(const boost::json::value_to_tag<Payment>&, const boost::json::value& json);
Notification tag_invoke(const boost::json::value_to_tag<Notification>&,
                        const boost::json::value& json);

}  // namespace streamstore::events
