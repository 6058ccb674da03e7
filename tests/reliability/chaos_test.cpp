// Reliability under faults, on the real broker: bounce the processor and the broker, then count
// the output against the input with the verifier (tools/verify). See docs/reliability.md.
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include "chaos.hpp"
#include "kafka_env.hpp"
#include "streamstore/messaging/producer.hpp"

namespace streamstore::testing {
namespace {
using namespace std::chrono_literals;

const Scale kScale = Scale::from_environment();

void report(const std::string& scenario, const Verdict& verdict) {
    std::cout << "=== " << scenario << " (" << (kScale.full ? "full" : "fast") << ")\n" << verdict.output << std::flush;
}

// The N of "delivered N" in order-generator's summary line ("sent 3000, delivered 1143, failed
// 1857 in 56.33 s ..."); -1 when the line has none.
std::int64_t delivered_in(const std::string& summary) {
    const auto at = summary.find("delivered ");
    if (at == std::string::npos) return -1;
    return std::strtoll(summary.c_str() + at + 10, nullptr, 10);
}

// Waits until `service` has logged an assignment of its consumer group: it is up (its SIGTERM
// handler is installed) and a member of the group. Group progress alone does not tell, since the
// other members make it; a SIGTERM before the handler is installed kills the process (exit 143).
bool joined_group(const ChildProcess& service, std::chrono::seconds timeout) {
    for (const auto deadline = std::chrono::steady_clock::now() + timeout; std::chrono::steady_clock::now() < deadline;) {
        if (service.stderr_text().find("': assigned ") != std::string::npos) return true;
        std::this_thread::sleep_for(20ms);  // polls the log file, bounded by the deadline
    }
    return false;
}

// SIGKILL payment-service `kills` times while it drains the orders; restart it each time with the
// same transactional id. notification-service runs throughout.
void kill_payment_service_repeatedly(const std::string& guarantee) {
    STREAMSTORE_REQUIRE_BROKER();
    Chaos chaos;
    auto notification = chaos.start_notification("n1", guarantee);
    // Orders keep coming through every kill and restart (a restart takes about the 6 s session timeout).
    auto generator = chaos.start_generator(kScale.orders, paced_interval(kScale.orders, kScale.kills * 8 + 4));
    auto payment = chaos.start_payment("p1", guarantee);
    for (int kill = 0; kill < kScale.kills; ++kill) {
        const std::int64_t before = committed_total(chaos.pay_group, chaos.orders);
        // Progress first (the new instance is processing), then a random moment within a few commits.
        ASSERT_TRUE(chaos.wait_paid_progress(before, 1, 120s)) << payment->stderr_text();
        std::this_thread::sleep_for(chaos.random_ms(0, 250));  // the random moment of the crash
        payment->signal(SIGKILL);
        ASSERT_EQ(payment->wait(10s), 128 + SIGKILL);
        payment = chaos.start_payment("p1", guarantee);
    }
    const auto summary = generator->read_line(600s);
    ASSERT_TRUE(summary) << generator->stderr_text();
    EXPECT_EQ(generator->wait(60s), 0) << *summary;
    ASSERT_TRUE(chaos.wait_all_paid(180s)) << payment->stderr_text();
    const Verdict verdict = chaos.verify_until_pass(guarantee, kScale.orders, 120s);
    report("payment-service SIGKILLed " + std::to_string(kScale.kills) + " times, " + guarantee, verdict);
    EXPECT_TRUE(verdict.pass()) << verdict.output;
    payment->signal(SIGTERM);
    notification->signal(SIGTERM);
    EXPECT_EQ(payment->wait(12s), 0) << payment->stderr_text();
    EXPECT_EQ(notification->wait(12s), 0) << notification->stderr_text();
}

TEST(Reliability, ExactlyOnceSurvivesPaymentServiceKills) { kill_payment_service_repeatedly("exactly-once"); }

TEST(Reliability, AtLeastOnceLosesNothingWhenPaymentServiceIsKilled) {
    kill_payment_service_repeatedly("at-least-once");
}

// The broker restarts mid-run (SIGKILL and SIGTERM) while orders keep coming; services that give
// up during the outage are restarted, as an orchestrator would.
TEST(Reliability, BrokerRestartsLoseNoOrderAndDuplicateNoPayment) {
    STREAMSTORE_REQUIRE_BROKER();
    if (!Chaos::broker_controllable()) GTEST_SKIP() << "the broker is not scripts/kafka-local.sh's";
    Chaos chaos;
    auto payment = chaos.start_payment("p1", "exactly-once");
    auto notification = chaos.start_notification("n1", "exactly-once");
    const int restarts = kScale.broker_kills + kScale.broker_stops;
    const int per_phase = kScale.orders / (restarts + 1);
    auto generator = chaos.start_generator(per_phase * (restarts + 1),
                                           paced_interval(kScale.orders, kScale.broker_kills * 35 + kScale.broker_stops * 12 + 5));
    int service_restarts = 0;
    auto last_lines = [](const std::string& text) {
        const auto from = text.size() > 1500 ? text.size() - 1500 : 0;
        return text.substr(from);
    };
    auto keep_alive = [&] {
        if (const auto code = payment->wait(0ms)) {
            std::cout << "payment-service exited " << *code << ", restarting it:\n" << last_lines(payment->stderr_text());
            payment = chaos.start_payment("p1", "exactly-once");
            ++service_restarts;
        }
        if (const auto code = notification->wait(0ms)) {
            std::cout << "notification-service exited " << *code << ", restarting it:\n"
                      << last_lines(notification->stderr_text());
            notification = chaos.start_notification("n1", "exactly-once");
            ++service_restarts;
        }
    };
    for (int r = 0; r < restarts; ++r) {
        const std::int64_t before = end_offsets_total(chaos.orders);
        // Wait until orders flowed for a while, then crash or stop the broker.
        const auto deadline = std::chrono::steady_clock::now() + 120s;
        while (end_offsets_total(chaos.orders) < before + per_phase / 2 && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(100ms);  // polling an observable condition, bounded
        }
        Chaos::broker(r < kScale.broker_kills ? "kill" : "stop");
        Chaos::broker("start");
        keep_alive();
    }
    const auto summary = generator->read_line(600s);
    ASSERT_TRUE(summary) << generator->stderr_text();
    const auto generator_exit = generator->wait(60s);
    // librdkafka before 2.3.0 can answer a broker restart with a fatal OUT_OF_ORDER_SEQUENCE_NUMBER
    // of the idempotent producer (librdkafka issue #3584, fixed by PR #4438; docs/reliability.md,
    // "Known limits"): order-generator then stops, counts every order not delivered as failed and
    // exits 1. Seen in 1 of 8 runs of this scenario on 2026-11-22. A run that hits it checks
    // what must hold even then (every order reported delivered is on the topic, every order on it
    // paid exactly once and notified) and is reported as skipped, not passed. Any other failure
    // fails the test.
    const bool librdkafka_bug_4438 =
        generator_exit == 1 && rd_kafka_version() < 0x020300ff &&
        generator->stderr_text().find("producer fatal error OUT_OF_ORDER_SEQUENCE_NUMBER") != std::string::npos;
    if (!librdkafka_bug_4438) {
        EXPECT_EQ(generator_exit, 0) << *summary << generator->stderr_text();
    }
    const int expect_orders = librdkafka_bug_4438 ? -1 : per_phase * (restarts + 1);
    Verdict verdict;
    for (const auto deadline = std::chrono::steady_clock::now() + 300s; std::chrono::steady_clock::now() < deadline;) {
        keep_alive();
        verdict = chaos.verify("exactly-once", expect_orders);
        if (verdict.pass()) break;
        std::this_thread::sleep_for(1s);  // still draining: look again, bounded by the deadline
    }
    report("broker restarted " + std::to_string(restarts) + " times (" + std::to_string(kScale.broker_kills) +
               " SIGKILL), services restarted " + std::to_string(service_restarts) + " times; generator: " + *summary,
           verdict);
    EXPECT_TRUE(verdict.pass()) << verdict.output;
    payment->signal(SIGTERM);
    notification->signal(SIGTERM);
    payment->wait(15s);
    notification->wait(15s);
    if (librdkafka_bug_4438) {
        const std::int64_t delivered = delivered_in(*summary);
        ASSERT_GE(delivered, 0) << "no delivered count in the summary: " << *summary;
        EXPECT_GE(end_offsets_total(chaos.orders), delivered) << *summary;
        GTEST_SKIP() << "librdkafka " << rd_kafka_version_str()
                     << " hit its fatal out-of-order sequence after a broker restart (librdkafka #3584, fixed in "
                        "2.3.0); order-generator stopped and reported it (" << *summary
                     << "); the orders on the topic were each paid exactly once";
    }
}

// Two instances in one group through joins and departures: rebalances with cooperative-sticky.
TEST(Reliability, TwoInstancesThroughRebalancesStayExactlyOnce) {
    STREAMSTORE_REQUIRE_BROKER();
    Chaos chaos;
    auto notification = chaos.start_notification("n1", "exactly-once");
    auto generator = chaos.start_generator(kScale.orders, paced_interval(kScale.orders, 45));
    auto a = chaos.start_payment("a", "exactly-once");
    auto progress = [&] {
        const std::int64_t before = committed_total(chaos.pay_group, chaos.orders);
        return chaos.wait_paid_progress(before, 1, 120s);
    };
    ASSERT_TRUE(progress());
    auto b = chaos.start_payment("b", "exactly-once");  // 1: join
    ASSERT_TRUE(joined_group(*b, 120s)) << b->stderr_text();
    ASSERT_TRUE(progress());
    b->signal(SIGTERM);                                   // 2: leave cleanly
    EXPECT_EQ(b->wait(12s), 0) << b->stderr_text();
    ASSERT_TRUE(progress());
    b = chaos.start_payment("b", "exactly-once");         // 3: rejoin
    ASSERT_TRUE(joined_group(*b, 120s)) << b->stderr_text();
    ASSERT_TRUE(progress());
    a->signal(SIGKILL);                                   // 4: crash
    a->wait(10s);
    a = chaos.start_payment("a", "exactly-once");         // 5: replace
    ASSERT_TRUE(joined_group(*a, 120s)) << a->stderr_text();
    ASSERT_TRUE(generator->read_line(600s));
    EXPECT_EQ(generator->wait(60s), 0);
    ASSERT_TRUE(chaos.wait_all_paid(180s)) << a->stderr_text() << b->stderr_text();
    const Verdict verdict = chaos.verify_until_pass("exactly-once", kScale.orders, 120s);
    report("two payment-service instances: join, SIGTERM, rejoin, SIGKILL, replace", verdict);
    EXPECT_TRUE(verdict.pass()) << verdict.output;
    for (auto* p : {a.get(), b.get(), notification.get()}) p->signal(SIGTERM);
    EXPECT_EQ(a->wait(12s), 0) << a->stderr_text();
    EXPECT_EQ(b->wait(12s), 0) << b->stderr_text();
    EXPECT_EQ(notification->wait(12s), 0);
}

// A zombie: an instance frozen (SIGSTOP) while another starts with its transactional id.
TEST(Reliability, ZombieIsFencedAndExitsNonZero) {
    STREAMSTORE_REQUIRE_BROKER();
    Chaos chaos;
    auto notification = chaos.start_notification("n1", "exactly-once");
    auto generator = chaos.start_generator(kScale.orders, paced_interval(kScale.orders, 25));
    auto zombie = chaos.start_payment("same", "exactly-once");
    ASSERT_TRUE(chaos.wait_paid_progress(0, 1, 120s)) << zombie->stderr_text();
    zombie->signal(SIGSTOP);
    auto successor = chaos.start_payment("same", "exactly-once");
    // The successor takes over once the zombie's session expired: progress proves it.
    const std::int64_t before = committed_total(chaos.pay_group, chaos.orders);
    ASSERT_TRUE(chaos.wait_paid_progress(before, 1, 120s)) << successor->stderr_text();
    zombie->signal(SIGCONT);
    const auto zombie_exit = zombie->wait(60s);
    ASSERT_TRUE(zombie_exit) << "the zombie kept running\n" << zombie->stderr_text();
    EXPECT_NE(*zombie_exit, 0) << zombie->stderr_text();
    EXPECT_NE(zombie->stderr_text().find("fenced"), std::string::npos) << zombie->stderr_text();
    const auto summary = generator->read_line(600s);
    ASSERT_TRUE(summary) << generator->stderr_text();
    EXPECT_EQ(generator->wait(60s), 0) << *summary << generator->stderr_text();
    ASSERT_TRUE(chaos.wait_all_paid(180s)) << successor->stderr_text();
    const Verdict verdict = chaos.verify_until_pass("exactly-once", kScale.orders, 120s);
    report("zombie fenced (exit " + std::to_string(*zombie_exit) + "); " + *summary, verdict);
    EXPECT_TRUE(verdict.pass()) << verdict.output;
    successor->signal(SIGTERM);
    notification->signal(SIGTERM);
    EXPECT_EQ(successor->wait(12s), 0) << successor->stderr_text();
    EXPECT_EQ(notification->wait(12s), 0);
}

// Bad records of many kinds among good orders: each dead-lettered once with its reason, the rest paid.
TEST(Reliability, BadRecordsAreDeadLetteredOnceAndGoodOrdersAllPaid) {
    STREAMSTORE_REQUIRE_BROKER();
    Chaos chaos;
    const std::string huge(600 * 1024, 'x');  // over the 512 KiB dead letter limit: truncated
    const std::vector<std::optional<std::string>> kinds{
        "{not json",
        "",
        std::nullopt,  // a null value
        "[1,2,3]",
        R"({"user":"Ann","item":"tea","quantity":1})",                                    // missing order_id
        R"({"order_id":"b1","user":"Ann","item":"tea","quantity":"ten"})",                 // wrong type
        R"({"order_id":"b2","user":"Ann","item":"tea","quantity":-3})",                    // invalid value
        R"({"event_id":"e","event_type":"order_placed","schema_version":99,"occurred_at_ms":1,"data":{}})",
        R"({"event_id":"e","event_type":"payment_processed","schema_version":1,"occurred_at_ms":1,"data":{}})",
        std::string("{\"order_id\":\"\xff\xfe\",\"user\":\"A\",\"item\":\"t\",\"quantity\":1}"),  // invalid UTF-8
        "{\"order_id\":\"" + std::string(70 * 1024, 'a') + "\"}",                          // over 64 KiB
        huge,
        R"({"order_id":"b3","user":"Ann","item":"tea","quantity":1,"currency":"eur"})",
        std::string("{\"order_id\":\"b4\0\",\"user\":\"A\"}", 28),                          // NUL byte, truncated JSON
    };
    auto payment = chaos.start_payment("p1", "exactly-once");
    auto notification = chaos.start_notification("n1", "exactly-once");
    auto generator = chaos.start_generator(kScale.orders, kScale.full ? "0" : "1ms");
    {
        boost::asio::io_context io;
        messaging::ProducerConfig config;
        config.client = client_config("bad-records");
        config.client.properties.push_back({"message.max.bytes", "2000000"});
        messaging::Producer producer(io.get_executor(), config);
        auto send_all = [&]() -> boost::asio::awaitable<int> {
            int failed = 0;
            for (int i = 0; i < kScale.bad_records; ++i) {
                const auto& kind = kinds[static_cast<std::size_t>(i) % kinds.size()];
                const std::string key = "bad-" + std::to_string(i);
                // A null value is produced as such: ProducerRecord views cannot say "null", so the
                // empty view of a default std::string_view (data() == nullptr) stands for it.
                const messaging::ProducerRecord record{.topic = chaos.orders, .key = key,
                                                       .value = kind ? std::string_view(*kind) : std::string_view()};
                const auto report = co_await producer.async_send(record);
                if (report.error) ++failed;
            }
            co_return failed;
        };
        EXPECT_EQ(run_for(io, send_all(), 300s), 0);
        producer.close();
    }
    ASSERT_TRUE(generator->read_line(600s));
    EXPECT_EQ(generator->wait(60s), 0);
    ASSERT_TRUE(chaos.wait_all_paid(300s)) << payment->stderr_text();
    const Verdict verdict = chaos.verify_until_pass("exactly-once", kScale.orders, 120s);
    const long rss = peak_rss_kib(payment->pid());
    report("bad records: " + std::to_string(kScale.bad_records) + " of " + std::to_string(kinds.size()) +
               " kinds among " + std::to_string(kScale.orders) + " orders; payment-service peak RSS " +
               std::to_string(rss / 1024) + " MiB",
           verdict);
    EXPECT_TRUE(verdict.pass()) << verdict.output;
#if !defined(__SANITIZE_ADDRESS__)
    EXPECT_LT(rss, 200 * 1024) << "payment-service peak RSS in KiB";
#endif
    payment->signal(SIGTERM);
    notification->signal(SIGTERM);
    EXPECT_EQ(payment->wait(12s), 0) << payment->stderr_text();
    EXPECT_EQ(notification->wait(12s), 0) << notification->stderr_text();
}

// SIGTERM at random moments: every stop is clean (exit 0 within the deadline) and nothing a stopped
// instance committed is processed again.
TEST(Reliability, SigtermsAtRandomMomentsExitCleanlyAndReprocessNothing) {
    STREAMSTORE_REQUIRE_BROKER();
    Chaos chaos;
    auto notification = chaos.start_notification("n1", "exactly-once");
    auto generator = chaos.start_generator(kScale.orders, paced_interval(kScale.orders, kScale.sigterms * 3 + 3));
    int clean = 0;
    for (int i = 0; i < kScale.sigterms; ++i) {
        auto payment = chaos.start_payment("p1", "exactly-once");
        const std::int64_t before = committed_total(chaos.pay_group, chaos.orders);
        ASSERT_TRUE(chaos.wait_paid_progress(before, 1, 120s)) << payment->stderr_text();
        std::this_thread::sleep_for(chaos.random_ms(0, 400));  // the random moment of the stop
        const auto started = std::chrono::steady_clock::now();
        payment->signal(SIGTERM);
        const auto code = payment->wait(12s);
        const auto took = std::chrono::steady_clock::now() - started;
        EXPECT_EQ(code, 0) << payment->stderr_text();
        EXPECT_LT(took, 10s);
        if (code == 0 && took < 10s) ++clean;
    }
    auto last = chaos.start_payment("p1", "exactly-once");
    ASSERT_TRUE(generator->read_line(600s));
    EXPECT_EQ(generator->wait(60s), 0);
    ASSERT_TRUE(chaos.wait_all_paid(180s)) << last->stderr_text();
    const Verdict verdict = chaos.verify_until_pass("exactly-once", kScale.orders, 120s);
    report(std::to_string(clean) + " of " + std::to_string(kScale.sigterms) + " SIGTERMs exited 0 within 10 s",
           verdict);
    EXPECT_TRUE(verdict.pass()) << verdict.output;
    last->signal(SIGTERM);
    notification->signal(SIGTERM);
    EXPECT_EQ(last->wait(12s), 0);
    EXPECT_EQ(notification->wait(12s), 0);
}

}  // namespace
}  // namespace streamstore::testing
