#include "options.hpp"

#include <random>

namespace streamstore::order_generator {

void add_options(CLI::App& app, Options& o) {
    runtime::add_common_options(app, o.common);
    app.add_option("-n,--count", o.count, "Orders to send; 0 = until stopped")
        ->envname("STREAMSTORE_COUNT")
        ->check(CLI::NonNegativeNumber)  // CLI11 2.1 would read -1 as 2^64-1
        ->capture_default_str();
    runtime::add_duration_option(app, "-i,--interval", o.interval,
                                 "Pause between orders (250ms, 2s...); 0 = as fast as possible",
                                 "STREAMSTORE_INTERVAL");
    app.add_option("-t,--topic", o.topic, "Topic to send orders to")->envname("STREAMSTORE_TOPIC")->capture_default_str();
    app.add_option("--seed", o.seed, "Seed for reproducible orders (default: random)")
        ->envname("STREAMSTORE_SEED")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--compression", o.compression, "compression.type of the producer")
        ->envname("STREAMSTORE_COMPRESSION")
        ->check(CLI::IsMember({"none", "gzip", "snappy", "lz4", "zstd"}))
        ->capture_default_str();
}

GeneratorConfig Options::generator_config() const {
    GeneratorConfig config;
    config.producer.client = common.client_config("order-generator");
    config.producer.compression = compression;
    config.producer.topics = {topic};
    config.topic = {topic, common.partitions, common.replication_factor};
    config.count = count;
    config.interval = interval;
    config.seed = seed.value_or((std::uint64_t{std::random_device{}()} << 32) ^ std::random_device{}());
    config.startup_timeout = common.startup_timeout;
    config.flush_timeout = common.shutdown_timeout;
    return config;
}

}  // namespace streamstore::order_generator
