// notification-service: tells customers about their orders and payments.
#include <CLI/CLI.hpp>

#include "options.hpp"
#include "notification_service.hpp"
#include <cstdio>
#include "streamstore/runtime/logging.hpp"
#include "streamstore/runtime/service_host.hpp"
#include <spdlog/spdlog.h>

int main(int argc, char** argv) {
    using namespace streamstore;
    CLI::App app{"Prints a notification per order and payment (the last stage of the StreamStore pipeline)", "notification-service"};
    notification::Options options;
    notification::add_options(app, options);
    if (auto exit_code = runtime::parse(app, argc, argv)) return *exit_code;

    runtime::init_logging("notification-service", options.common.log_level);
    try {
        runtime::ServiceHost host("notification-service", options.common.io_threads, options.common.shutdown_timeout);
        notification::NotificationService service(host.executor(), options.service_config(), stdout);
        return host.run(service.async_run(), [&] { service.stop(); });
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());
        return runtime::kExitFailure;
    }
}
