#include "chaos.hpp"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <thread>

#include <librdkafka/rdkafka.h>

#include "kafka_env.hpp"

namespace streamstore::testing {
using namespace std::chrono_literals;

Scale Scale::from_environment() {
    Scale s;
    const char* env = std::getenv("STREAMSTORE_RELIABILITY_SCALE");
    if (env != nullptr && std::string(env) == "full") {
        s.full = true;
        s.orders = 100'000;
        s.kills = 10;
        s.broker_kills = 3;
        s.broker_stops = 3;
        s.bad_records = 1'000;
        s.sigterms = 20;
    }
    return s;
}

std::vector<std::string> joined(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

namespace {
struct Client {
    rd_kafka_t* rk = nullptr;
    explicit Client(const std::string& group) {
        rd_kafka_conf_t* conf = rd_kafka_conf_new();
        char error[512];
        for (const auto& [k, v] : std::vector<std::pair<std::string, std::string>>{
                 {"bootstrap.servers", bootstrap_servers()},
                 {"group.id", group},
                 {"enable.auto.commit", "false"},
                 // read_committed would make OffsetFetch wait for stable offsets (KIP-447), which
                 // under a transaction every 100 ms never comes; the last committed ones will do.
                 {"isolation.level", "read_uncommitted"}}) {
            if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), error, sizeof error) != RD_KAFKA_CONF_OK) {
                throw std::runtime_error(error);
            }
        }
        rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error);
        if (rk == nullptr) throw std::runtime_error(error);
    }
    ~Client() { rd_kafka_destroy_flags(rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE); }
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    int partitions(const std::string& topic) const {
        rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
        const rd_kafka_metadata_t* md = nullptr;
        int n = 0;
        if (rd_kafka_metadata(rk, 0, rkt, &md, 10'000) == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1 &&
            md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            n = md->topics[0].partition_cnt;
        }
        if (md != nullptr) rd_kafka_metadata_destroy(md);
        rd_kafka_topic_destroy(rkt);
        return n;
    }
};
}  // namespace

std::int64_t committed_total(const std::string& group, const std::string& topic) {
    const Client client(group);
    const int n = client.partitions(topic);
    if (n == 0) return 0;
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(n);
    for (int p = 0; p < n; ++p) rd_kafka_topic_partition_list_add(list, topic.c_str(), p);
    std::int64_t total = -1;
    if (rd_kafka_committed(client.rk, list, 10'000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        total = 0;
        for (int i = 0; i < list->cnt; ++i) total += std::max<std::int64_t>(list->elems[i].offset, 0);
    }
    rd_kafka_topic_partition_list_destroy(list);
    return total;
}

std::int64_t end_offsets_total(const std::string& topic) {
    const Client client("streamstore-test-probe");
    const int n = client.partitions(topic);
    std::int64_t total = 0;
    for (int p = 0; p < n; ++p) {
        std::int64_t low = 0, high = 0;
        if (rd_kafka_query_watermark_offsets(client.rk, topic.c_str(), p, &low, &high, 10'000) ==
            RD_KAFKA_RESP_ERR_NO_ERROR) {
            total += high;
        }
    }
    return total;
}

long peak_rss_kib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
    }
    return -1;
}

Chaos::Chaos()
    : orders(unique_name("orders")),
      payments(unique_name("payments")),
      notifications(unique_name("notifications")),
      pay_group(unique_name("pay")),
      notify_group(unique_name("notify")),
      rng(std::random_device{}()) {
    create_topics({orders, payments, notifications, orders + ".dlq", payments + ".dlq"}, 3);
}

Chaos::~Chaos() = default;

std::vector<std::string> Chaos::service_flags() {
    return {"--bootstrap-server", bootstrap_servers(), "--startup-timeout", "60s", "--shutdown-timeout", "10s",
            "--http-address", "127.0.0.1:0",  // several instances run side by side
            // A killed member is replaced after this, not after the 45 s default.
            "-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500"};
}

std::unique_ptr<ChildProcess> Chaos::start_payment(const std::string& instance, const std::string& guarantee,
                                                   std::vector<std::string> extra) {
    return std::make_unique<ChildProcess>(
        joined(joined({PAYMENT_SERVICE_BIN}, service_flags()),
               joined({"--orders-topic", orders, "--payments-topic", payments, "--group-id", pay_group,
                       "--transactional-id", pay_group + "-" + instance, "--processing-guarantee", guarantee,
                       "--decline-rate", "0.1"},
                      extra)));
}

std::unique_ptr<ChildProcess> Chaos::start_notification(const std::string& instance, const std::string& guarantee) {
    return std::make_unique<ChildProcess>(
        joined(joined({NOTIFICATION_SERVICE_BIN}, service_flags()),
               {"--orders-topic", orders, "--payments-topic", payments, "--notifications-topic", notifications,
                "--group-id", notify_group, "--transactional-id", notify_group + "-" + instance,
                "--processing-guarantee", guarantee, "--output", "none"}));
}

std::unique_ptr<ChildProcess> Chaos::start_generator(int count, const std::string& interval,
                                                     const std::vector<std::string>& extra) {
    return std::make_unique<ChildProcess>(joined(
        {ORDER_GENERATOR_BIN, "--bootstrap-server", bootstrap_servers(), "--topic", orders, "--count",
         std::to_string(count), "--interval", interval, "--startup-timeout", "60s", "--http-address", "127.0.0.1:0",
         // Its final flush waits out the broker restarts that happened meanwhile.
         "--shutdown-timeout", "300s",
         // Orders must survive a broker restart (after SIGKILL it takes 30 s to come back).
         "-X", "message.timeout.ms=300000"},
        extra));
}

int Chaos::generate(int count, const std::string& interval, const std::vector<std::string>& extra) {
    auto generator = start_generator(count, interval, extra);
    const auto summary = generator->read_line(600s);
    const auto code = generator->wait(60s);
    if (!summary || code != 0) {
        throw std::runtime_error("order-generator failed: " + summary.value_or("(no summary)") + "\n" +
                                 generator->stderr_text());
    }
    const auto at = summary->find("delivered ");
    return at == std::string::npos ? -1 : std::stoi(summary->substr(at + 10));
}

bool Chaos::wait_all_paid(std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const std::int64_t total = end_offsets_total(orders);
    while (std::chrono::steady_clock::now() < deadline) {
        if (committed_total(pay_group, orders) >= total) return true;
        std::this_thread::sleep_for(200ms);  // polling an observable condition, bounded by the deadline
    }
    return false;
}

bool Chaos::wait_paid_progress(std::int64_t from, std::int64_t n, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (committed_total(pay_group, orders) >= from + n) return true;
        std::this_thread::sleep_for(50ms);  // polling an observable condition, bounded by the deadline
    }
    return false;
}

Verdict Chaos::verify(const std::string& expect, int expect_orders, bool notifications_too) {
    std::vector<std::string> argv{VERIFY_BIN,       "--bootstrap-server", bootstrap_servers(), "--orders-topic", orders,
                                  "--payments-topic", payments, "--notifications-topic", notifications,
                                  "--expect",       expect,               "--timeout",         "120s"};
    if (expect_orders >= 0) argv = joined(argv, {"--expect-orders", std::to_string(expect_orders)});
    if (!notifications_too) argv.emplace_back("--no-notifications");
    ChildProcess verifier(argv);
    Verdict verdict;
    while (auto line = verifier.read_line(180s)) verdict.output += *line + "\n";
    verdict.exit_code = verifier.wait(30s).value_or(-1);
    if (verdict.exit_code != 0) verdict.output += verifier.stderr_text();
    return verdict;
}

Verdict Chaos::verify_until_pass(const std::string& expect, int expect_orders, std::chrono::seconds timeout,
                                 bool notifications_too) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    Verdict verdict;
    do {
        verdict = verify(expect, expect_orders, notifications_too);
        if (verdict.pass()) break;
        std::this_thread::sleep_for(1s);  // the pipeline is still draining: look again, bounded
    } while (std::chrono::steady_clock::now() < deadline);
    return verdict;
}

std::string paced_interval(int orders, int seconds) {
    return std::to_string(std::max(1, seconds * 1000 / std::max(orders, 1))) + "ms";
}

std::chrono::milliseconds Chaos::random_ms(int lo, int hi) {
    return std::chrono::milliseconds(std::uniform_int_distribution<int>(lo, hi)(rng));
}

bool Chaos::broker_controllable() {
    const char* env = std::getenv("STREAMSTORE_TEST_BROKER_SCRIPT");
    return env != nullptr && *env != '\0';
}

void Chaos::broker(const std::string& command) {
    const std::string script = std::getenv("STREAMSTORE_TEST_BROKER_SCRIPT");
    const std::string line = script + " " + command + " >&2";
    const int status = std::system(line.c_str());
    if (status != 0) throw std::runtime_error("`" + line + "` failed with status " + std::to_string(status));
}

}  // namespace streamstore::testing
