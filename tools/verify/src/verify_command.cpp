#include "verify_command.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "streamstore/tools/kafka.hpp"

namespace streamstore::verify {

Settings Options::settings() const {
    Settings s;
    s.expectation = expectation;
    s.expected_orders = expect_orders;
    s.check_notifications = !no_notifications;
    s.topics = topics;
    if (s.topics.dead_letters.empty()) s.topics.dead_letters = topics.orders + ".dlq";
    return s;
}

void add_options(CLI::App& app, Options& o) {
    tools::add_tool_options(app, o.common);
    app.add_option_function<std::string>(
           "--expect", [&o](const std::string& text) { o.expectation = *parse_expectation(text); },
           "exactly-once: any lost or duplicate payment, notification or dead letter fails; "
           "at-least-once: only losses fail, duplicates are reported")
        ->envname("STREAMSTORE_EXPECT")
        ->check(CLI::IsMember({"exactly-once", "at-least-once"}))
        ->default_str("exactly-once");
    app.add_option("--expect-orders", o.expect_orders, "Fail unless exactly N good orders are on the orders topic")
        ->envname("STREAMSTORE_EXPECT_ORDERS")
        ->type_name("N")
        ->check(CLI::NonNegativeNumber);  // CLI11 2.1 would read -1 as 2^64-1
    app.add_flag("--no-notifications", o.no_notifications, "Skip the notification checks")
        ->envname("STREAMSTORE_NO_NOTIFICATIONS");
    app.add_option("--orders-topic", o.topics.orders, "Topic of the orders")
        ->envname("STREAMSTORE_ORDERS_TOPIC")
        ->capture_default_str();
    app.add_option("--payments-topic", o.topics.payments, "Topic of the payments")
        ->envname("STREAMSTORE_PAYMENTS_TOPIC")
        ->capture_default_str();
    app.add_option("--notifications-topic", o.topics.notifications, "Topic of the notifications")
        ->envname("STREAMSTORE_NOTIFICATIONS_TOPIC")
        ->capture_default_str();
    app.add_option("--dlq-topic", o.topics.dead_letters, "Dead letter topic of the orders")
        ->envname("STREAMSTORE_DLQ_TOPIC")
        ->default_str("<orders topic>.dlq");
    app.add_option("--json", o.json_file, "Also write the full report (counts, up to 20 examples each) to FILE")
        ->envname("STREAMSTORE_JSON")
        ->type_name("FILE");
}

namespace {
// A topic the checks read but that does not exist reads as empty; say so, since it is more
// likely a wrong topic name than an idle pipeline.
void warn_if_missing(const tools::ReadResult& result, const std::string& topic, const char* flag) {
    if (!result.topic_exists) spdlog::warn("topic '{}' does not exist: read as empty (check {})", topic, flag);
}

// A transactional stream: read_committed first, then read_uncommitted (so that a record
// written between the passes looks open, never aborted).
void read_twice(const messaging::ClientConfig& client, const std::string& topic, const char* flag, Stream stream,
                Checker& checker, const tools::Deadline& deadline) {
    const auto committed = tools::read_topic(client, topic, tools::Isolation::read_committed, deadline,
                                             [&](const tools::Record& r) { checker.add_committed(stream, r); });
    warn_if_missing(committed, topic, flag);
    checker.end_committed(stream, committed.end_offsets);
    (void)tools::read_topic(client, topic, tools::Isolation::read_uncommitted, deadline,
                            [&](const tools::Record& r) { checker.add_uncommitted(stream, r); });
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) throw std::runtime_error("cannot write the JSON report to '" + path + "': " + std::strerror(errno));
}
}  // namespace

int run(const Options& options) {
    const Settings settings = options.settings();
    const messaging::ClientConfig client = options.common.client_config("streamstore-verify");
    const tools::Deadline deadline(options.common.timeout);
    Checker checker(settings);

    const auto orders = tools::read_topic(client, settings.topics.orders, tools::Isolation::read_committed, deadline,
                                          [&](const tools::Record& r) { checker.add_order(r); });
    if (!orders.topic_exists) {
        throw tools::ToolError("the orders topic '" + settings.topics.orders + "' does not exist (check --orders-topic)");
    }
    read_twice(client, settings.topics.payments, "--payments-topic", Stream::payments, checker, deadline);
    if (settings.check_notifications) {
        read_twice(client, settings.topics.notifications, "--notifications-topic", Stream::notifications, checker,
                   deadline);
    }
    const auto letters = tools::read_topic(client, settings.topics.dead_letters, tools::Isolation::read_committed,
                                           deadline, [&](const tools::Record& r) { checker.add_dead_letter(r); });
    warn_if_missing(letters, settings.topics.dead_letters, "--dlq-topic");

    const Report report = checker.report();
    std::cout << format_summary(report) << std::flush;
    if (!options.json_file.empty()) write_file(options.json_file, to_json(report));
    return report.passed() ? tools::kExitOk : tools::kExitFailure;
}

}  // namespace streamstore::verify
