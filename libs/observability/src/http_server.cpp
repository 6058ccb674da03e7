#include "streamstore/observability/http_server.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <exception>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>
#include <system_error>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include "address.hpp"

namespace streamstore::observability {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

constexpr std::uint32_t kMaxHeaderBytes = 8 * 1024;
constexpr std::size_t kReadBufferBytes = 16 * 1024;      // one header, plus a pipelined request's start
constexpr std::size_t kMaxLingerBytes = 64 * 1024;       // read and dropped before closing after an error
constexpr std::chrono::milliseconds kMaxLinger = 2s;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

std::string to_string(const tcp::endpoint& endpoint) {
    const auto address = endpoint.address();
    return (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
           std::to_string(endpoint.port());
}

tcp::endpoint resolve_listen_address(std::string_view address) {
    detail::HostPort host_port;
    try {
        host_port = detail::parse_host_port(address, std::nullopt);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument("invalid HTTP listen address '" + std::string(address) + "': " + e.what());
    }
    if (host_port.host.empty()) return {tcp::v4(), host_port.port};
    boost::system::error_code error;
    const auto ip = asio::ip::make_address(host_port.host, error);
    if (!error) return {ip, host_port.port};
    // A host name: resolved once, here (start-up), to its first address.
    asio::io_context io;
    tcp::resolver resolver(io);
    const auto results = resolver.resolve(host_port.host, std::to_string(host_port.port), error);
    if (error || results.empty()) {
        throw std::invalid_argument("invalid HTTP listen address '" + std::string(address) + "': cannot resolve '" +
                                    host_port.host + "'" + (error ? ": " + error.message() : std::string()));
    }
    return results.begin()->endpoint();
}

bool is_http_parse_error(const beast::error_code& error) {
    return error.category() == http::make_error_code(http::error::bad_method).category();
}

void log_failure(const char* what, std::exception_ptr failure) noexcept {
    if (!failure) return;
    try {
        std::rethrow_exception(failure);
    } catch (const std::exception& e) {
        spdlog::error("http server: {} failed: {}", what, e.what());
    } catch (...) {
        spdlog::error("http server: {} failed with an unknown exception", what);
    }
}

}  // namespace

struct detail::HttpServerState {
    using Handler = HttpServer::Handler;

    HttpServerState(asio::any_io_executor executor, std::string_view address_text, HttpServerLimits server_limits)
        : strand(asio::make_strand(std::move(executor))),
          acceptor(strand),
          address(address_text),
          limits(server_limits) {}

    asio::strand<asio::any_io_executor> strand;
    tcp::acceptor acceptor;
    tcp::endpoint endpoint;  // set in the constructor, then read-only
    const std::string address;
    const HttpServerLimits limits;
    std::map<std::string, Handler, std::less<>> routes;  // written before start(), then read-only
    std::atomic<bool> started{false};
    std::atomic<bool> stopped{false};

    // Strand only.
    std::size_t active = 0;                   // accepted and not yet finished
    std::set<beast::tcp_stream*> connections;  // open, for stop()

    Response answer(const http::request<http::empty_body>& request) const;
};

namespace {

asio::awaitable<void> serve(std::shared_ptr<detail::HttpServerState> state, tcp::socket socket);

struct ConnectionGuard {
    detail::HttpServerState& state;
    beast::tcp_stream* stream = nullptr;
    explicit ConnectionGuard(detail::HttpServerState& server) : state(server) {}
    ConnectionGuard(const ConnectionGuard&) = delete;
    ConnectionGuard& operator=(const ConnectionGuard&) = delete;
    ~ConnectionGuard() {
        if (stream != nullptr) state.connections.erase(stream);
        --state.active;
    }
};

asio::awaitable<void> accept_loop(std::shared_ptr<detail::HttpServerState> state) {
    for (;;) {
        auto [error, socket] = co_await state->acceptor.async_accept(kTuple);
        if (state->stopped) co_return;
        if (error) {
            if (error == asio::error::operation_aborted) co_return;
            // Out of file descriptors and the like: wait a little instead of spinning.
            spdlog::debug("http server {}: accept failed: {}", state->address, error.message());
            asio::steady_timer pause(state->strand, 100ms);
            co_await pause.async_wait(kTuple);
            continue;
        }
        if (state->active >= state->limits.max_connections) {
            spdlog::debug("http server {}: {} connections open, closing a new one", state->address, state->active);
            boost::system::error_code ignored;
            socket.close(ignored);
            continue;
        }
        // Small responses, sometimes two back to back (pipelining): do not wait for an ACK.
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        ++state->active;
        asio::co_spawn(state->strand, serve(state, std::move(socket)),
                       [](std::exception_ptr failure) { log_failure("a connection", failure); });
    }
}

/// After an error response: stop sending, then read and drop what the client still sends (a
/// bounded amount, for a bounded time) so closing does not reset the connection before the client
/// has read the response.
asio::awaitable<void> linger(beast::tcp_stream& stream, std::chrono::milliseconds timeout) {
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.expires_after(std::min(timeout, kMaxLinger));
    std::array<char, 4096> scratch;
    std::size_t drained = 0;
    while (drained < kMaxLingerBytes) {
        auto [error, bytes] = co_await stream.async_read_some(asio::buffer(scratch), kTuple);
        if (error) break;
        drained += bytes;
    }
}

http::response<http::string_body> make_response(Response response, unsigned version, bool keep_alive) {
    if (response.status < 100 || response.status > 599) {
        spdlog::warn("http server: a handler answered status {}, sending 500", response.status);
        response = Response{500, "text/plain; charset=utf-8", "internal error: invalid status\n"};
    }
    http::response<http::string_body> message;
    message.version(version);
    message.result(response.status);
    message.set(http::field::content_type, response.content_type);
    if (response.status == 405) message.set(http::field::allow, "GET, HEAD");
    message.body() = std::move(response.body);
    message.keep_alive(keep_alive);
    message.prepare_payload();
    return message;
}

Response error_response(unsigned status, std::string body) {
    return Response{status, "text/plain; charset=utf-8", std::move(body)};
}

asio::awaitable<void> serve(std::shared_ptr<detail::HttpServerState> state, tcp::socket socket) {
    ConnectionGuard guard{*state};
    beast::tcp_stream stream(std::move(socket));
    if (state->stopped) co_return;
    guard.stream = &stream;
    state->connections.insert(&stream);
    boost::system::error_code ignored;
    const auto peer = stream.socket().remote_endpoint(ignored);

    beast::flat_buffer buffer(kReadBufferBytes);
    for (;;) {
        http::request_parser<http::empty_body> parser;
        parser.header_limit(kMaxHeaderBytes);
        parser.body_limit(0);
        stream.expires_after(state->limits.read_timeout);
        auto [read_error, read_bytes] = co_await http::async_read(stream, buffer, parser, kTuple);
        if (state->stopped) co_return;

        Response response;
        bool keep_alive = false;
        bool failed = false;  // an error answer: close carefully afterwards
        unsigned version = 11;
        bool head = false;
        if (read_error == http::error::end_of_stream) {
            stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
            co_return;
        } else if (read_error == http::error::header_limit || read_error == http::error::buffer_overflow) {
            response = error_response(431, "request header too large (limit 8 KiB)\n");
            failed = true;
        } else if (read_error == http::error::body_limit || read_error == http::error::unexpected_body) {
            response = error_response(413, "requests have no body here\n");
            failed = true;
        } else if (read_error && is_http_parse_error(read_error) && read_error != http::error::partial_message) {
            response = error_response(400, "bad request: " + read_error.message() + "\n");
            failed = true;
        } else if (read_error) {
            // Timeout, reset, a client gone mid-request: nobody to answer.
            spdlog::debug("http server {}: connection from {} closed: {}", state->address, to_string(peer),
                          read_error.message());
            co_return;
        } else {
            const auto& request = parser.get();
            version = request.version();
            keep_alive = request.keep_alive();
            head = request.method() == http::verb::head;
            response = state->answer(request);
        }

        auto message = make_response(std::move(response), version, keep_alive);
        stream.expires_after(state->limits.read_timeout);
        beast::error_code write_error;
        if (head) {
            http::response<http::empty_body> header_only(std::move(message.base()));  // keeps Content-Length
            std::tie(write_error, std::ignore) = co_await http::async_write(stream, header_only, kTuple);
        } else {
            std::tie(write_error, std::ignore) = co_await http::async_write(stream, message, kTuple);
        }
        if (state->stopped) co_return;
        if (write_error) {
            spdlog::debug("http server {}: writing to {} failed: {}", state->address, to_string(peer),
                          write_error.message());
            co_return;
        }
        if (failed) {
            spdlog::debug("http server {}: answered {} to {}, closing", state->address, message.result_int(),
                          to_string(peer));
            co_await linger(stream, state->limits.read_timeout);
            co_return;
        }
        if (!keep_alive) {
            stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
            co_return;
        }
    }
}

}  // namespace

Response detail::HttpServerState::answer(const http::request<http::empty_body>& request) const {
    if (request.method() != http::verb::get && request.method() != http::verb::head) {
        return error_response(405, "method not allowed: use GET or HEAD\n");
    }
    std::string_view target(request.target().data(), request.target().size());
    target = target.substr(0, target.find_first_of("?#"));
    const auto route = routes.find(target);
    if (route == routes.end()) return error_response(404, "not found\n");
    try {
        return route->second();
    } catch (const std::exception& e) {
        spdlog::warn("http server {}: the handler of {} threw: {}", address, route->first, e.what());
    } catch (...) {
        spdlog::warn("http server {}: the handler of {} threw", address, route->first);
    }
    return error_response(500, "internal error\n");
}

HttpServer::HttpServer(asio::any_io_executor executor, std::string_view address, HttpServerLimits limits)
    : state_(std::make_shared<detail::HttpServerState>(std::move(executor), address, limits)) {
    if (limits.max_connections == 0) throw std::invalid_argument("HttpServerLimits::max_connections must be > 0");
    const tcp::endpoint endpoint = resolve_listen_address(address);
    const auto fail = [&](const boost::system::error_code& error) {
        throw std::system_error(error, "cannot listen for HTTP on " + std::string(address));
    };
    boost::system::error_code error;
    auto& acceptor = state_->acceptor;
    acceptor.open(endpoint.protocol(), error);
    if (error) fail(error);
    // Rebinding a port whose previous owner's connections are in TIME_WAIT; a listener on it still
    // makes bind fail with "address in use".
    acceptor.set_option(tcp::acceptor::reuse_address(true), error);
    if (error) fail(error);
    acceptor.bind(endpoint, error);
    if (error) fail(error);
    acceptor.listen(asio::socket_base::max_listen_connections, error);
    if (error) fail(error);
    state_->endpoint = acceptor.local_endpoint(error);
    if (error) fail(error);
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::handle(std::string path, Handler handler) {
    if (state_->started) throw std::logic_error("HttpServer::handle(" + path + ") after start()");
    if (!path.starts_with('/')) throw std::invalid_argument("HttpServer::handle: the path must start with '/': " + path);
    if (!handler) throw std::invalid_argument("HttpServer::handle(" + path + "): empty handler");
    state_->routes.insert_or_assign(std::move(path), std::move(handler));
}

void HttpServer::start() {
    if (state_->stopped || state_->started.exchange(true)) return;
    asio::co_spawn(state_->strand, accept_loop(state_),
                   [](std::exception_ptr failure) { log_failure("accepting connections", failure); });
}

void HttpServer::stop() {
    if (state_->stopped.exchange(true)) return;
    asio::post(state_->strand, [state = state_] {
        boost::system::error_code ignored;
        state->acceptor.close(ignored);
        for (beast::tcp_stream* stream : state->connections) stream->close();
    });
}

tcp::endpoint HttpServer::local_endpoint() const noexcept { return state_->endpoint; }

}  // namespace streamstore::observability
