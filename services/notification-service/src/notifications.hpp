#pragma once
// What a customer is told: plain functions from events to notifications, no Kafka.
//
//   Order received: 10 x pizza for John Doe (order <id>)
//   Payment approved for order <id> (EUR 42.00)
//   Payment declined for order <id>: <reason>

#include <cstdint>
#include <string>

#include "streamstore/events/events.hpp"

namespace streamstore::notification {

/// latency_ms = now_ms - the order's creation time (-1 when the order carries none).
events::Event<events::Notification> notify_order(const events::Event<events::Order>& order, std::int64_t now_ms);
events::Event<events::Notification> notify_payment(const events::Event<events::Payment>& payment, std::int64_t now_ms);

/// How notifications are printed on stdout: text lines, JSON lines, or not at all (none: the
/// notifications topic only).
enum class OutputFormat { text, json, none };

/// One output line, without the newline: the text, or the event as JSON.
std::string render(const events::Event<events::Notification>& notification, OutputFormat format);

}  // namespace streamstore::notification
