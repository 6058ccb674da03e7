#include "records.hpp"

#include <algorithm>

#include "streamstore/events/codec.hpp"
#include "streamstore/tools/dead_letter_headers.hpp"

namespace streamstore::tools::testing {

namespace {
constexpr std::int64_t kCreated = 1'700'000'000'000;
}

Record order_record(const std::string& order_id, std::int32_t partition, std::int64_t offset) {
    events::Event<events::Order> event;
    event.meta.event_id = "event-" + order_id;
    event.meta.occurred_at_ms = kCreated;
    event.data.order_id = order_id;
    event.data.customer_id = "c-0001";
    event.data.user = "Ada Lovelace";
    event.data.item = "pizza";
    event.data.quantity = 2;
    event.data.unit_price_cents = 1250;
    event.data.created_at_ms = kCreated;
    Record record;
    record.position = {partition, offset};
    record.key = "c-0001";
    record.value = events::encode(event);
    return record;
}

Record raw_record(std::string payload, std::int32_t partition, std::int64_t offset) {
    Record record;
    record.position = {partition, offset};
    record.key = "c-0001";
    record.value = std::move(payload);
    return record;
}

Record payment_record(const std::string& order_id, events::PaymentStatus status, std::int32_t partition,
                      std::int64_t offset, const std::string* key) {
    events::Event<events::Payment> event;
    event.meta.event_id = "payment-" + order_id;
    event.meta.type = events::EventType::payment_processed;
    event.meta.occurred_at_ms = kCreated + 10;
    event.data.order_id = order_id;
    event.data.customer_id = "c-0001";
    event.data.user = "Ada Lovelace";
    event.data.item = "pizza";
    event.data.quantity = 2;
    event.data.amount_cents = 2500;
    event.data.status = status;
    if (status == events::PaymentStatus::declined) event.data.decline_reason = "declined by the card issuer";
    event.data.order_created_at_ms = kCreated;
    event.data.processed_at_ms = kCreated + 10;
    Record record;
    record.position = {partition, offset};
    record.key = key != nullptr ? *key : order_id;
    record.value = events::encode(event);
    return record;
}

Record notification_record(const std::string& order_id, events::NotificationKind kind, std::int32_t partition,
                           std::int64_t offset) {
    events::Event<events::Notification> event;
    event.meta.event_id = "notification-" + order_id + "-" + std::string(events::to_string(kind));
    event.meta.type = events::EventType::notification_sent;
    event.meta.occurred_at_ms = kCreated + 20;
    event.data.order_id = order_id;
    event.data.kind = kind;
    event.data.text = "text";
    event.data.order_created_at_ms = kCreated;
    event.data.notified_at_ms = kCreated + 20;
    event.data.latency_ms = 20;
    Record record;
    record.position = {partition, offset};
    record.key = order_id;
    record.value = events::encode(event);
    return record;
}

Record dead_letter_record(const std::string& original_topic, std::int32_t original_partition,
                          std::int64_t original_offset, const std::string& error_class, std::string payload,
                          std::int32_t partition, std::int64_t offset) {
    Record record;
    record.position = {partition, offset};
    record.key = "c-0001";
    record.value = std::move(payload);
    record.headers = {{std::string(kDlqOriginalTopic), original_topic},
                      {std::string(kDlqOriginalPartition), std::to_string(original_partition)},
                      {std::string(kDlqOriginalOffset), std::to_string(original_offset)},
                      {std::string(kDlqErrorClass), error_class},
                      {std::string(kDlqErrorMessage), "why it failed"}};
    return record;
}

void remove_header(Record& record, const std::string& name) {
    std::erase_if(record.headers, [&](const auto& header) { return header.first == name; });
}

void set_header(Record& record, const std::string& name, const std::string& value) {
    remove_header(record, name);
    record.headers.emplace_back(name, value);
}

}  // namespace streamstore::tools::testing
