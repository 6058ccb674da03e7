#include "options.hpp"


namespace streamstore::notification {

void add_options(CLI::App& app, Options& o) {
    o.common.http_address = "0.0.0.0:9103";
    runtime::add_common_options(app, o.common);
    app.add_option("--orders-topic", o.orders_topic, "Topic to read orders from")
        ->envname("STREAMSTORE_ORDERS_TOPIC")
        ->capture_default_str();
    app.add_option("--payments-topic", o.payments_topic, "Topic to read payments from")
        ->envname("STREAMSTORE_PAYMENTS_TOPIC")
        ->capture_default_str();
    app.add_option("-g,--group-id", o.group_id, "Consumer group (group.id)")
        ->envname("STREAMSTORE_GROUP_ID")
        ->capture_default_str();
    app.add_option("--notifications-topic", o.notifications_topic, "Topic to publish notifications to")
        ->envname("STREAMSTORE_NOTIFICATIONS_TOPIC")
        ->capture_default_str();
    runtime::add_processing_options(app, o.processing, "notifications");
    app.add_option("--dedup-window", o.dedup_window, "Event ids remembered per partition to skip duplicates")
        ->envname("STREAMSTORE_DEDUP_WINDOW")
        ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}))
        ->capture_default_str();
    app.add_option("-o,--output", o.output, "Output on stdout: one line of text or one JSON object per notification, or none (the topic only)")
        ->envname("STREAMSTORE_OUTPUT")
        ->check(CLI::IsMember({"text", "json", "none"}))
        ->capture_default_str();
}

NotificationServiceConfig Options::service_config() const {
    NotificationServiceConfig config;
    auto& p = config.processor;
    p.client = common.client_config("notification-service");
    p.group_id = group_id;
    processing.apply(p, group_id);
    p.transaction_call_timeout = common.shutdown_timeout;
    config.notifications_topic = notifications_topic;
    config.dedup_window = dedup_window;
    config.orders_topic = orders_topic;
    config.payments_topic = payments_topic;
    config.partitions = common.partitions;
    config.replication_factor = common.replication_factor;
    config.output = output == "json" ? OutputFormat::json : output == "none" ? OutputFormat::none : OutputFormat::text;
    config.startup_timeout = common.startup_timeout;
    return config;
}

}  // namespace streamstore::notification
