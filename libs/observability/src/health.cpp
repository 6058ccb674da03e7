#include "streamstore/observability/health.hpp"

#include <exception>
#include <stdexcept>
#include <utility>

namespace streamstore::observability {

Response metrics_response(const Metrics& metrics) {
    return Response{200, std::string(kMetricsContentType), metrics.serialize()};
}

Response health_response() { return Response{200, "text/plain; charset=utf-8", "ok\n"}; }

Response readiness_response(const ReadinessCheck& readiness) {
    Readiness state{true, {}};
    if (readiness) {
        try {
            state = readiness();
        } catch (const std::exception& e) {
            state = Readiness{false, std::string("readiness check failed: ") + e.what()};
        } catch (...) {
            state = Readiness{false, "readiness check failed"};
        }
    }
    std::string body = state.ready ? "ready" : "not ready";
    if (!state.detail.empty()) body.append(": ").append(state.detail);
    body.push_back('\n');
    return Response{state.ready ? 200u : 503u, "text/plain; charset=utf-8", std::move(body)};
}

void add_standard_routes(HttpServer& server, std::shared_ptr<const Metrics> metrics, ReadinessCheck readiness) {
    if (!metrics) throw std::invalid_argument("add_standard_routes: metrics is null");
    server.handle("/metrics", [metrics = std::move(metrics)] { return metrics_response(*metrics); });
    server.handle("/healthz", [] { return health_response(); });
    server.handle("/readyz", [readiness = std::move(readiness)] { return readiness_response(readiness); });
}

}  // namespace streamstore::observability
