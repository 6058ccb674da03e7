#include "options.hpp"

namespace streamstore::notification {

void add_options(CLI::App& app, Options& o) {
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
    app.add_option("-o,--output", o.output, "Output format: one line of text, or one JSON object, per notification")
        ->envname("STREAMSTORE_OUTPUT")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
}

NotificationServiceConfig Options::service_config() const {
    NotificationServiceConfig config;
    config.consumer.client = common.client_config("notification-service");
    config.consumer.group_id = group_id;
    config.producer.client = common.client_config("notification-service");
    config.orders_topic = orders_topic;
    config.payments_topic = payments_topic;
    config.partitions = common.partitions;
    config.replication_factor = common.replication_factor;
    config.output = output == "json" ? OutputFormat::json : OutputFormat::text;
    config.startup_timeout = common.startup_timeout;
    config.flush_timeout = common.shutdown_timeout;
    return config;
}

}  // namespace streamstore::notification
