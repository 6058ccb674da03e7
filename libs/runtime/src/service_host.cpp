#include "streamstore/runtime/service_host.hpp"

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <spdlog/spdlog.h>

#include "streamstore/observability/probe.hpp"
#include "streamstore/runtime/duration.hpp"
#include "streamstore/runtime/options.hpp"

namespace streamstore::runtime {
namespace asio = boost::asio;

int guarded(const std::string& name, const std::function<int()>& body) {
    try {
        return body();
    } catch (const std::exception& e) {
        spdlog::critical("{}: {}", name, e.what());
        return kExitFailure;
    }
}

ServiceHost::ServiceHost(std::string name, int io_threads, std::chrono::milliseconds shutdown_timeout)
    : name_(std::move(name)), io_threads_(io_threads), shutdown_timeout_(shutdown_timeout), context_(io_threads) {}

void ServiceHost::serve_http(std::string_view address, std::shared_ptr<const observability::Metrics> metrics,
                             observability::ReadinessCheck readiness) {
    if (address == "off") return;
    http_.emplace(context_.get_executor(), address);
    observability::add_standard_routes(*http_, std::move(metrics), std::move(readiness));
    http_->start();
    const auto endpoint = http_->local_endpoint();
    spdlog::info("serving /metrics, /healthz and /readyz on http://{}:{}", endpoint.address().to_string(),
                 endpoint.port());
}

int run_probe(const std::string& url) {
    std::ostringstream line;
    const int code = observability::probe(url, std::chrono::seconds(3), line);
    (code == 0 ? std::cout : std::cerr) << line.str() << std::flush;
    return code;
}

int ServiceHost::run(asio::awaitable<int> service, std::function<void()> stop,
                     std::function<std::string()> pending_work) {
    // Everything below runs on one strand, so these locals need no locking.
    auto strand = asio::make_strand(context_);
    asio::signal_set signals(strand, SIGINT, SIGTERM);
    asio::steady_timer deadline(strand);
    std::optional<int> exit_code;
    bool stopping = false;
    std::atomic<bool> finished{false};

    asio::co_spawn(context_, std::move(service),
                   asio::bind_executor(strand, [&](std::exception_ptr error, int code) {
                       if (error) {
                           try {
                               std::rethrow_exception(error);
                           } catch (const std::exception& e) {
                               spdlog::critical("{}", e.what());
                           } catch (...) {
                               spdlog::critical("{} failed with an unknown exception", name_);
                           }
                           code = kExitFailure;
                       }
                       exit_code = code;
                       if (http_) http_->stop();  // so the io_context runs out of work
                       signals.cancel();
                       deadline.cancel();
                       finished.store(true);
                       finished.notify_all();
                   }));

    std::function<void(const boost::system::error_code&, int)> on_signal =
        [&](const boost::system::error_code& ec, int signal) {
            if (ec || exit_code) return;
            if (stopping) {
                spdlog::error("second {} during shutdown: exiting now", signal == SIGINT ? "SIGINT" : "SIGTERM");
                spdlog::shutdown();
                std::_Exit(kExitShutdownTimeout);
            }
            stopping = true;
            spdlog::info("{} received: stopping (deadline {})", signal == SIGINT ? "SIGINT" : "SIGTERM",
                         format_duration(shutdown_timeout_));
            stop();
            deadline.expires_after(shutdown_timeout_);
            deadline.async_wait([&](const boost::system::error_code& timer_ec) {
                if (timer_ec || exit_code) return;
                // The graceful stop is stuck: say so and leave without running destructors that
                // could block on the same stuck work.
                spdlog::error("{} did not stop within --shutdown-timeout {}: exiting without a clean stop ({})",
                              name_, format_duration(shutdown_timeout_),
                              pending_work ? pending_work() : std::string("nothing to report"));
                spdlog::shutdown();
                std::_Exit(kExitShutdownTimeout);
            });
            signals.async_wait(on_signal);
        };
    signals.async_wait(on_signal);

    // Once the service is done, its clients have been closed and the io_context runs out of work
    // by itself. Should some background work linger, stop the io_context rather than hang.
    std::jthread watchdog([this, &finished](std::stop_token cancelled) {
        finished.wait(false);
        std::mutex m;
        std::condition_variable_any cv;
        std::unique_lock lock(m);
        if (!cv.wait_for(lock, cancelled, std::chrono::seconds(5), [] { return false; }) &&
            !cancelled.stop_requested()) {
            spdlog::warn("{}: work still pending 5 s after the service finished; stopping the event loop", name_);
            context_.stop();
        }
    });
    std::vector<std::jthread> threads;
    for (int i = 1; i < io_threads_; ++i) threads.emplace_back([this] { context_.run(); });
    context_.run();
    threads.clear();
    watchdog.request_stop();
    finished.store(true);
    finished.notify_all();
    return exit_code.value_or(kExitFailure);
}

}  // namespace streamstore::runtime
