#pragma once
// Records as the tools read them from Kafka, built from events for the tests.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "streamstore/events/events.hpp"
#include "streamstore/tools/record.hpp"

namespace streamstore::tools::testing {

/// A good order record (envelope form) for `order_id` at partition:offset.
Record order_record(const std::string& order_id, std::int32_t partition, std::int64_t offset);
/// A record on the orders topic with `payload` as is (e.g. not JSON).
Record raw_record(std::string payload, std::int32_t partition, std::int64_t offset);
/// A payment record keyed by `order_id` (or by `key` when given).
Record payment_record(const std::string& order_id, events::PaymentStatus status, std::int32_t partition,
                      std::int64_t offset, const std::string* key = nullptr);
/// A notification record keyed by `order_id`.
Record notification_record(const std::string& order_id, events::NotificationKind kind, std::int32_t partition,
                           std::int64_t offset);
/// A dead letter as libs/messaging writes it, pointing at `original_topic`[partition]@offset.
Record dead_letter_record(const std::string& original_topic, std::int32_t original_partition,
                          std::int64_t original_offset, const std::string& error_class, std::string payload,
                          std::int32_t partition, std::int64_t offset);
/// Sets (adds, or replaces every) header `name` of `record`.
void set_header(Record& record, const std::string& name, const std::string& value);
/// Removes every header `name` of `record`.
void remove_header(Record& record, const std::string& name);

}  // namespace streamstore::tools::testing
