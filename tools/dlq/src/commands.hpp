#pragma once
// streamstore-dlq's flags and its two commands, list and replay.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "streamstore/dlq/dead_letters.hpp"
#include "streamstore/tools/options.hpp"

namespace streamstore::dlq {

struct Options {
    tools::ToolOptions common;
    std::string topic = "orders.dlq";
    // list
    std::uint64_t limit = 0;  ///< 0 = all
    bool json = false;
    // replay
    Selection selection;
    std::optional<std::string> to;
    bool dry_run = false;
};

/// Adds the shared flags to `app` and the `list` and `replay` subcommands (one is required);
/// returns them so that main can tell which was chosen.
struct Commands {
    CLI::App* list;
    CLI::App* replay;
};
Commands add_options(CLI::App& app, Options& options);

/// Prints one line per dead letter of --topic (in partition, offset order; the first --limit).
/// Returns kExitOk. Throws tools::ToolError when the topic cannot be read.
int run_list(const Options& options);

/// Re-publishes the selected dead letters and prints what happened to each and the summary.
/// Returns kExitFailure when any was not delivered, else kExitOk. Throws tools::ToolError when the
/// topic cannot be read.
int run_replay(const Options& options);

}  // namespace streamstore::dlq
