#pragma once
// Logging set-up shared by the services: spdlog to stderr (stdout belongs to the service's output).

#include <string_view>

namespace streamstore::runtime {

/// Installs the default spdlog logger named `service` at `level` (trace, debug, info, warn,
/// error, critical, off), writing to stderr. librdkafka's own log lines go through it too.
/// Call once, before any other thread starts.
void init_logging(std::string_view service, std::string_view level);

}  // namespace streamstore::runtime
