#include "http_client.hpp"

#include <array>
#include <system_error>

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace streamstore::observability::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
constexpr std::chrono::seconds kTimeout{10};

}  // namespace

HttpClient::HttpClient(const asio::ip::tcp::endpoint& server) : stream_(io_) {
    beast::error_code result;
    stream_.expires_after(kTimeout);
    stream_.async_connect(server, [&](beast::error_code error) { result = error; });
    io_.run();
    if (result) throw std::system_error(result, "connecting to the test server");
}

http::response<http::string_body> HttpClient::request(http::verb method, std::string target, const Headers& headers) {
    http::request<http::empty_body> request{method, target, 11};
    request.set(http::field::host, "test");
    for (const auto& [name, value] : headers) request.set(name, value);
    beast::error_code result;
    stream_.expires_after(kTimeout);
    http::async_write(stream_, request, [&](beast::error_code error, std::size_t) { result = error; });
    io_.restart();
    io_.run();
    if (result) throw std::system_error(result, "sending " + target);
    return read_response(method == http::verb::head);
}

void HttpClient::send_raw(std::string_view bytes) {
    beast::error_code result;
    stream_.expires_after(kTimeout);
    asio::async_write(stream_, asio::buffer(bytes.data(), bytes.size()),
                      [&](beast::error_code error, std::size_t) { result = error; });
    io_.restart();
    io_.run();
    if (result) throw std::system_error(result, "sending raw bytes");
}

http::response<http::string_body> HttpClient::read_response(bool head) {
    http::response_parser<http::string_body> parser;
    parser.skip(head);
    parser.body_limit(16 * 1024 * 1024);
    beast::error_code result;
    stream_.expires_after(kTimeout);
    http::async_read(stream_, buffer_, parser, [&](beast::error_code error, std::size_t) { result = error; });
    io_.restart();
    io_.run();
    if (result) throw std::system_error(result, "reading a response");
    return parser.release();
}

beast::error_code HttpClient::read_until_closed() {
    http::response_parser<http::string_body> parser;
    beast::error_code result;
    stream_.expires_after(kTimeout);
    http::async_read(stream_, buffer_, parser, [&](beast::error_code error, std::size_t) { result = error; });
    io_.restart();
    io_.run();
    return result;
}

}  // namespace streamstore::observability::test
