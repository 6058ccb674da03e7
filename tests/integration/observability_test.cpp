// What operators see of a running pipeline, against the real broker: the HTTP endpoints, the
// metrics they serve, the trace context carried from an order to its payment and notifications,
// and JSON log lines.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>

#include "kafka_env.hpp"
#include "process.hpp"
#include "streamstore/events/codec.hpp"
#include "streamstore/events/trace.hpp"

using namespace std::chrono_literals;
using streamstore::testing::ChildProcess;
namespace testing_env = streamstore::testing;
namespace events = streamstore::events;
namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

// A port nobody listens on right now, for a service to bind (the window until it does is short,
// and only this machine's tests pick ports this way).
unsigned short free_port() {
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    return acceptor.local_endpoint().port();
}

struct HttpAnswer {
    unsigned status = 0;
    std::string body;
};

// GET http://127.0.0.1:<port><path>, bounded by 5 s; nullopt when nothing answers.
std::optional<HttpAnswer> http_get(unsigned short port, const std::string& path) {
    try {
        asio::io_context io;
        boost::beast::tcp_stream stream(io);
        stream.expires_after(5s);
        stream.connect({asio::ip::make_address("127.0.0.1"), port});
        http::request<http::empty_body> request(http::verb::get, path, 11);
        request.set(http::field::host, "127.0.0.1");
        http::write(stream, request);
        boost::beast::flat_buffer buffer;
        http::response<http::string_body> response;
        http::read(stream, buffer, response);
        return HttpAnswer{response.result_int(), response.body()};
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

// Asks until `path` answers 200 or `timeout` passes (a service becomes ready once the group has
// assigned it partitions, which takes a rebalance). Returns the last answer.
std::optional<HttpAnswer> wait_for_ok(unsigned short port, const std::string& path, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::optional<HttpAnswer> answer;
    while (std::chrono::steady_clock::now() < deadline) {
        answer = http_get(port, path);
        if (answer && answer->status == 200) return answer;
        std::this_thread::sleep_for(100ms);  // polling a condition with a deadline, not a guess
    }
    return answer;
}

// The value of the sample `series` (name and labels exactly as exposed) in a /metrics body.
std::optional<double> sample(const std::string& metrics, const std::string& series) {
    std::istringstream lines(metrics);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
    }
    return std::nullopt;
}

std::string trace_id_of(const testing_env::ReadRecord& record) {
    const auto it = record.headers.find(std::string(events::kTraceparentHeader));
    if (it == record.headers.end()) return {};
    const auto context = events::parse_traceparent(it->second);
    return context ? context->trace_id_hex() : std::string();
}

std::vector<std::string> common_flags(unsigned short port) {
    return {"--bootstrap-server", testing_env::bootstrap_servers(), "--startup-timeout", "30s",
            "--shutdown-timeout", "10s", "--http-address", "127.0.0.1:" + std::to_string(port)};
}

std::vector<std::string> with(std::vector<std::string> argv, const std::vector<std::string>& more) {
    argv.insert(argv.end(), more.begin(), more.end());
    return argv;
}

}  // namespace

TEST(Observability, EndpointsMetricsTracesAndJsonLogsOfARunningPipeline) {
    STREAMSTORE_REQUIRE_BROKER();
    const std::string orders = testing_env::unique_name("orders");
    const std::string payments = testing_env::unique_name("payments");
    const std::string notifications = testing_env::unique_name("notifications");
    const auto topics = std::vector<std::string>{"--orders-topic", orders, "--payments-topic", payments};
    const unsigned short payment_port = free_port();
    ChildProcess payment(with(with({PAYMENT_SERVICE_BIN}, common_flags(payment_port)),
                              with(topics, {"--group-id", testing_env::unique_name("pay"), "--log-format", "json",
                                            "--log-level", "debug", "--statistics-interval", "500ms"})));
    const unsigned short notification_port = free_port();
    ChildProcess notification(with(with({NOTIFICATION_SERVICE_BIN}, common_flags(notification_port)),
                                   with(topics, {"--group-id", testing_env::unique_name("notify"),
                                                 "--notifications-topic", notifications})));

    // /healthz answers as soon as the event loop runs; /readyz once partitions are assigned.
    const auto health = wait_for_ok(payment_port, "/healthz", 30s);
    ASSERT_TRUE(health) << payment.stderr_text();
    EXPECT_EQ(health->status, 200u);
    const auto ready = wait_for_ok(payment_port, "/readyz", 60s);
    ASSERT_TRUE(ready && ready->status == 200) << (ready ? ready->body : "no answer") << payment.stderr_text();
    EXPECT_THAT(ready->body, ::testing::HasSubstr("3 partition(s) assigned"));
    ASSERT_EQ(wait_for_ok(notification_port, "/readyz", 60s)->status, 200u) << notification.stderr_text();
    EXPECT_EQ(http_get(payment_port, "/nothing-here")->status, 404u);

    // --probe: what a container HEALTHCHECK runs.
    ChildProcess probe({PAYMENT_SERVICE_BIN, "--probe", "http://127.0.0.1:" + std::to_string(payment_port) + "/readyz"});
    EXPECT_EQ(probe.wait(10s), 0) << probe.stderr_text();
    ChildProcess refused({PAYMENT_SERVICE_BIN, "--probe", "http://127.0.0.1:" + std::to_string(free_port()) + "/readyz"});
    EXPECT_EQ(refused.wait(10s), 1);
    EXPECT_THAT(refused.stderr_text(), ::testing::HasSubstr("refused"));

    constexpr int kOrders = 50;
    ChildProcess generator({ORDER_GENERATOR_BIN, "--count", std::to_string(kOrders), "--interval", "0", "--seed", "7",
                            "--topic", orders, "--bootstrap-server", testing_env::bootstrap_servers(),
                            "--http-address", "127.0.0.1:0"});
    ASSERT_EQ(generator.wait(60s), 0) << generator.stderr_text();
    for (int i = 0; i < 2 * kOrders; ++i) {
        ASSERT_TRUE(notification.read_line(60s)) << "only " << i << " notifications\n" << notification.stderr_text();
    }

    // Metrics: every order consumed and paid, in committed transactions, each commit timed; the
    // latency histogram counts both notifications of every order (committed before printed).
    const auto pay_metrics = http_get(payment_port, "/metrics");
    ASSERT_TRUE(pay_metrics);
    const std::string& m = pay_metrics->body;
    EXPECT_EQ(sample(m, "streamstore_records_consumed_total{topic=\"" + orders + "\"}"), kOrders) << m;
    EXPECT_EQ(sample(m, "streamstore_records_produced_total{topic=\"" + payments + "\"}"), kOrders) << m;
    EXPECT_EQ(sample(m, "streamstore_payments_total{status=\"approved\"}").value_or(0) +
                  sample(m, "streamstore_payments_total{status=\"declined\"}").value_or(0),
              kOrders);
    EXPECT_GE(sample(m, "streamstore_transactions_committed_total").value_or(0), 1);
    EXPECT_EQ(sample(m, "streamstore_transactions_aborted_total"), 0);
    EXPECT_EQ(sample(m, "streamstore_processing_seconds_count"), kOrders);
    EXPECT_EQ(sample(m, "streamstore_commit_seconds_count"), sample(m, "streamstore_transactions_committed_total"));
    const auto notify_metrics = http_get(notification_port, "/metrics");
    ASSERT_TRUE(notify_metrics);
    for (const char* kind : {"order_received", "payment"}) {
        EXPECT_EQ(sample(notify_metrics->body,
                         std::string("streamstore_order_to_notification_seconds_count{kind=\"") + kind + "\"}"),
                  kOrders)
            << kind << "\n"
            << notify_metrics->body;
    }
    // Consumer lag comes from librdkafka's statistics (every 500 ms here): 0 once all is consumed.
    const std::string lag_series = "streamstore_consumer_lag{partition=\"0\",topic=\"" + orders + "\"}";
    std::optional<double> lag;
    for (const auto deadline = std::chrono::steady_clock::now() + 10s;
         std::chrono::steady_clock::now() < deadline && lag != 0.0; std::this_thread::sleep_for(100ms)) {
        if (const auto answer = http_get(payment_port, "/metrics")) lag = sample(answer->body, lag_series);
    }
    EXPECT_EQ(lag, 0.0) << lag_series;

    // Trace context: each order's trace id is on its payment and on both its notifications.
    std::map<std::string, std::string> order_trace_by_id;
    for (const auto& record : testing_env::read_topic(orders, kOrders, 30s)) {
        const auto order = events::decode_order_event(record.value);
        ASSERT_TRUE(order);
        const std::string trace = order_trace_by_id[order.value().data.order_id] = trace_id_of(record);
        EXPECT_EQ(trace.size(), 32u) << "order without a valid traceparent: " << record.value;
    }
    ASSERT_EQ(order_trace_by_id.size(), static_cast<std::size_t>(kOrders));
    for (const auto& record : testing_env::read_topic(payments, kOrders, 30s)) {
        EXPECT_EQ(trace_id_of(record), order_trace_by_id.at(record.key)) << "payment of order " << record.key;
    }
    const auto notified = testing_env::read_topic(notifications, 2 * kOrders, 30s);
    ASSERT_EQ(notified.size(), static_cast<std::size_t>(2 * kOrders));
    for (const auto& record : notified) {
        EXPECT_EQ(trace_id_of(record), order_trace_by_id.at(record.key)) << "notification of order " << record.key;
    }

    payment.signal(SIGTERM);
    notification.signal(SIGTERM);
    EXPECT_EQ(payment.wait(15s), 0) << payment.stderr_text();
    EXPECT_EQ(notification.wait(15s), 0) << notification.stderr_text();

    // JSON logs: every line of payment-service is one object with the documented fields, and the
    // line about each order's payment carries that order's trace id.
    std::istringstream log(payment.stderr_text());
    int lines = 0, traced = 0;
    for (std::string line; std::getline(log, line); ++lines) {
        boost::system::error_code ec;
        const auto value = boost::json::parse(line, ec);
        ASSERT_FALSE(ec) << "not JSON: " << line;
        const auto& object = value.as_object();
        for (const char* field : {"ts", "level", "service", "msg"}) {
            EXPECT_TRUE(object.contains(field)) << field << " missing: " << line;
        }
        EXPECT_EQ(object.at("service").as_string(), "payment-service");
        const std::string msg(object.at("msg").as_string());
        static const std::regex about_order("^order ([0-9a-f-]{36}): payment");
        std::smatch match;
        if (!std::regex_search(msg, match, about_order)) continue;
        ASSERT_TRUE(object.contains("trace_id")) << line;
        EXPECT_EQ(object.at("trace_id").as_string(), order_trace_by_id.at(match[1].str())) << line;
        ++traced;
    }
    EXPECT_GT(lines, 0);
    EXPECT_EQ(traced, kOrders) << "one debug line per payment, each with its order's trace id";
}
