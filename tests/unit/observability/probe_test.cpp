// probe(): what `<service> --probe URL` answers, against a real HttpServer and against servers
// that refuse or never answer.

#include <chrono>
#include <memory>
#include <sstream>
#include <string>
#include <system_error>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "streamstore/observability/probe.hpp"
#include "test_server.hpp"

namespace streamstore::observability {
namespace {

namespace asio = boost::asio;
using test::TestServer;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace std::chrono_literals;

struct Probed {
    int exit_code;
    std::string line;
};

Probed run_probe(const std::string& url, std::chrono::milliseconds timeout = 5s) {
    std::ostringstream out;
    const int code = probe(url, timeout, out);
    return {code, out.str()};
}

TEST(Probe, ZeroOn200WithTheFirstLineOfTheBody) {
    TestServer server;
    server.ready = true;
    server.start();
    const auto url = server.url("/readyz");
    const auto result = run_probe(url);
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_EQ(result.line, url + ": 200 ready: 3 partitions assigned\n");
    EXPECT_EQ(run_probe(server.url("/healthz")).line, server.url("/healthz") + ": 200 ok\n");
}

TEST(Probe, OneOn503) {
    TestServer server;
    server.start();
    const auto url = server.url("/readyz");
    const auto result = run_probe(url);
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_EQ(result.line, url + ": 503 not ready: waiting for partitions\n");
}

TEST(Probe, OneOn404) {
    TestServer server;
    server.start();
    const auto result = run_probe(server.url("/nope"));
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_THAT(result.line, HasSubstr(": 404 not found\n"));
}

TEST(Probe, ReadsALargeBodyAndPrintsOneLine) {
    TestServer server;
    server.start();
    const auto result = run_probe(server.url("/metrics"));
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_THAT(result.line, StartsWith(server.url("/metrics") + ": 200 # HELP "));
    EXPECT_EQ(result.line.find('\n'), result.line.size() - 1);
}

TEST(Probe, ResolvesAHostName) {
    TestServer server;
    server.start();
    const auto url = "http://localhost:" + std::to_string(server.server.local_endpoint().port()) + "/healthz";
    EXPECT_EQ(run_probe(url).exit_code, 0) << run_probe(url).line;
}

TEST(Probe, OneWhenTheConnectionIsRefused) {
    asio::io_context io;
    asio::ip::tcp::acceptor closed(io, {asio::ip::make_address("127.0.0.1"), 0});
    const auto port = closed.local_endpoint().port();
    closed.close();  // nobody listens there now
    const auto url = "http://127.0.0.1:" + std::to_string(port) + "/readyz";
    const auto result = run_probe(url);
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_EQ(result.line, url + ": connection refused\n");
}

TEST(Probe, OneWithinTheTimeoutWhenTheServerNeverAnswers) {
    // Listening, never accepting: the kernel completes the handshake, nobody ever reads.
    asio::io_context io;
    asio::ip::tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), 0});
    const auto url = "http://127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/readyz";
    const auto started = std::chrono::steady_clock::now();
    const auto result = run_probe(url, 300ms);
    const auto elapsed = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_EQ(result.line, url + ": no answer within 300 ms (reading the response)\n");
    EXPECT_GE(elapsed, 300ms);
    EXPECT_LT(elapsed, 2s);
}

TEST(Probe, OneWithAMessageForABadUrl) {
    for (const char* url : {"", "https://127.0.0.1:8082/readyz", "127.0.0.1:8082/readyz", "http://", "http:///readyz",
                            "http://127.0.0.1:port/readyz", "http://127.0.0.1:99999/", "http://user@127.0.0.1:1/"}) {
        const auto result = run_probe(url);
        EXPECT_EQ(result.exit_code, 1) << url;
        EXPECT_EQ(result.line.find(std::string(url) + ": invalid URL: "), 0u) << result.line;
        EXPECT_EQ(result.line.find('\n'), result.line.size() - 1) << result.line;
    }
}

TEST(Probe, DefaultsToPort80AndPathSlash) {
    asio::io_context io;
    std::unique_ptr<HttpServer> server;
    try {
        server = std::make_unique<HttpServer>(io.get_executor(), "127.0.0.1:80");
    } catch (const std::system_error& e) {
        GTEST_SKIP() << "cannot listen on port 80 here: " << e.what();
    }
    server->handle("/", [] { return Response{200, "text/plain", "root\n"}; });
    server->start();
    std::thread runner([&] { io.run(); });
    const auto result = run_probe("http://127.0.0.1");
    server->stop();
    runner.join();
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_EQ(result.line, "http://127.0.0.1: 200 root\n");
}

}  // namespace
}  // namespace streamstore::observability
