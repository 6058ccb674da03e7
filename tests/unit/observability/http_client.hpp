#pragma once
// A blocking HTTP/1.1 client for the tests, on an io_context of its own: every operation is
// bounded (10 s), so a server that misbehaves fails the test instead of hanging it.

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

namespace streamstore::observability::test {

using Headers = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
public:
    /// Connects; throws std::system_error when it cannot.
    explicit HttpClient(const boost::asio::ip::tcp::endpoint& server);

    /// Sends a request (keep-alive unless a Connection header says otherwise) and reads the
    /// response; throws std::system_error when either fails.
    boost::beast::http::response<boost::beast::http::string_body> request(
        boost::beast::http::verb method, std::string target, const Headers& headers = {});

    /// Writes `bytes` as they are.
    void send_raw(std::string_view bytes);
    /// Reads one response; for a HEAD request's, `head` (no body follows the header).
    boost::beast::http::response<boost::beast::http::string_body> read_response(bool head = false);
    /// Reads until the server closes: the error that ended the read (eof, connection reset), or
    /// success when a response arrived instead.
    boost::beast::error_code read_until_closed();

private:
    boost::asio::io_context io_;
    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
};

}  // namespace streamstore::observability::test
