#pragma once
// Logging set-up shared by the services and tools: spdlog to stderr (stdout belongs to the
// service's output).
//
// Two formats:
// - text: `2026-11-21T14:03:07.123+0000 info  payment-service: message trace_id=<id>`, the
//   trace id only on lines about one record (messaging::current_trace_id());
// - json: one object per line, `{"ts":"2026-11-21T14:03:07.123Z","level":"info",
//   "service":"payment-service","msg":"...","trace_id":"..."}` (trace_id only when there is one),
//   for log shippers.
// Secrets: nothing here logs configuration; librdkafka property values are never logged by the
// messaging library (see messaging/config.hpp).

#include <memory>
#include <string>
#include <string_view>

#include <spdlog/formatter.h>

namespace streamstore::runtime {

/// Installs the default spdlog logger named `service` at `level` (trace, debug, info, warn,
/// error, critical, off) in `format` ("text" or "json"), writing to stderr. librdkafka's own log
/// lines go through it too. Call once, before any other thread starts.
void init_logging(std::string_view service, std::string_view level, std::string_view format = "text");

/// The spdlog formatter of one JSON object per line (see above), for `service`.
std::unique_ptr<spdlog::formatter> make_json_formatter(std::string service);

/// The spdlog formatter of text lines (see above).
std::unique_ptr<spdlog::formatter> make_text_formatter();

}  // namespace streamstore::runtime
