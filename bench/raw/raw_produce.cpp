// Raw produce baseline: real order JSON, keyed by customer id, with the services' producer
// settings, and nothing else per record. Full speed by default (the ceiling for order-generator);
// with --rate it paces itself and stamps each order with the time it is sent (so it also serves as
// a paced order source for the latency runs).
//
// Result: records, seconds (first send to last delivery report), records/s, MB/s (payload bytes)
// and the send-to-delivery-report latency percentiles.

#include <thread>

#include "common.hpp"

namespace {

const char* const kUsage =
    "raw_produce --bootstrap-server HOST:PORT --topic T --count N [--rate R] [--pool N] [--unique 0|1]\n"
    "            [--seed S] [--compression lz4] [--linger-ms 5] [--dump 0|1] [-X key=value ...]\n"
    "  --rate 0 (default) is full speed; otherwise records/s, each order created when it is sent.\n"
    "  --pool: distinct orders generated up front and cycled (full speed); --unique 1 makes every order new.\n"
    "  --dump 1: print --count orders, one JSON per line, and exit (a payload file for Kafka's tools).";

struct State {
    std::uint64_t delivered = 0;
    std::uint64_t failed = 0;
    bench::Histogram latency;  // send to delivery report, µs
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* s = static_cast<State*>(opaque);
    if (m->err) {
        if (++s->failed <= 5) std::fprintf(stderr, "delivery failed: %s\n", rd_kafka_err2str(m->err));
        return;
    }
    ++s->delivered;
    s->latency.record(bench::now_us() - reinterpret_cast<std::intptr_t>(m->_private));
}

}  // namespace

int main(int argc, char** argv) {
    const bench::Args args(argc, argv, kUsage);
    const std::string topic_name = args.str("topic", "orders");
    const auto count = static_cast<std::uint64_t>(args.num("count", 100000));
    const double rate = args.real("rate", 0);
    const auto pool_size = static_cast<std::size_t>(args.num("pool", 20000));
    const bool unique = args.num("unique", 0) != 0 || rate > 0;
    const auto seed = static_cast<std::uint64_t>(args.num("seed", 42));
    if (args.num("dump", 0) != 0) {
        for (const auto& order : bench::make_orders(count, seed)) std::printf("%s\n", order.value.c_str());
        return 0;
    }
    State state;
    auto conf = bench::producer_conf(args);
    args.check_all_used();
    rd_kafka_conf_set_opaque(conf.get(), &state);
    rd_kafka_conf_set_dr_msg_cb(conf.get(), &on_delivery);
    rd_kafka_t* rk = bench::make_client(RD_KAFKA_PRODUCER, std::move(conf));
    rd_kafka_topic_t* topic = rd_kafka_topic_new(rk, topic_name.c_str(), nullptr);

    // Connect and learn the topic's partitions before the clock starts, as order-generator does.
    const rd_kafka_metadata_t* md = nullptr;
    if (rd_kafka_metadata(rk, 0, topic, &md, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR) rd_kafka_metadata_destroy(md);

    std::vector<bench::Payload> pool;
    streamstore::order_generator::OrderFactory factory(seed);
    if (!unique) pool = bench::make_orders(std::min<std::size_t>(pool_size, count), seed);

    std::uint64_t bytes = 0;
    const auto t0 = bench::Clock::now();
    for (std::uint64_t i = 0; i < count; ++i) {
        if (rate > 0) {
            const auto due = t0 + std::chrono::duration_cast<bench::Clock::duration>(
                                      std::chrono::duration<double>(static_cast<double>(i) / rate));
            while (bench::Clock::now() < due) {
                rd_kafka_poll(rk, 0);
                const auto left = due - bench::Clock::now();
                if (left > std::chrono::microseconds(200)) std::this_thread::sleep_for(std::min<bench::Clock::duration>(left, std::chrono::milliseconds(1)));
            }
        }
        std::string key;
        std::string value;
        const bench::Payload* p = nullptr;
        if (unique) {
            const auto event = factory.next(streamstore::events::now_ms());
            key = event.data.customer_id;
            value = streamstore::events::encode(event);
        } else {
            p = &pool[i % pool.size()];
        }
        const std::string& k = unique ? key : p->key;
        const std::string& v = unique ? value : p->value;
        // Pool payloads outlive the producer's use of them: no copy. Fresh ones are copied.
        const int flags = unique ? RD_KAFKA_MSG_F_COPY : 0;
        void* sent_at = reinterpret_cast<void*>(static_cast<std::intptr_t>(bench::now_us()));
        while (rd_kafka_produce(topic, RD_KAFKA_PARTITION_UA, flags, const_cast<char*>(v.data()), v.size(), k.data(),
                                k.size(), sent_at) == -1) {
            if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                bench::die(std::string("produce: ") + rd_kafka_err2str(rd_kafka_last_error()));
            }
            rd_kafka_poll(rk, 1);
        }
        bytes += v.size();
        if ((i & 1023) == 1023) rd_kafka_poll(rk, 0);
    }
    while (state.delivered + state.failed < count && rd_kafka_outq_len(rk) > 0) rd_kafka_poll(rk, 100);
    const double seconds = bench::seconds_since(t0);

    bench::print_result("raw_produce", bench::throughput_json(state.delivered, bytes, seconds) +
                                           ",\"failed\":" + std::to_string(state.failed) + "," +
                                           state.latency.json("delivery_"));
    rd_kafka_topic_destroy(topic);
    rd_kafka_destroy(rk);
    return state.failed == 0 ? 0 : 1;
}
