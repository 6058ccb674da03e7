#pragma once
// The standard routes of a service's HTTP server (http_server.hpp):
//
// | path     | answer                                                                          |
// | -------- | ------------------------------------------------------------------------------- |
// | /metrics | 200, Metrics::serialize(), Content-Type text/plain; version=0.0.4; charset=utf-8 |
// | /healthz | 200 "ok": answered on the service's own event loop, so it proves the loop runs   |
// | /readyz  | 200 "ready: <detail>" or 503 "not ready: <detail>", from the service's check     |
//
// Thread safety: the routes run on the server's strand; `readiness` is called there, once per
// request, and must be quick and non-blocking (read the service's state, do not query Kafka).

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "streamstore/observability/http_server.hpp"
#include "streamstore/observability/metrics.hpp"

namespace streamstore::observability {

/// Whether the service should receive work now (e.g. connected to Kafka and, for a consumer,
/// partitions assigned), and why, for people: "3 partitions assigned", "waiting for partitions".
struct Readiness {
    bool ready = false;
    std::string detail;
};

using ReadinessCheck = std::function<Readiness()>;

/// Content-Type of the Prometheus text exposition format 0.0.4.
inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

/// Registers /metrics, /healthz and /readyz on `server` (before its start()). The routes share
/// ownership of `metrics`. An empty `readiness` means always ready. Throws std::invalid_argument
/// when `metrics` is null, std::logic_error after server.start().
void add_standard_routes(HttpServer& server, std::shared_ptr<const Metrics> metrics, ReadinessCheck readiness);

/// The answers themselves, for tests and for services composing their own routes.
Response metrics_response(const Metrics& metrics);
Response health_response();
/// 200 "ready: <detail>\n" or 503 "not ready: <detail>\n" (just "ready\n" / "not ready\n" without a
/// detail). A check that throws answers 503 with what it threw.
Response readiness_response(const ReadinessCheck& readiness);

}  // namespace streamstore::observability
