// Reads the pipeline's `notifications` topic (read_committed, so only what was committed) and
// reports order-to-notification latency two ways, separately for "order received" and payment
// notifications:
//   service_*: the notification's own `latency_ms` (notification-service's clock when it handled
//              the event, minus the order's created_at_ms): what notification-service records;
//   visible_*: this reader's clock when the committed notification reached it, minus the order's
//              created_at_ms: what a downstream consumer of `notifications` sees.
// Notifications of orders created before --measure-from-ms (default: --warmup-s seconds after the
// probe started) are counted but not recorded. Stops after --count notifications, or --idle-s without any, or --timeout-s.
// Fields are found by plain string search (the JSON is the project's own, field order aside).

#include "common.hpp"

namespace {

const char* const kUsage =
    "notification_probe --bootstrap-server HOST:PORT --topic notifications --group G [--count N]\n"
    "                   [--warmup-s 2 | --measure-from-ms EPOCH_MS] [--idle-s 10] [--timeout-s 600]\n"
    "                   [-X key=value ...]";

bool find_int(std::string_view json, std::string_view field, std::int64_t& out) {
    const auto at = json.find(field);
    if (at == std::string_view::npos) return false;
    const char* p = json.data() + at + field.size();
    const char* end = json.data() + json.size();
    while (p < end && (*p == ' ' || *p == ':')) ++p;
    bool neg = false;
    if (p < end && *p == '-') {
        neg = true;
        ++p;
    }
    std::int64_t v = 0;
    const char* digits = p;
    while (p < end && *p >= '0' && *p <= '9') v = v * 10 + (*p++ - '0');
    if (p == digits) return false;
    out = neg ? -v : v;
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    const bench::Args args(argc, argv, kUsage);
    const std::string topic = args.str("topic", "notifications");
    const std::string group = args.str("group", "bench-notification-probe");
    const auto count = static_cast<std::uint64_t>(args.num("count", 0));
    const double warmup_s = args.real("warmup-s", 2);
    const std::int64_t measure_from_arg = args.num("measure-from-ms", 0);
    const double idle_s = args.real("idle-s", 10);
    const double timeout_s = args.real("timeout-s", 600);
    auto conf = bench::consumer_conf(args, group);
    args.check_all_used();
    rd_kafka_conf_set_rebalance_cb(conf.get(), &bench::rebalance_cb);
    rd_kafka_t* rk = bench::make_client(RD_KAFKA_CONSUMER, std::move(conf));
    rd_kafka_poll_set_consumer(rk);
    bench::subscribe(rk, {topic});
    rd_kafka_queue_t* queue = rd_kafka_queue_get_consumer(rk);

    const std::int64_t measure_from_ms =
        measure_from_arg > 0 ? measure_from_arg : bench::wall_ms() + static_cast<std::int64_t>(warmup_s * 1000);
    bench::Histogram service_order, service_payment, visible_order, visible_payment;
    std::uint64_t total = 0;
    std::uint64_t unparsed = 0;
    std::vector<rd_kafka_message_t*> messages(500);
    const auto start = bench::Clock::now();
    auto last = start;
    std::int64_t first_ms = 0;
    std::int64_t last_ms = 0;
    while ((count == 0 || total < count) && bench::seconds_since(start) < timeout_s &&
           (total == 0 || bench::seconds_since(last) < idle_s)) {
        const ssize_t n = rd_kafka_consume_batch_queue(queue, 50, messages.data(), messages.size());
        const std::int64_t now = bench::wall_ms();
        for (ssize_t i = 0; i < n; ++i) {
            rd_kafka_message_t* m = messages[static_cast<std::size_t>(i)];
            if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && m->payload) {
                ++total;
                last = bench::Clock::now();
                if (first_ms == 0) first_ms = now;
                last_ms = now;
                const std::string_view json(static_cast<const char*>(m->payload), m->len);
                std::int64_t created = 0;
                std::int64_t latency = 0;
                const bool order = json.find("\"order_received\"") != std::string_view::npos;
                if (!find_int(json, "\"order_created_at_ms\"", created) || !find_int(json, "\"latency_ms\"", latency)) {
                    ++unparsed;
                } else if (created >= measure_from_ms) {
                    (order ? service_order : service_payment).record(latency * 1000);
                    (order ? visible_order : visible_payment).record((now - created) * 1000);
                }
            }
            rd_kafka_message_destroy(m);
        }
    }
    char extra[256];
    std::snprintf(extra, sizeof extra, "\"notifications\":%llu,\"unparsed\":%llu,\"span_s\":%.3f,",
                  static_cast<unsigned long long>(total), static_cast<unsigned long long>(unparsed),
                  static_cast<double>(last_ms - first_ms) / 1e3);
    bench::print_result("notification_probe", extra + service_order.json("service_order_") + "," +
                                                  service_payment.json("service_payment_") + "," +
                                                  visible_order.json("visible_order_") + "," +
                                                  visible_payment.json("visible_payment_"));
    rd_kafka_queue_destroy(queue);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return count == 0 || total >= count ? 0 : 1;
}
