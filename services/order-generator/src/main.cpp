// order-generator: sends realistic orders to Kafka's orders topic.
#include <memory>

#include <CLI/CLI.hpp>

#include "options.hpp"
#include "order_generator.hpp"
#include "streamstore/runtime/service_host.hpp"

int main(int argc, char** argv) {
    using namespace streamstore;
    CLI::App app{"Sends orders to Kafka (the first stage of the StreamStore pipeline)", "order-generator"};
    order_generator::Options options;
    order_generator::add_options(app, options);
    if (auto exit_code = runtime::parse(app, argc, argv)) return *exit_code;

    return runtime::run_service("order-generator", options.common, [&](const runtime::ServiceContext& context) {
        auto config = options.generator_config();
        config.producer.client = context.instrument(config.producer.client);
        return std::make_unique<order_generator::OrderGenerator>(context.executor, std::move(config), context.metrics);
    });
}
