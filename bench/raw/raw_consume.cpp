// Raw consume baseline: a consumer group member with the services' consumer settings reads
// --count records in batches and only counts them (and their bytes).
//
// Result: records, seconds (first record to the last), records/s, MB/s, and the time from start
// to the first record (group join + first fetch).

#include "common.hpp"

namespace {
const char* const kUsage =
    "raw_consume --bootstrap-server HOST:PORT --topic T[,T2] --group G --count N [--batch 500]\n"
    "            [--timeout-s 120] [-X key=value ...]";
}

int main(int argc, char** argv) {
    const bench::Args args(argc, argv, kUsage);
    const auto topics = bench::split(args.str("topic", "orders"), ',');
    const std::string group = args.str("group", "bench-raw-consume");
    const auto count = static_cast<std::uint64_t>(args.num("count", 100000));
    const auto batch = static_cast<std::size_t>(args.num("batch", 500));
    const double timeout_s = args.real("timeout-s", 120);
    auto conf = bench::consumer_conf(args, group);
    args.check_all_used();
    rd_kafka_conf_set_rebalance_cb(conf.get(), &bench::rebalance_cb);
    rd_kafka_t* rk = bench::make_client(RD_KAFKA_CONSUMER, std::move(conf));
    rd_kafka_poll_set_consumer(rk);
    bench::subscribe(rk, topics);
    rd_kafka_queue_t* queue = rd_kafka_queue_get_consumer(rk);

    std::vector<rd_kafka_message_t*> messages(batch);
    std::uint64_t records = 0;
    std::uint64_t bytes = 0;
    const auto start = bench::Clock::now();
    bench::Clock::time_point first{};
    while (records < count && bench::seconds_since(start) < timeout_s) {
        const ssize_t n = rd_kafka_consume_batch_queue(queue, 100, messages.data(), messages.size());
        for (ssize_t i = 0; i < n; ++i) {
            rd_kafka_message_t* m = messages[static_cast<std::size_t>(i)];
            if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
                if (records == 0) first = bench::Clock::now();
                ++records;
                bytes += m->len;
            }
            rd_kafka_message_destroy(m);
        }
    }
    const double seconds = records ? std::chrono::duration<double>(bench::Clock::now() - first).count() : 0;
    const double to_first = records ? std::chrono::duration<double>(first - start).count() : 0;
    char extra[128];
    std::snprintf(extra, sizeof extra, ",\"startup_s\":%.3f", to_first);
    bench::print_result("raw_consume", bench::throughput_json(records, bytes, seconds) + extra);
    rd_kafka_queue_destroy(queue);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return records >= count ? 0 : 1;
}
