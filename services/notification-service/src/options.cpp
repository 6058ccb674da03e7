#include "options.hpp"

#include "streamstore/runtime/duration.hpp"

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
    app.add_option("--notifications-topic", o.notifications_topic, "Topic to publish notifications to")
        ->envname("STREAMSTORE_NOTIFICATIONS_TOPIC")
        ->capture_default_str();
    app.add_option("--processing-guarantee", o.processing_guarantee,
                   "exactly-once (transactions) or at-least-once (Kafka Streams' processing.guarantee)")
        ->envname("STREAMSTORE_PROCESSING_GUARANTEE")
        ->check(CLI::IsMember({"exactly-once", "at-least-once"}))
        ->capture_default_str();
    runtime::add_duration_option(app, "--commit-interval", o.commit_interval,
                                 "How often notifications and offsets are committed (a transaction per interval)",
                                 "STREAMSTORE_COMMIT_INTERVAL")
        ->check(CLI::Validator(
            [](std::string& text) -> std::string {
                const auto d = runtime::parse_duration(text);
                return d && d->count() > 0 ? "" : "must be a positive duration like 100ms";
            },
            "DURATION"));
    app.add_option("--transactional-id", o.transactional_id,
                   "transactional.id: stable per instance, unique among live instances "
                   "(default: <group id>-<host name>)")
        ->envname("STREAMSTORE_TRANSACTIONAL_ID");
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
    p.guarantee = *messaging::parse_processing_guarantee(processing_guarantee);
    p.transactional_id = transactional_id.empty() ? runtime::default_transactional_id(group_id) : transactional_id;
    p.commit_interval = commit_interval;
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
