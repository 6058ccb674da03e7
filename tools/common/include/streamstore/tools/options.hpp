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
#include "streamstore/runtime/options.hpp"

namespace streamstore::tools {

/// Exit codes of the tools (the same numbers as the services').
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  ///< The check failed, a record was not delivered, or Kafka failed.
inline constexpr int kExitUsage = 2;    ///< A bad flag or environment variable.

/// -b, -X, -F, --log-level (default warn: stdout is the tool's output; logs go to stderr),
/// --log-format, and --timeout.
struct ToolOptions : runtime::ConnectionOptions {
    ToolOptions() { log_level = "warn"; }
    std::chrono::milliseconds timeout{60'000};  ///< bound on all reading (and delivering) together
};

/// What a tool's main() does after parsing flags: sets up logging (spdlog to stderr at
/// --log-level, named `name`), runs `body` and returns its exit code; an exception escaping it
/// (Kafka unreachable, a deadline passed, a file not written) is logged as an error and gives
/// kExitFailure.
int run_tool(const std::string& name, const ToolOptions& options, const std::function<int()>& body);

/// Adds runtime::add_connection_options' flags and --timeout (STREAMSTORE_TIMEOUT) to `app`.
void add_tool_options(CLI::App& app, ToolOptions& options);

}  // namespace streamstore::tools
