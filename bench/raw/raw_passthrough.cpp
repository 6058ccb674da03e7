// Raw consume-to-produce baseline: every record read from --input is produced unchanged (same key
// and value) to --output, with the services' consumer and producer settings, and committed every
// --commit-interval-ms the way messaging::Processor commits:
//   at-least-once: flush the producer (every output acknowledged), then commit the offsets;
//   exactly-once:  one transaction per interval: send_offsets_to_transaction + commit_transaction.
// No decoding, no business logic: the ceiling for payment-service.
//
// Result: records, seconds (first record to the last commit), records/s, MB/s, commits and the
// commit (flush + commit, or commit_transaction) duration percentiles.

#include "common.hpp"

namespace {

const char* const kUsage =
    "raw_passthrough --bootstrap-server HOST:PORT --input T --output T --group G --count N\n"
    "                [--guarantee at-least-once|exactly-once] [--commit-interval-ms 100]\n"
    "                [--transactional-id ID] [--batch 500] [--timeout-s 300] [-X key=value ...]";

struct Delivery {
    std::uint64_t failed = 0;
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    if (m->err && ++static_cast<Delivery*>(opaque)->failed <= 5) {
        std::fprintf(stderr, "delivery failed: %s\n", rd_kafka_err2str(m->err));
    }
}

struct PartitionListDeleter {
    void operator()(rd_kafka_topic_partition_list_t* l) const { rd_kafka_topic_partition_list_destroy(l); }
};
using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;

}  // namespace

int main(int argc, char** argv) {
    const bench::Args args(argc, argv, kUsage);
    const std::string input = args.str("input", "orders");
    const std::string output = args.str("output", "payments");
    const std::string group = args.str("group", "bench-raw-passthrough");
    const auto count = static_cast<std::uint64_t>(args.num("count", 100000));
    const std::string guarantee = args.str("guarantee", "at-least-once");
    const auto interval = std::chrono::milliseconds(args.num("commit-interval-ms", 100));
    const std::string transactional_id = args.str("transactional-id", "bench-raw-passthrough");
    const auto batch = static_cast<std::size_t>(args.num("batch", 500));
    const double timeout_s = args.real("timeout-s", 300);
    if (guarantee != "at-least-once" && guarantee != "exactly-once") bench::die("--guarantee: " + guarantee);
    const bool eos = guarantee == "exactly-once";

    Delivery delivery;
    bench::Props producer_extra;
    if (eos) producer_extra = {{"transactional.id", transactional_id}, {"transaction.timeout.ms", "60000"}};
    auto pconf = bench::producer_conf(args, producer_extra);
    auto cconf = bench::consumer_conf(args, group);
    args.check_all_used();
    rd_kafka_conf_set_opaque(pconf.get(), &delivery);
    rd_kafka_conf_set_dr_msg_cb(pconf.get(), &on_delivery);
    rd_kafka_conf_set_rebalance_cb(cconf.get(), &bench::rebalance_cb);
    rd_kafka_t* producer = bench::make_client(RD_KAFKA_PRODUCER, std::move(pconf));
    rd_kafka_t* consumer = bench::make_client(RD_KAFKA_CONSUMER, std::move(cconf));
    rd_kafka_poll_set_consumer(consumer);
    rd_kafka_topic_t* out_topic = rd_kafka_topic_new(producer, output.c_str(), nullptr);
    if (eos) {
        bench::check(rd_kafka_init_transactions(producer, 30000), "init_transactions");
        bench::check(rd_kafka_begin_transaction(producer), "begin_transaction");
    }
    bench::subscribe(consumer, {input});
    rd_kafka_queue_t* queue = rd_kafka_queue_get_consumer(consumer);

    std::map<std::int32_t, std::int64_t> next_offsets;  // input partition -> offset to commit
    bench::Histogram commit_latency;
    std::uint64_t commits = 0;
    std::uint64_t uncommitted = 0;
    auto commit = [&] {
        if (uncommitted == 0) return;
        const auto t = bench::now_us();
        PartitionList offsets(rd_kafka_topic_partition_list_new(static_cast<int>(next_offsets.size())));
        for (const auto& [p, o] : next_offsets) rd_kafka_topic_partition_list_add(offsets.get(), input.c_str(), p)->offset = o;
        if (eos) {
            rd_kafka_consumer_group_metadata_t* meta = rd_kafka_consumer_group_metadata(consumer);
            bench::check(rd_kafka_send_offsets_to_transaction(producer, offsets.get(), meta, -1),
                         "send_offsets_to_transaction");
            rd_kafka_consumer_group_metadata_destroy(meta);
            bench::check(rd_kafka_commit_transaction(producer, -1), "commit_transaction");
            bench::check(rd_kafka_begin_transaction(producer), "begin_transaction");
        } else {
            if (rd_kafka_flush(producer, 30000) != RD_KAFKA_RESP_ERR_NO_ERROR) bench::die("flush timed out");
            if (delivery.failed) bench::die("a delivery failed: not committing");
            const rd_kafka_resp_err_t err = rd_kafka_commit(consumer, offsets.get(), 0);
            if (err) bench::die(std::string("commit: ") + rd_kafka_err2str(err));
        }
        commit_latency.record(bench::now_us() - t);
        ++commits;
        uncommitted = 0;
    };

    std::vector<rd_kafka_message_t*> messages(batch);
    std::uint64_t records = 0;
    std::uint64_t bytes = 0;
    const auto start = bench::Clock::now();
    bench::Clock::time_point first{};
    auto next_commit = start + interval;
    while (records < count && bench::seconds_since(start) < timeout_s) {
        const ssize_t n = rd_kafka_consume_batch_queue(queue, 10, messages.data(), messages.size());
        for (ssize_t i = 0; i < n; ++i) {
            rd_kafka_message_t* m = messages[static_cast<std::size_t>(i)];
            if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
                if (records == 0) {
                    first = bench::Clock::now();
                    next_commit = first + interval;
                }
                while (rd_kafka_produce(out_topic, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, m->payload, m->len,
                                        m->key, m->key_len, nullptr) == -1) {
                    if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                        bench::die(std::string("produce: ") + rd_kafka_err2str(rd_kafka_last_error()));
                    }
                    rd_kafka_poll(producer, 1);
                }
                next_offsets[m->partition] = m->offset + 1;
                ++records;
                ++uncommitted;
                bytes += m->len;
            }
            rd_kafka_message_destroy(m);
        }
        rd_kafka_poll(producer, 0);
        if (bench::Clock::now() >= next_commit) {
            commit();
            next_commit = bench::Clock::now() + interval;
        }
    }
    commit();
    const double seconds = records ? std::chrono::duration<double>(bench::Clock::now() - first).count() : 0;
    char extra[160];
    std::snprintf(extra, sizeof extra, ",\"guarantee\":\"%s\",\"commit_interval_ms\":%lld,\"commits\":%llu,",
                  guarantee.c_str(), static_cast<long long>(interval.count()), static_cast<unsigned long long>(commits));
    bench::print_result("raw_passthrough",
                        bench::throughput_json(records, bytes, seconds) + extra + commit_latency.json("commit_"));
    rd_kafka_queue_destroy(queue);
    rd_kafka_consumer_close(consumer);
    rd_kafka_destroy(consumer);
    rd_kafka_topic_destroy(out_topic);
    rd_kafka_destroy(producer);
    return records >= count && delivery.failed == 0 ? 0 : 1;
}
