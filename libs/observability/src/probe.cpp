#include "streamstore/observability/probe.hpp"

#include <cctype>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "address.hpp"

namespace streamstore::observability {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr std::uint64_t kMaxResponseBodyBytes = 8 * 1024 * 1024;
constexpr std::size_t kMaxSummaryChars = 200;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

struct Target {
    detail::HostPort authority;
    std::string target;  // path and query
};

Target parse_url(std::string_view url) {
    constexpr std::string_view kScheme = "http://";
    if (url.size() < kScheme.size() ||
        !std::equal(kScheme.begin(), kScheme.end(), url.begin(),
                    [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); })) {
        throw std::invalid_argument("only http://host:port/path URLs are supported");
    }
    std::string_view rest = url.substr(kScheme.size());
    rest = rest.substr(0, rest.find('#'));
    const auto slash = rest.find_first_of("/?");
    const std::string_view authority = rest.substr(0, slash);
    std::string target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    if (target.starts_with('?')) target.insert(0, "/");
    if (authority.empty()) throw std::invalid_argument("no host");
    if (authority.find('@') != std::string_view::npos) throw std::invalid_argument("user information is not supported");
    return Target{detail::parse_host_port(authority, 80), std::move(target)};
}

/// The first line of `body`, control characters replaced, cut to a readable length.
std::string summary(std::string_view body) {
    body = body.substr(0, body.find_first_of("\r\n"));
    std::string line;
    for (char c : body.substr(0, kMaxSummaryChars)) {
        line.push_back(std::iscntrl(static_cast<unsigned char>(c)) != 0 ? ' ' : c);
    }
    if (body.size() > kMaxSummaryChars) line += "...";
    return line;
}

struct Outcome {
    bool done = false;
    std::optional<unsigned> status;
    std::string text;  // first body line, or what went wrong
};

std::string describe(const beast::error_code& error, const char* stage, std::chrono::milliseconds timeout) {
    if (error == asio::error::connection_refused) return "connection refused";
    if (error == beast::error::timeout) {
        return "no answer within " + std::to_string(timeout.count()) + " ms (" + stage + ")";
    }
    return std::string(stage) + ": " + error.message();
}

asio::awaitable<void> get(Target target, std::chrono::milliseconds timeout,
                          std::chrono::steady_clock::time_point deadline, Outcome& outcome) {
    auto executor = co_await asio::this_coro::executor;
    std::vector<tcp::endpoint> endpoints;
    boost::system::error_code error;
    const auto address = asio::ip::make_address(target.authority.host, error);
    if (!error) {
        endpoints.emplace_back(address, target.authority.port);
    } else {
        tcp::resolver resolver(executor);
        auto [resolve_error, results] =
            co_await resolver.async_resolve(target.authority.host, std::to_string(target.authority.port), kTuple);
        if (resolve_error) {
            outcome = {true, std::nullopt, "cannot resolve " + target.authority.host + ": " + resolve_error.message()};
            co_return;
        }
        for (const auto& entry : results) endpoints.push_back(entry.endpoint());
    }

    beast::tcp_stream stream(executor);
    stream.expires_at(deadline);
    auto [connect_error, connected] = co_await stream.async_connect(endpoints, kTuple);
    if (connect_error) {
        outcome = {true, std::nullopt, describe(connect_error, "connecting", timeout)};
        co_return;
    }

    http::request<http::empty_body> request{http::verb::get, target.target, 11};
    const bool bracket = target.authority.host.find(':') != std::string::npos;
    request.set(http::field::host, (bracket ? "[" + target.authority.host + "]" : target.authority.host) + ":" +
                                       std::to_string(target.authority.port));
    request.set(http::field::user_agent, "streamstore-probe");
    request.keep_alive(false);
    stream.expires_at(deadline);
    auto [write_error, written] = co_await http::async_write(stream, request, kTuple);
    if (write_error) {
        outcome = {true, std::nullopt, describe(write_error, "sending the request", timeout)};
        co_return;
    }

    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxResponseBodyBytes);
    stream.expires_at(deadline);
    auto [read_error, read] = co_await http::async_read(stream, buffer, parser, kTuple);
    if (read_error) {
        outcome = {true, std::nullopt, describe(read_error, "reading the response", timeout)};
        co_return;
    }
    const auto& response = parser.get();
    std::string text = summary(response.body());
    if (text.empty()) text = std::string(response.reason());
    outcome = {true, response.result_int(), std::move(text)};
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

}  // namespace

int probe(std::string_view url, std::chrono::milliseconds timeout, std::ostream& out) {
    try {
        Target target;
        try {
            target = parse_url(url);
        } catch (const std::invalid_argument& e) {
            out << url << ": invalid URL: " << e.what() << '\n';
            return 1;
        }
        if (timeout <= std::chrono::milliseconds::zero()) timeout = std::chrono::milliseconds(1);
        Outcome outcome;
        std::exception_ptr failure;
        asio::io_context io;  // after what the coroutine refers to: destroys its frame first
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        asio::co_spawn(io, get(std::move(target), timeout, deadline, outcome),
                       [&failure](std::exception_ptr e) { failure = e; });
        // The stream's own deadline ends connect, write and read; this one ends a slow resolve.
        io.run_until(deadline + std::chrono::milliseconds(100));
        if (failure) std::rethrow_exception(failure);
        if (!outcome.done) {
            out << url << ": no answer within " << timeout.count() << " ms\n";
            return 1;
        }
        out << url << ": ";
        if (outcome.status) out << *outcome.status << (outcome.text.empty() ? "" : " ");
        out << outcome.text << '\n';
        return outcome.status && *outcome.status >= 200 && *outcome.status < 300 ? 0 : 1;
    } catch (const std::exception& e) {
        out << url << ": probe failed: " << e.what() << '\n';
        return 1;
    }
}

}  // namespace streamstore::observability
