#pragma once
// An HttpServer with the standard routes on 127.0.0.1:0, its io_context run by a thread of its
// own. stop() must let that io_context finish: the destructor joins the thread, so a server that
// does not stop makes the test time out instead of passing.

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "streamstore/observability/health.hpp"
#include "streamstore/observability/http_server.hpp"
#include "streamstore/observability/metrics.hpp"

namespace streamstore::observability::test {

class TestServer {
public:
    explicit TestServer(HttpServerLimits limits = {}, bool standard_routes = true)
        : metrics(std::make_shared<Metrics>("test-service", "1.2.3")),
          server(io.get_executor(), "127.0.0.1:0", limits) {
        if (standard_routes) {
            add_standard_routes(server, metrics, [this] {
                return ready ? Readiness{true, "3 partitions assigned"} : Readiness{false, "waiting for partitions"};
            });
        }
    }

    /// Call after adding routes.
    void start() {
        server.start();
        thread_ = std::thread([this] { io.run(); });
    }

    ~TestServer() {
        server.stop();
        if (thread_.joinable()) thread_.join();
    }

    std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(server.local_endpoint().port()) + path;
    }

    boost::asio::io_context io;
    std::shared_ptr<Metrics> metrics;
    std::atomic<bool> ready{false};
    HttpServer server;

private:
    std::thread thread_;
};

}  // namespace streamstore::observability::test
