#pragma once
// A small HTTP/1.1 server for a service's operational endpoints (/metrics, /healthz, /readyz:
// health.hpp), on Boost.Beast with C++20 coroutines, on the service's own io_context.
//
//   observability::HttpServer http(io.get_executor(), "0.0.0.0:8082");   // binds (throws)
//   observability::add_standard_routes(http, metrics, [&] { return service.readiness(); });
//   http.start();
//   ...                                                                 // on SIGTERM:
//   http.stop();                                                        // io_context can finish
//
// What it serves: GET and HEAD (others: 405 with "Allow: GET, HEAD"), exact paths registered with
// handle() (the query string is ignored; others: 404). Keep-alive per HTTP/1.1 (and HTTP/1.0's
// "Connection: keep-alive"). Requests are a header of at most 8 KiB (over it: 431) and no body
// (one: 413); a malformed request gets 400; each of these closes the connection. A connection is
// closed when a request is not read, or a response not written, within `read_timeout` (also the
// idle keep-alive timeout). At most `max_connections` connections are served at once; one accepted
// over the cap is closed at once, without an answer.
//
// Threads: everything (accepting, connections, handlers) runs on one strand of the executor
// given, so handlers never run concurrently with each other. Handlers must be quick and must not
// block: they run on the service's event loop. A handler that throws answers 500 (logged at warn).
// Nothing is thrown out of the io_context: a failed connection is closed and logged at debug.
//
// Lifecycle: construct (binds and listens), handle() every route, start(), and stop() when the
// service stops: it closes the listening socket and every open connection, so the io_context
// runs out of the server's work. After stop() no handler is started. The destructor stops too.
// Destroy the server before its io_context. With several threads running the io_context, a
// handler already running on another thread may still be finishing when stop() or the destructor
// returns: objects the handlers use must then outlive the io_context's run().
// Thread safety: stop() and local_endpoint() may be called from any thread, at any time.
// handle() and start() must not be called concurrently with each other.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace streamstore::observability {

namespace detail {
struct HttpServerState;
}

/// What a handler answers. The server adds Content-Length, Connection and, for HEAD, leaves the
/// body out.
struct Response {
    unsigned status = 200;  ///< HTTP status code, 100-599 (anything else is answered as 500)
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
};

struct HttpServerLimits {
    /// Reading one request (an idle keep-alive connection included) and writing one response must
    /// each finish within this, or the connection is closed: a stuck client cannot pin it.
    std::chrono::milliseconds read_timeout{10'000};
    /// Connections served at once; one accepted beyond this is closed at once.
    std::size_t max_connections = 64;
};

class HttpServer {
public:
    using Handler = std::function<Response()>;

    /// Binds to and listens on `address`: "host:port" with an IPv4 address, "[IPv6 address]:port",
    /// a host name (resolved now, first address), or ":port" for every IPv4 interface. Port 0
    /// picks a free port (local_endpoint() says which).
    /// Throws std::invalid_argument when `address` cannot be parsed or resolved, and
    /// std::system_error when it cannot be bound (port in use, address not local, permission);
    /// both messages name the address.
    HttpServer(boost::asio::any_io_executor executor, std::string_view address, HttpServerLimits limits = {});
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Answers GET and HEAD of `path` (exact, starting with '/', e.g. "/metrics") with `handler`,
    /// replacing any handler of that path. Call before start(): throws std::logic_error after.
    void handle(std::string path, Handler handler);

    /// Begins accepting connections (on the strand). Idempotent; does nothing after stop().
    void start();

    /// Closes the listening socket and every open connection; requests being read are dropped.
    /// Thread-safe and idempotent; returns at once (the closing runs on the strand).
    void stop();

    /// The address bound, with the port picked when it was 0. Thread-safe.
    boost::asio::ip::tcp::endpoint local_endpoint() const noexcept;

private:
    // Shared with the accept loop and the connections, which may outlive the server briefly.
    std::shared_ptr<detail::HttpServerState> state_;
};

}  // namespace streamstore::observability
