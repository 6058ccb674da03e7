#pragma once
// Runs one service on an io_context and stops it gracefully on SIGINT/SIGTERM.
//
// Lifecycle: construct, build the service with executor(), then run(service.async_run(), stop).
// run() returns when the service's coroutine finishes. On the first SIGINT or SIGTERM it calls
// `stop` once and gives the service `shutdown_timeout` to finish; past that deadline (or on a
// second signal) it stops the io_context and returns kExitShutdownTimeout, logging that the
// graceful stop did not complete.
// Thread safety: run() is called once, from main's thread; `stop` runs on the io_context.

#include <chrono>
#include <functional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

namespace streamstore::runtime {

class ServiceHost {
public:
    ServiceHost(std::string name, int io_threads, std::chrono::milliseconds shutdown_timeout);
    ServiceHost(const ServiceHost&) = delete;
    ServiceHost& operator=(const ServiceHost&) = delete;

    [[nodiscard]] boost::asio::any_io_executor executor() { return context_.get_executor(); }

    /// Runs `service` (which co_returns the process exit code) to completion. An exception
    /// escaping it is logged and gives kExitFailure.
    int run(boost::asio::awaitable<int> service, std::function<void()> stop);

private:
    std::string name_;
    int io_threads_;
    std::chrono::milliseconds shutdown_timeout_;
    boost::asio::io_context context_;
};

}  // namespace streamstore::runtime
