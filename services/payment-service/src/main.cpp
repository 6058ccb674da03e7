// payment-service: pays the orders it consumes and publishes the payments.
#include <CLI/CLI.hpp>

#include "options.hpp"
#include "payment_service.hpp"
#include "streamstore/runtime/logging.hpp"
#include "streamstore/runtime/service_host.hpp"
#include <spdlog/spdlog.h>

int main(int argc, char** argv) {
    using namespace streamstore;
    CLI::App app{"Pays orders from Kafka and publishes payments (the second stage of the StreamStore pipeline)", "payment-service"};
    payment::Options options;
    payment::add_options(app, options);
    if (auto exit_code = runtime::parse(app, argc, argv)) return *exit_code;

    runtime::init_logging("payment-service", options.common.log_level);
    try {
        runtime::ServiceHost host("payment-service", options.common.io_threads, options.common.shutdown_timeout);
        payment::PaymentService service(host.executor(), options.service_config());
        return host.run(service.async_run(), [&] { service.stop(); });
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());
        return runtime::kExitFailure;
    }
}
