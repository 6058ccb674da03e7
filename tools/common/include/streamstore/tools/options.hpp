#pragma once
// Flags shared by the command-line tools, on CLI11, in the services' style (runtime/options.hpp):
// flag > environment variable > default, and runtime::parse() for one-line errors with exit 2.
//
// The tools are short-lived: they take -b/--bootstrap-server, -X key=value, --log-level and a
// --timeout bounding all their Kafka work, but none of the services' start-up, shutdown, topic
// creation or thread flags.

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "streamstore/messaging/config.hpp"

namespace streamstore::tools {

/// Exit codes of the tools (the same numbers as the services').
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  ///< The check failed, a record was not delivered, or Kafka failed.
inline constexpr int kExitUsage = 2;    ///< A bad flag or environment variable.

struct ToolOptions {
    std::string bootstrap_servers = "localhost:9092";  ///< librdkafka bootstrap.servers
    std::vector<std::string> kafka_properties;         ///< -X key=value, passed to librdkafka as is
    std::string log_level = "warn";                    ///< stdout is the tool's output; logs go to stderr
    std::chrono::milliseconds timeout{60'000};         ///< bound on all reading (and delivering) together

    /// bootstrap.servers, client.id and every -X property. Precondition: parsed (each -X was
    /// checked to be key=value).
    [[nodiscard]] messaging::ClientConfig client_config(std::string client_id) const;
};

/// What a tool's main() does after parsing flags: sets up logging (spdlog to stderr at
/// --log-level, named `name`), runs `body` and returns its exit code; an exception escaping it
/// (Kafka unreachable, a deadline passed, a file not written) is logged as an error and gives
/// kExitFailure.
int run_tool(const std::string& name, const ToolOptions& options, const std::function<int()>& body);

/// Adds -b/--bootstrap-server, -X, --log-level and --timeout (STREAMSTORE_BOOTSTRAP_SERVERS,
/// STREAMSTORE_KAFKA_PROPERTIES, STREAMSTORE_LOG_LEVEL, STREAMSTORE_TIMEOUT) to `app`.
void add_tool_options(CLI::App& app, ToolOptions& options);

}  // namespace streamstore::tools
