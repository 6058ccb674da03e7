#pragma once
// notification-service's flags, separate from main() so that tests can parse them.

#include <string>

#include <CLI/CLI.hpp>

#include "notification_service.hpp"
#include "streamstore/runtime/options.hpp"

namespace streamstore::notification {

struct Options {
    runtime::CommonOptions common;
    std::string orders_topic = "orders";
    std::string payments_topic = "payments";
    std::string group_id = "notification-service";
    std::string output = "text";
    std::string notifications_topic = "notifications";
    runtime::ProcessingOptions processing;
    std::size_t dedup_window = 50'000;

    [[nodiscard]] NotificationServiceConfig service_config() const;
};

void add_options(CLI::App& app, Options& options);

}  // namespace streamstore::notification
