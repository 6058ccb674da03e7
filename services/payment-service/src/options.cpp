#include "options.hpp"


namespace streamstore::payment {

void add_options(CLI::App& app, Options& o) {
    o.common.http_address = "0.0.0.0:9102";
    runtime::add_common_options(app, o.common);
    app.add_option("--orders-topic", o.orders_topic, "Topic to read orders from")
        ->envname("STREAMSTORE_ORDERS_TOPIC")
        ->capture_default_str();
    app.add_option("--payments-topic", o.payments_topic, "Topic to write payments to")
        ->envname("STREAMSTORE_PAYMENTS_TOPIC")
        ->capture_default_str();
    app.add_option("-g,--group-id", o.group_id, "Consumer group (group.id); instances in one group share partitions")
        ->envname("STREAMSTORE_GROUP_ID")
        ->capture_default_str();
    app.add_option("--max-amount", o.max_amount, "Decline orders above this amount, in major units (e.g. 500.00)")
        ->envname("STREAMSTORE_MAX_AMOUNT")
        ->check(CLI::Validator(
            [](std::string& text) -> std::string {
                return parse_amount(text) ? "" : "'" + text + "' is not an amount like 500 or 500.00";
            },
            "AMOUNT"))
        ->capture_default_str();
    app.add_option("--max-quantity", o.rules.max_quantity, "Decline orders of more items than this")
        ->envname("STREAMSTORE_MAX_QUANTITY")
        ->check(CLI::Range(1, 1'000'000))
        ->capture_default_str();
    app.add_option("--decline-rate", o.rules.decline_rate, "Share of other orders the card issuer declines (0..1)")
        ->envname("STREAMSTORE_DECLINE_RATE")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str();
    app.add_option("--seed", o.rules.seed, "Seed of the issuer's declines (deterministic per order id)")
        ->envname("STREAMSTORE_SEED")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    runtime::add_processing_options(app, o.processing, "payments");
    app.add_option("--compression", o.compression, "compression.type of the payments producer")
        ->envname("STREAMSTORE_COMPRESSION")
        ->check(CLI::IsMember({"none", "gzip", "snappy", "lz4", "zstd"}))
        ->capture_default_str();
}

PaymentServiceConfig Options::service_config() const {
    PaymentServiceConfig config;
    auto& p = config.processor;
    p.client = common.client_config("payment-service");
    p.group_id = group_id;
    p.input_topics = {orders_topic};
    processing.apply(p, group_id);
    p.compression = compression;
    p.transaction_call_timeout = common.shutdown_timeout;
    config.payments_topic = payments_topic;
    config.partitions = common.partitions;
    config.replication_factor = common.replication_factor;
    config.rules = rules;
    config.rules.max_amount_cents = *parse_amount(max_amount);
    config.startup_timeout = common.startup_timeout;
    return config;
}

}  // namespace streamstore::payment
