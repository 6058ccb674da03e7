// The three binaries as real processes against a real broker.
#include <gtest/gtest.h>

#include <csignal>
#include <map>
#include <set>

#include "kafka_env.hpp"
#include "process.hpp"
#include "streamstore/events/codec.hpp"
#include "streamstore/events/ids.hpp"
#include "streamstore/messaging/producer.hpp"

using namespace std::chrono_literals;
using streamstore::testing::ChildProcess;
namespace testing_env = streamstore::testing;
namespace events = streamstore::events;

namespace {

struct Topics {
    std::string orders = testing_env::unique_name("orders");
    std::string payments = testing_env::unique_name("payments");
    std::string notifications = testing_env::unique_name("notifications");
};

std::vector<std::string> common_flags() {
    return {"--bootstrap-server", testing_env::bootstrap_servers(), "--startup-timeout", "30s", "--shutdown-timeout", "10s",
            "--http-address", "127.0.0.1:0"};
}

std::vector<std::string> with(std::vector<std::string> argv, const std::vector<std::string>& more) {
    argv.insert(argv.end(), more.begin(), more.end());
    return argv;
}

// The order id a notification line is about: "... (order <id>)" or "... order <id> (...)" / "<id>: ...".
std::string order_id_of(const std::string& line) {
    const auto at = line.find("order ");
    if (at == std::string::npos) return {};
    auto id = line.substr(at + 6, 36);
    return id;
}

}  // namespace

TEST(Pipeline, ThousandOrdersGiveThousandPaymentsAndTwoThousandNotifications) {
    STREAMSTORE_REQUIRE_BROKER();
    const Topics t;
    const auto topics = std::vector<std::string>{"--orders-topic", t.orders, "--payments-topic", t.payments};
    ChildProcess payment(with(with({PAYMENT_SERVICE_BIN}, common_flags()),
                              with(topics, {"--group-id", testing_env::unique_name("pay")})));
    ChildProcess notification(with(with({NOTIFICATION_SERVICE_BIN}, common_flags()),
                                   with(topics, {"--group-id", testing_env::unique_name("notify"),
                                                 "--notifications-topic", t.notifications})));
    ChildProcess generator(with({ORDER_GENERATOR_BIN, "--count", "1000", "--interval", "0", "--seed", "42",
                                 "--topic", t.orders},
                                common_flags()));

    const auto summary = generator.read_line(60s);
    ASSERT_TRUE(summary) << generator.stderr_text();
    EXPECT_NE(summary->find("sent 1000, delivered 1000, failed 0"), std::string::npos) << *summary;
    ASSERT_EQ(generator.wait(30s), 0) << generator.stderr_text();

    // Every order is announced once and paid once: 2,000 lines, each order id exactly twice.
    std::map<std::string, int> lines_per_order;
    int received = 0, approved = 0, declined = 0;
    for (int i = 0; i < 2000; ++i) {
        const auto line = notification.read_line(60s);
        ASSERT_TRUE(line) << "only " << i << " notifications\n--- notification-service:\n"
                          << notification.stderr_text() << "--- payment-service:\n" << payment.stderr_text();
        ++lines_per_order[order_id_of(*line)];
        if (line->rfind("Order received: ", 0) == 0) ++received;
        else if (line->rfind("Payment approved for order ", 0) == 0) ++approved;
        else if (line->rfind("Payment declined for order ", 0) == 0) ++declined;
        else ADD_FAILURE() << "unexpected line: " << *line;
    }
    EXPECT_EQ(received, 1000);
    EXPECT_EQ(approved + declined, 1000);
    EXPECT_GT(declined, 0) << "seed 42 yields bulk orders over the quantity limit";
    EXPECT_EQ(lines_per_order.size(), 1000u);
    for (const auto& [id, n] : lines_per_order) EXPECT_EQ(n, 2) << "order " << id;

    // SIGTERM: both consumers finish, commit, leave their groups and exit 0 within the deadline.
    const auto stop_started = std::chrono::steady_clock::now();
    payment.signal(SIGTERM);
    notification.signal(SIGTERM);
    EXPECT_EQ(payment.wait(12s), 0) << payment.stderr_text();
    EXPECT_EQ(notification.wait(12s), 0) << notification.stderr_text();
    EXPECT_LT(std::chrono::steady_clock::now() - stop_started, 10s);
    EXPECT_FALSE(notification.read_line(1s)) << "a notification after the last event";

    // The topics hold exactly 1,000 orders and 1,000 committed payments, one payment per order
    // (the payments topic also holds transaction markers, so it is read, not counted).
    EXPECT_EQ(testing_env::record_count(t.orders), 1000);
    const auto payments = testing_env::read_topic(t.payments, 1000, 60s);
    ASSERT_EQ(payments.size(), 1000u);
    std::set<std::string> paid;
    for (const auto& record : payments) {
        const auto event = events::decode_payment_event(record.value);
        ASSERT_TRUE(event) << event.error().message;
        EXPECT_EQ(record.key, event.value().data.order_id);
        paid.insert(event.value().data.order_id);
    }
    EXPECT_EQ(paid.size(), 1000u);
    for (const auto& id : paid) EXPECT_EQ(lines_per_order.count(id), 1u) << id;
}

TEST(Pipeline, MalformedOrderIsDeadLetteredAndTheRestFlows) {
    STREAMSTORE_REQUIRE_BROKER();
    const Topics t;
    testing_env::create_topics({t.orders}, 1);
    {
        // A bad record first, then a good one on the same partition: the good one must still pass.
        boost::asio::io_context io;
        streamstore::messaging::ProducerConfig config;
        config.client = testing_env::client_config();
        streamstore::messaging::Producer producer(io.get_executor(), config);
        const std::string good =
            R"({"order_id":"6c1f0e9a-1b8e-4b8e-9a51-2f4f0c1a7d10","user":"John Doe","item":"pizza","quantity":10})";
        auto send = [&]() -> boost::asio::awaitable<std::error_code> {
            const streamstore::messaging::ProducerRecord bad{.topic = t.orders, .key = "k", .value = "{not json"};
            const streamstore::messaging::ProducerRecord ok{.topic = t.orders, .key = "k", .value = good};
            const auto first = co_await producer.async_send(bad);
            const auto second = co_await producer.async_send(ok);
            co_return first.error ? first.error : second.error;
        };
        EXPECT_FALSE(testing_env::run_for(io, send(), 30s));
        producer.close();
    }
    ChildProcess payment(with(with({PAYMENT_SERVICE_BIN}, common_flags()),
                              {"--orders-topic", t.orders, "--payments-topic", t.payments, "--group-id",
                               testing_env::unique_name("pay")}));
    const auto payments = testing_env::read_topic(t.payments, 1, 60s);
    ASSERT_EQ(payments.size(), 1u) << payment.stderr_text();
    const auto dead = testing_env::read_topic(t.orders + ".dlq", 1, 30s);
    ASSERT_EQ(dead.size(), 1u);
    EXPECT_EQ(dead[0].value, "{not json");
    EXPECT_EQ(dead[0].headers.at("dlq.original.topic"), t.orders);
    EXPECT_EQ(dead[0].headers.at("dlq.original.partition"), "0");
    EXPECT_EQ(dead[0].headers.at("dlq.original.offset"), "0");
    EXPECT_EQ(dead[0].headers.at("dlq.error.class"), "malformed_json");
    EXPECT_FALSE(dead[0].headers.at("dlq.error.message").empty());
    payment.signal(SIGTERM);
    EXPECT_EQ(payment.wait(12s), 0) << payment.stderr_text();
}

TEST(Services, OrderGeneratorStopsOnSigtermAndReportsWhatItDelivered) {
    STREAMSTORE_REQUIRE_BROKER();
    const Topics t;
    ChildProcess generator(with({ORDER_GENERATOR_BIN, "--count", "0", "--interval", "5ms", "--topic", t.orders},
                                common_flags()));
    // Wait until it is producing: its log says so on stderr; read the topic instead of guessing.
    ASSERT_EQ(testing_env::read_topic(t.orders, 5, 60s).size(), 5u) << generator.stderr_text();
    generator.signal(SIGTERM);
    EXPECT_EQ(generator.wait(12s), 0) << generator.stderr_text();
    const auto summary = generator.read_line(5s);
    ASSERT_TRUE(summary);
    EXPECT_NE(summary->find("failed 0"), std::string::npos) << *summary;
}

TEST(Services, ExitNonZeroWithOneLineWhenTheBrokerIsUnreachable) {
    ChildProcess payment({PAYMENT_SERVICE_BIN, "--bootstrap-server", "127.0.0.1:1", "--startup-timeout", "2s",
                          "--http-address", "127.0.0.1:0"});
    const auto code = payment.wait(20s);
    ASSERT_TRUE(code) << "still running 20 s after a 2 s startup timeout";
    EXPECT_EQ(*code, 1);
    EXPECT_NE(payment.stderr_text().find("no Kafka broker answered at 127.0.0.1:1"), std::string::npos)
        << payment.stderr_text();
}

TEST(Services, BadFlagsGiveOneLineNamingTheFlagAndExitTwo) {
    const std::vector<std::vector<std::string>> cases = {
        {ORDER_GENERATOR_BIN, "--interval", "soon"},
        {ORDER_GENERATOR_BIN, "--count", "-5"},
        {PAYMENT_SERVICE_BIN, "--decline-rate", "2"},
        {NOTIFICATION_SERVICE_BIN, "--output", "xml"},
        {PAYMENT_SERVICE_BIN, "-X", "linger.ms"},
    };
    for (const auto& argv : cases) {
        ChildProcess process(argv);
        EXPECT_EQ(process.wait(10s), 2) << argv[1];
        const std::string err = process.stderr_text();
        EXPECT_NE(err.find(argv[1]), std::string::npos) << err;
        EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
    }
}

// A payment published twice (at-least-once upstream, a replay) is notified once, also when the
// second copy arrives after notification-service restarted: its de-duplication state is read
// back from the notifications topic.
TEST(Pipeline, DuplicatePaymentAfterARestartIsNotNotifiedAgain) {
    STREAMSTORE_REQUIRE_BROKER();
    const Topics t;
    testing_env::create_topics({t.orders, t.payments, t.notifications}, 1);
    auto payment_event = [](const std::string& order_id) {
        events::Event<events::Payment> p;
        p.meta.event_id = events::derived_id("payment", order_id);
        p.meta.type = events::EventType::payment_processed;
        p.meta.occurred_at_ms = events::now_ms();
        p.data.order_id = order_id;
        p.data.customer_id = "c-1";
        p.data.user = "Ann";
        p.data.item = "tea";
        p.data.quantity = 1;
        p.data.amount_cents = 250;
        return events::encode(p);
    };
    auto publish = [&](const std::string& order_id) {
        boost::asio::io_context io;
        streamstore::messaging::ProducerConfig config;
        config.client = testing_env::client_config();
        streamstore::messaging::Producer producer(io.get_executor(), config);
        const std::string value = payment_event(order_id);
        auto send = [&]() -> boost::asio::awaitable<std::error_code> {
            const streamstore::messaging::ProducerRecord record{.topic = t.payments, .key = order_id, .value = value};
            co_return (co_await producer.async_send(record)).error;
        };
        EXPECT_FALSE(testing_env::run_for(io, send(), 30s));
        producer.close();
    };
    const std::string group = testing_env::unique_name("notify");
    auto start = [&] {
        return std::make_unique<ChildProcess>(
            with(with({NOTIFICATION_SERVICE_BIN}, common_flags()),
                 {"--orders-topic", t.orders, "--payments-topic", t.payments, "--notifications-topic",
                  t.notifications, "--group-id", group, "--transactional-id", group + "-1"}));
    };

    publish("order-1");
    auto service = start();
    ASSERT_EQ(testing_env::read_topic(t.notifications, 1, 60s).size(), 1u) << service->stderr_text();
    service->signal(SIGTERM);
    ASSERT_EQ(service->wait(12s), 0) << service->stderr_text();

    publish("order-1");  // the duplicate: same payment event id
    publish("order-2");  // a new one, to know when the duplicate was handled
    service = start();
    ASSERT_EQ(testing_env::read_topic(t.notifications, 2, 60s).size(), 2u) << service->stderr_text();
    service->signal(SIGTERM);
    ASSERT_EQ(service->wait(12s), 0) << service->stderr_text();
    EXPECT_NE(service->stderr_text().find("1 duplicates skipped"), std::string::npos) << service->stderr_text();
    EXPECT_NE(service->stderr_text().find("1 notified event(s) loaded"), std::string::npos) << service->stderr_text();

    const auto notifications = testing_env::read_topic(t.notifications, 3, 5s);  // at most 2 may be there
    ASSERT_EQ(notifications.size(), 2u);
    EXPECT_EQ(notifications[0].key, "order-1");
    EXPECT_EQ(notifications[1].key, "order-2");
}
