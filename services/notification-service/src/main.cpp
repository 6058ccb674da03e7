// notification-service: tells customers about their orders and payments, one line each on stdout.
#include <cstdio>
#include <memory>

#include <CLI/CLI.hpp>

#include "notification_service.hpp"
#include "options.hpp"
#include "streamstore/runtime/service_host.hpp"

int main(int argc, char** argv) {
    using namespace streamstore;
    CLI::App app{"Prints a notification per order and payment (the last stage of the StreamStore pipeline)",
                 "notification-service"};
    notification::Options options;
    notification::add_options(app, options);
    if (auto exit_code = runtime::parse(app, argc, argv)) return *exit_code;

    return runtime::run_service("notification-service", options.common, [&](const runtime::ServiceContext& context) {
        auto config = options.service_config();
        config.processor.client = context.instrument(config.processor.client);
        return std::make_unique<notification::NotificationService>(context.executor, std::move(config), stdout,
                                                                    context.metrics);
    });
}
