#pragma once
// streamstore-verify's flags and its run: read the four topics, check, print, exit code.

#include <cstdint>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "streamstore/tools/options.hpp"
#include "streamstore/verify/checker.hpp"

namespace streamstore::verify {

struct Options {
    tools::ToolOptions common;
    Expectation expectation = Expectation::exactly_once;
    std::optional<std::uint64_t> expect_orders;
    bool no_notifications = false;
    /// dead_letters empty: "<orders>.dlq", following --orders-topic.
    Topics topics{.orders = "orders", .payments = "payments", .notifications = "notifications", .dead_letters = ""};
    std::string json_file;  ///< empty = no JSON report

    [[nodiscard]] Settings settings() const;
};

void add_options(CLI::App& app, Options& options);

/// Reads the topics (blocking, bounded by --timeout), prints the summary on stdout, writes the
/// JSON report, and returns kExitOk on pass, kExitFailure on fail. Throws tools::ToolError or
/// messaging::KafkaException when Kafka could not be read, std::runtime_error when the JSON
/// report could not be written.
int run(const Options& options);

}  // namespace streamstore::verify
