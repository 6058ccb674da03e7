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
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "streamstore/runtime/logging.hpp"
#include "streamstore/runtime/options.hpp"

namespace streamstore::runtime {

/// Runs `body`, turning an escaping exception into a critical log line and kExitFailure.
int guarded(const std::string& name, const std::function<int()>& body);

class ServiceHost {
public:
    ServiceHost(std::string name, int io_threads, std::chrono::milliseconds shutdown_timeout);
    ServiceHost(const ServiceHost&) = delete;
    ServiceHost& operator=(const ServiceHost&) = delete;

    [[nodiscard]] boost::asio::any_io_executor executor() { return context_.get_executor(); }

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
};

/// What every main() does after parsing flags: set up logging, build the service on a
/// ServiceHost's executor with `make(executor)` (which returns a pointer-like owner of a type with
/// `awaitable<int> async_run()` and `void stop()`), and run it. Returns the exit code; an
/// exception while building the service (e.g. an invalid -X property) is logged and gives
/// kExitFailure. A service with `std::string pending_work()` is asked what it leaves undone when
/// its stop overruns the deadline.
template <class MakeService>
int run_service(const std::string& name, const CommonOptions& common, MakeService make) {
    init_logging(name, common.log_level, common.log_format);
    return guarded(name, [&] {
        ServiceHost host(name, common.io_threads, common.shutdown_timeout);
        auto service = make(host.executor());
        std::function<std::string()> pending;
        if constexpr (requires { service->pending_work(); }) pending = [&] { return service->pending_work(); };
        return host.run(service->async_run(), [&] { service->stop(); }, std::move(pending));
    });
}

}  // namespace streamstore::runtime
