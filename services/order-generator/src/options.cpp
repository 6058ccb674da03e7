#include "options.hpp"

#include <cmath>
#include <random>

#include "streamstore/runtime/duration.hpp"

namespace streamstore::order_generator {

namespace {
constexpr double kMaxRate = 10'000'000;          // orders/s: far beyond one producer
constexpr std::uint32_t kMaxBurst = 1'000'000;
}  // namespace

void add_options(CLI::App& app, Options& o) {
    o.common.http_address = "0.0.0.0:9101";
    runtime::add_common_options(app, o.common);
    app.add_option("-n,--count", o.count, "Orders to send; 0 = until stopped (or --duration)")
        ->envname(runtime::env_name("count"))
        ->check(CLI::NonNegativeNumber)  // CLI11 2.1 would read -1 as 2^64-1
        ->capture_default_str();
    auto* interval = runtime::add_duration_option(
        app, "-i,--interval", o.interval, "Pause between orders (250ms, 2s...), or between bursts; 0 = as fast as possible",
        runtime::env_name("interval"));
    app.add_option("--rate", o.rate, "Orders per second on average (e.g. 2000, 0.5); instead of --interval")
        ->envname(runtime::env_name("rate"))
        ->type_name("ORDERS/S")
        ->check(CLI::Validator(
            [](std::string& text) -> std::string {
                double rate = 0;
                const bool number = CLI::detail::lexical_cast(text, rate);
                return number && std::isfinite(rate) && rate > 0 && rate <= kMaxRate
                           ? ""
                           : "'" + text + "' is not a rate: use a number of orders per second > 0, e.g. 100 or 0.5";
            },
            "POSITIVE"))
        ->excludes(interval);
    app.add_option("--burst", o.burst,
                   "Orders sent back to back at each tick; with --rate the average rate stays the same")
        ->envname(runtime::env_name("burst"))
        ->check(CLI::Range(std::uint32_t{1}, kMaxBurst))
        ->capture_default_str();
    runtime::add_duration_option(app, "--duration", o.duration,
                                 "Stop sending after this long (30s, 5m...); 0 = no limit; with --count, "
                                 "whichever comes first",
                                 runtime::env_name("duration"));
    app.add_option("--summary-format", o.summary_format,
                   "The final summary on stdout: text (the totals line, then kafka-producer-perf-test's) or "
                   "json (one object)")
        ->envname(runtime::env_name("summary-format"))
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    app.add_option("-t,--topic", o.topic, "Topic to send orders to")
        ->envname(runtime::env_name("topic"))
        ->capture_default_str();
    app.add_option("--seed", o.seed, "Seed for reproducible orders (default: random)")
        ->envname(runtime::env_name("seed"))
        ->check(CLI::NonNegativeNumber);
    app.add_option("--compression", o.compression, "compression.type of the producer")
        ->envname(runtime::env_name("compression"))
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
    config.rate = rate;
    config.burst = burst;
    config.duration = duration;
    config.summary_format = summary_format == "json" ? SummaryFormat::json : SummaryFormat::text;
    config.seed = seed.value_or((std::uint64_t{std::random_device{}()} << 32) ^ std::random_device{}());
    config.startup_timeout = common.startup_timeout;
    config.flush_timeout = common.shutdown_timeout;
    return config;
}

}  // namespace streamstore::order_generator
