#include "streamstore/tools/options.hpp"

#include <exception>

#include <spdlog/spdlog.h>

#include "streamstore/runtime/logging.hpp"
#include "streamstore/runtime/options.hpp"

namespace streamstore::tools {

messaging::ClientConfig ToolOptions::client_config(std::string client_id) const {
    messaging::ClientConfig config;
    config.bootstrap_servers = bootstrap_servers;
    config.client_id = std::move(client_id);
    for (const auto& property : kafka_properties) config.properties.push_back(*messaging::parse_property(property));
    return config;
}

int run_tool(const std::string& name, const ToolOptions& options, const std::function<int()>& body) {
    runtime::init_logging(name, options.log_level);
    try {
        return body();
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        return kExitFailure;
    }
}

void add_tool_options(CLI::App& app, ToolOptions& o) {
    app.add_option("-b,--bootstrap-server", o.bootstrap_servers,
                   "Kafka bootstrap servers, host:port[,host:port...] (librdkafka bootstrap.servers)")
        ->envname("STREAMSTORE_BOOTSTRAP_SERVERS")
        ->capture_default_str();
    app.add_option("-X", o.kafka_properties,
                   "A librdkafka property key=value, repeatable (as in kcat); from the environment, one per line")
        ->envname("STREAMSTORE_KAFKA_PROPERTIES")
        ->delimiter('\n')
        ->type_name("KEY=VALUE")
        ->check(CLI::Validator(
            [](std::string& text) -> std::string {
                return messaging::parse_property(text) ? "" : "'" + text + "' is not key=value";
            },
            "KEY=VALUE"));
    app.add_option("--log-level", o.log_level, "Log level (logs go to stderr)")
        ->envname("STREAMSTORE_LOG_LEVEL")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
        ->capture_default_str();
    runtime::add_duration_option(app, "--timeout", o.timeout,
                                 "Bound on all Kafka work (metadata, reading to the end, delivery), then exit 1",
                                 "STREAMSTORE_TIMEOUT");
}

}  // namespace streamstore::tools
