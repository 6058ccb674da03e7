#pragma once
// Runs one service on an io_context and stops it gracefully on SIGINT/SIGTERM.
//
// Lifecycle: construct, build the service with executor(), then run(service.async_run(), stop).
// run() returns when the service's coroutine has finished and the io_context has run out of work
// (the service closes its clients; a watchdog stops the io_context if work lingers 5 s more).
// On the first SIGINT or SIGTERM it calls `stop` once and gives the service `shutdown_timeout`
// to finish. Past that deadline, or on a second signal, it logs that the graceful stop did not
// complete and ends the process at once with kExitShutdownTimeout (std::_Exit: destructors could
// block on the very work that is stuck).
// Thread safety: run() is called once, from main's thread; `stop` runs on the io_context.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "streamstore/messaging/config.hpp"
#include "streamstore/observability/health.hpp"
#include "streamstore/observability/http_server.hpp"
#include "streamstore/observability/metrics.hpp"
#include "streamstore/runtime/logging.hpp"
#include "streamstore/runtime/options.hpp"

namespace streamstore::runtime {

/// Runs `body`, turning an escaping exception into a critical log line and kExitFailure.
int guarded(const std::string& name, const std::function<int()>& body);

/// The version every binary reports (--version, streamstore_build_info).
inline constexpr std::string_view kVersion = "0.1.0";

/// What run_service gives the service it builds.
struct ServiceContext {
    boost::asio::any_io_executor executor;             ///< the io_context's
    std::shared_ptr<observability::Metrics> metrics;    ///< the process's registry (never null)
    std::chrono::milliseconds statistics_interval{0};  ///< --statistics-interval

    /// `client`, reporting to `metrics` (with librdkafka statistics every statistics_interval).
    [[nodiscard]] messaging::ClientConfig instrument(messaging::ClientConfig client) const {
        client.metrics = metrics;
        client.statistics_interval = statistics_interval;
        return client;
    }
};

class ServiceHost {
public:
    ServiceHost(std::string name, int io_threads, std::chrono::milliseconds shutdown_timeout);
    ServiceHost(const ServiceHost&) = delete;
    ServiceHost& operator=(const ServiceHost&) = delete;

    [[nodiscard]] boost::asio::any_io_executor executor() { return context_.get_executor(); }

    /// Serves /metrics, /healthz and /readyz on `address` (host:port; "off": nothing) from the
    /// io_context until run() ends. Throws std::system_error or std::invalid_argument naming
    /// the address when it cannot listen (e.g. the port is taken).
    void serve_http(std::string_view address, std::shared_ptr<const observability::Metrics> metrics,
                    observability::ReadinessCheck readiness);

    /// Runs `service` (which co_returns the process exit code) to completion. An exception
    /// escaping it is logged and gives kExitFailure. `pending_work`, when given, says what a stop
    /// that overran its deadline leaves undone; it is called from an I/O thread and must be
    /// thread-safe.
    int run(boost::asio::awaitable<int> service, std::function<void()> stop,
            std::function<std::string()> pending_work = {});

private:
    std::string name_;
    int io_threads_;
    std::chrono::milliseconds shutdown_timeout_;
    boost::asio::io_context context_;
    std::optional<observability::HttpServer> http_;
};

/// --probe: GETs `url` and returns 0 for a 2xx answer, 1 otherwise, saying which on one line
/// (stdout on success, stderr otherwise).
int run_probe(const std::string& url);

/// What every main() does after parsing flags: with --probe, just probe. Otherwise set up logging,
/// build the service with `make(const ServiceContext&)` (which returns a pointer-like owner of a
/// type with `awaitable<int> async_run()` and `void stop()`), serve HTTP on --http-address, and
/// run it. Returns the exit code; an exception while building the service (e.g. an invalid -X
/// property) or binding the HTTP port is logged and gives kExitFailure. A service with
/// `std::string pending_work()` is asked what it leaves undone when its stop overruns the
/// deadline; one with `observability::Readiness readiness()` answers /readyz (thread-safe, quick).
template <class MakeService>
int run_service(const std::string& name, const CommonOptions& common, MakeService make) {
    if (!common.probe_url.empty()) return run_probe(common.probe_url);
    init_logging(name, common.log_level, common.log_format);
    return guarded(name, [&] {
        ServiceHost host(name, common.io_threads, common.shutdown_timeout);
        const ServiceContext context{host.executor(), std::make_shared<observability::Metrics>(name, kVersion),
                                     common.statistics_interval};
        auto service = make(context);
        observability::ReadinessCheck readiness;
        if constexpr (requires { service->readiness(); }) readiness = [&] { return service->readiness(); };
        host.serve_http(common.http_address, context.metrics, std::move(readiness));
        std::function<std::string()> pending;
        if constexpr (requires { service->pending_work(); }) pending = [&] { return service->pending_work(); };
        return host.run(service->async_run(), [&] { service->stop(); }, std::move(pending));
    });
}

}  // namespace streamstore::runtime
