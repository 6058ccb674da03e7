// order-generator: sends realistic orders to Kafka's orders topic.
#include <CLI/CLI.hpp>

#include "options.hpp"
#include "order_generator.hpp"
#include "streamstore/runtime/logging.hpp"
#include "streamstore/runtime/service_host.hpp"
#include <spdlog/spdlog.h>

int main(int argc, char** argv) {
    using namespace streamstore;
    CLI::App app{"Sends orders to Kafka (the first stage of the StreamStore pipeline)", "order-generator"};
    order_generator::Options options;
    order_generator::add_options(app, options);
    if (auto exit_code = runtime::parse(app, argc, argv)) return *exit_code;

    runtime::init_logging("order-generator", options.common.log_level);
    try {
        runtime::ServiceHost host("order-generator", options.common.io_threads, options.common.shutdown_timeout);
        order_generator::OrderGenerator generator(host.executor(), options.generator_config());
        return host.run(generator.async_run(), [&] { generator.stop(); });
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());
        return runtime::kExitFailure;
    }
}
