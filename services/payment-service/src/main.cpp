// payment-service: pays the orders it consumes and publishes the payments.
#include <memory>

#include <CLI/CLI.hpp>

#include "options.hpp"
#include "payment_service.hpp"
#include "streamstore/runtime/service_host.hpp"

int main(int argc, char** argv) {
    using namespace streamstore;
    CLI::App app{"Pays orders from Kafka and publishes payments (the second stage of the StreamStore pipeline)",
                 "payment-service"};
    payment::Options options;
    payment::add_options(app, options);
    if (auto exit_code = runtime::parse(app, argc, argv)) return *exit_code;

    return runtime::run_service("payment-service", options.common, [&](const runtime::ServiceContext& context) {
        auto config = options.service_config();
        config.processor.client = context.instrument(config.processor.client);
        return std::make_unique<payment::PaymentService>(context.executor, std::move(config), context.metrics);
    });
}
