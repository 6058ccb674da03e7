// HttpServer and the standard routes over real loopback TCP.

#include <atomic>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/error.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "http_client.hpp"
#include "test_server.hpp"

namespace streamstore::observability {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using test::HttpClient;
using test::TestServer;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

/// The server closed the connection (cleanly or with a reset), without answering.
void expect_closed(HttpClient& client) {
    const auto error = client.read_until_closed();
    EXPECT_TRUE(error == http::error::end_of_stream || error == asio::error::connection_reset ||
                error == asio::error::eof)
        << error.message();
}

TEST(HttpServer, ServesMetricsInThePrometheusTextFormat) {
    TestServer server;
    server.metrics->on_consumed("orders", 3, 300);
    server.start();
    HttpClient client(server.server.local_endpoint());
    const auto response = client.request(http::verb::get, "/metrics");
    EXPECT_EQ(response.result_int(), 200);
    EXPECT_EQ(response[http::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_THAT(response.body(), HasSubstr("streamstore_build_info{service=\"test-service\",version=\"1.2.3\"} 1"));
    EXPECT_THAT(response.body(), HasSubstr("streamstore_records_consumed_total{topic=\"orders\"} 3"));
}

TEST(HttpServer, HeadAnswersTheHeaderOfGetWithoutTheBody) {
    TestServer server;
    server.start();
    HttpClient client(server.server.local_endpoint());
    const auto get = client.request(http::verb::get, "/healthz");
    const auto head = client.request(http::verb::head, "/healthz");
    EXPECT_EQ(head.result_int(), 200);
    EXPECT_EQ(head[http::field::content_length], std::to_string(get.body().size()));
    EXPECT_EQ(head.body(), "");
    // The connection is still in step: the next response is the next request's.
    EXPECT_EQ(client.request(http::verb::get, "/readyz").result_int(), 503);
}

TEST(HttpServer, HealthzSaysOk) {
    TestServer server;
    server.start();
    HttpClient client(server.server.local_endpoint());
    const auto response = client.request(http::verb::get, "/healthz");
    EXPECT_EQ(response.result_int(), 200);
    EXPECT_EQ(response.body(), "ok\n");
}

TEST(HttpServer, ReadyzFollowsTheServicesReadiness) {
    TestServer server;
    server.start();
    HttpClient client(server.server.local_endpoint());
    auto response = client.request(http::verb::get, "/readyz");
    EXPECT_EQ(response.result_int(), 503);
    EXPECT_EQ(response.body(), "not ready: waiting for partitions\n");
    server.ready = true;
    response = client.request(http::verb::get, "/readyz");
    EXPECT_EQ(response.result_int(), 200);
    EXPECT_EQ(response.body(), "ready: 3 partitions assigned\n");
}

TEST(HttpServer, UnknownPathIs404AndTheQueryIsIgnored) {
    TestServer server;
    server.start();
    HttpClient client(server.server.local_endpoint());
    EXPECT_EQ(client.request(http::verb::get, "/nope").result_int(), 404);
    EXPECT_EQ(client.request(http::verb::get, "/healthz/").result_int(), 404);
    EXPECT_EQ(client.request(http::verb::get, "/healthz?verbose=1").result_int(), 200);
}

TEST(HttpServer, OnlyGetAndHeadAreAllowed) {
    TestServer server;
    server.start();
    HttpClient client(server.server.local_endpoint());
    for (auto method : {http::verb::post, http::verb::put, http::verb::delete_, http::verb::options}) {
        const auto response = client.request(method, "/metrics");
        EXPECT_EQ(response.result_int(), 405) << http::to_string(method);
        EXPECT_EQ(response[http::field::allow], "GET, HEAD");
    }
}

TEST(HttpServer, KeepAliveServesSeveralRequestsOnOneConnection) {
    TestServer server;
    server.start();
    HttpClient client(server.server.local_endpoint());
    const auto first = client.request(http::verb::get, "/healthz");
    EXPECT_TRUE(first.keep_alive());
    const auto second = client.request(http::verb::get, "/metrics");
    EXPECT_EQ(second.result_int(), 200);
    EXPECT_TRUE(second.keep_alive());
    // Pipelined: two requests written at once, answered in order.
    client.send_raw("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\nGET /readyz HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(client.read_response().result_int(), 200);
    EXPECT_EQ(client.read_response().result_int(), 503);
}

TEST(HttpServer, ConnectionCloseIsHonoured) {
    TestServer server;
    server.start();
    HttpClient client(server.server.local_endpoint());
    const auto response = client.request(http::verb::get, "/healthz", {{"Connection", "close"}});
    EXPECT_EQ(response.result_int(), 200);
    EXPECT_FALSE(response.keep_alive());
    expect_closed(client);
}

TEST(HttpServer, OversizedHeaderIsRejectedWith431) {
    TestServer server;
    server.start();
    HttpClient client(server.server.local_endpoint());
    client.send_raw("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Padding: " + std::string(10'000, 'a') + "\r\n\r\n");
    const auto response = client.read_response();
    EXPECT_EQ(response.result_int(), 431);
    EXPECT_FALSE(response.keep_alive());
    expect_closed(client);
    // A header just under the limit is fine.
    HttpClient other(server.server.local_endpoint());
    EXPECT_EQ(other.request(http::verb::get, "/healthz", {{"X-Padding", std::string(7'000, 'a')}}).result_int(), 200);
}

TEST(HttpServer, ARequestBodyIsRejectedWith413) {
    TestServer server;
    server.start();
    HttpClient client(server.server.local_endpoint());
    client.send_raw("GET /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello");
    EXPECT_EQ(client.read_response().result_int(), 413);
    expect_closed(client);
}

TEST(HttpServer, MalformedRequestIsRejectedWith400) {
    TestServer server;
    server.start();
    HttpClient client(server.server.local_endpoint());
    client.send_raw("HELLO THERE\r\n\r\n");
    EXPECT_EQ(client.read_response().result_int(), 400);
    expect_closed(client);
}

TEST(HttpServer, AHandlerThatThrowsAnswers500AndTheServerGoesOn) {
    TestServer server({}, false);
    server.server.handle("/boom", []() -> Response { throw std::runtime_error("boom"); });
    server.server.handle("/fine", [] { return Response{200, "text/plain", "fine"}; });
    server.server.handle("/odd", [] { return Response{42, "text/plain", "?"}; });
    server.start();
    HttpClient client(server.server.local_endpoint());
    EXPECT_EQ(client.request(http::verb::get, "/boom").result_int(), 500);
    EXPECT_EQ(client.request(http::verb::get, "/odd").result_int(), 500);
    const auto fine = client.request(http::verb::get, "/fine");
    EXPECT_EQ(fine.result_int(), 200);
    EXPECT_EQ(fine.body(), "fine");
    EXPECT_EQ(fine[http::field::content_type], "text/plain");
}

TEST(HttpServer, ServesConcurrentClients) {
    TestServer server;
    server.ready = true;
    server.start();
    constexpr int kClients = 16;
    constexpr int kRequests = 20;
    std::atomic<int> ok{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
        clients.emplace_back([&] {
            HttpClient client(server.server.local_endpoint());
            for (int i = 0; i < kRequests; ++i) {
                const char* path = i % 3 == 0 ? "/metrics" : i % 3 == 1 ? "/healthz" : "/readyz";
                if (client.request(http::verb::get, path).result_int() == 200) ++ok;
            }
        });
    }
    for (auto& client : clients) client.join();
    EXPECT_EQ(ok, kClients * kRequests);
}

TEST(HttpServer, ConnectionsOverTheCapAreClosed) {
    TestServer server({.max_connections = 2});
    server.start();
    HttpClient first(server.server.local_endpoint());
    HttpClient second(server.server.local_endpoint());
    // An answer on each proves both were accepted and counted.
    EXPECT_EQ(first.request(http::verb::get, "/healthz").result_int(), 200);
    EXPECT_EQ(second.request(http::verb::get, "/healthz").result_int(), 200);
    HttpClient third(server.server.local_endpoint());  // the kernel accepts; the server closes it
    expect_closed(third);
    // Once one of the two has finished, a new connection is served again.
    EXPECT_EQ(first.request(http::verb::get, "/healthz", {{"Connection", "close"}}).result_int(), 200);
    expect_closed(first);
    HttpClient fourth(server.server.local_endpoint());
    EXPECT_EQ(fourth.request(http::verb::get, "/healthz").result_int(), 200);
}

TEST(HttpServer, AClientThatSendsNothingIsClosedAfterTheReadTimeout) {
    TestServer server({.read_timeout = 200ms, .max_connections = 1});
    server.start();
    const auto started = std::chrono::steady_clock::now();
    HttpClient stuck(server.server.local_endpoint());
    stuck.send_raw("GET /healthz HTTP/1.1\r\n");  // and never the rest
    expect_closed(stuck);
    EXPECT_GE(std::chrono::steady_clock::now() - started, 200ms);
    // Its place is free again.
    HttpClient next(server.server.local_endpoint());
    EXPECT_EQ(next.request(http::verb::get, "/healthz").result_int(), 200);
}

TEST(HttpServer, StopClosesOpenConnectionsSoTheIoContextFinishes) {
    asio::io_context io;
    HttpServer server(io.get_executor(), "127.0.0.1:0");
    server.handle("/healthz", [] { return health_response(); });
    server.start();
    std::thread runner([&] { io.run(); });
    HttpClient idle(server.local_endpoint());
    EXPECT_EQ(idle.request(http::verb::get, "/healthz").result_int(), 200);  // kept alive, idle now
    std::thread other([&] { server.stop(); });
    server.stop();  // concurrently, twice: idempotent
    other.join();
    runner.join();  // returns: no work of the server is left
    expect_closed(idle);
    EXPECT_THROW(HttpClient{server.local_endpoint()}, std::system_error);  // nobody listens
}

TEST(HttpServer, BindsAnIPv6Address) {
    asio::io_context io;
    try {
        HttpServer server(io.get_executor(), "[::1]:0");
        EXPECT_TRUE(server.local_endpoint().address().is_v6());
        EXPECT_NE(server.local_endpoint().port(), 0);
    } catch (const std::system_error& e) {
        GTEST_SKIP() << "no IPv6 loopback here: " << e.what();
    }
}

TEST(HttpServer, RefusesAnAddressInUseNamingIt) {
    asio::io_context io;
    HttpServer first(io.get_executor(), "127.0.0.1:0");
    const std::string address = "127.0.0.1:" + std::to_string(first.local_endpoint().port());
    try {
        HttpServer second(io.get_executor(), address);
        FAIL() << "bound twice to " << address;
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code(), std::error_code(EADDRINUSE, std::system_category()));
        EXPECT_THAT(e.what(), HasSubstr(address));
    }
}

TEST(HttpServer, RefusesMalformedAddressesNamingThem) {
    asio::io_context io;
    for (const char* address : {"8082", "127.0.0.1", "127.0.0.1:http", "127.0.0.1:70000", "127.0.0.1:", "::1:80",
                                "[::1:80", "[]:80", "[::1]x80", "no-such-host.invalid:80"}) {
        try {
            HttpServer server(io.get_executor(), address);
            ADD_FAILURE() << "accepted " << address;
        } catch (const std::invalid_argument& e) {
            EXPECT_THAT(e.what(), HasSubstr(std::string("'") + address + "'"));
        }
    }
}

TEST(HttpServer, RoutesAreRegisteredBeforeStart) {
    TestServer server;
    server.start();
    EXPECT_THROW(server.server.handle("/late", [] { return Response{}; }), std::logic_error);
    EXPECT_THROW(TestServer().server.handle("relative", [] { return Response{}; }), std::invalid_argument);
}

}  // namespace
}  // namespace streamstore::observability
