// Raw single-hop latency at a fixed rate: one thread produces real order JSON at --rate records/s
// with the services' producer settings (acks=all, idempotence, lz4, linger 5 ms), stamping each
// record with its send time in a header; a consumer group member with the services' consumer
// settings (read_committed) reads them back in the same process and records produce-to-consume
// latency. The first --warmup-s seconds are not recorded. This is the "raw single hop" the
// pipeline's order-to-notification latency is compared with.
//
// Result: records, seconds, achieved records/s, e2e_* and delivery_* percentiles (ms).

#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "common.hpp"

namespace {

const char* const kUsage =
    "raw_latency --bootstrap-server HOST:PORT --topic T --rate R --seconds S [--warmup-s 2] [--group G]\n"
    "            [--wakeup poll|io-event] [--compression lz4] [--linger-ms 5] [-X key=value ...]\n"
    "  --wakeup poll: the consumer thread blocks in rd_kafka_consumer_poll (default);\n"
    "  io-event: it sleeps in poll(2) on a pipe librdkafka writes to (rd_kafka_queue_io_event_enable, as the\n"
    "  services' QueueWaker does, 500 ms timeout) and then drains with rd_kafka_consume_batch_queue(timeout 0).";
constexpr const char* kHeader = "bench.sent_us";

struct Producing {
    std::atomic<std::int64_t> measure_from_us{0};
    bench::Histogram delivery;
    std::uint64_t failed = 0;
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* p = static_cast<Producing*>(opaque);
    if (m->err) {
        ++p->failed;
        return;
    }
    const auto sent = reinterpret_cast<std::intptr_t>(m->_private);
    if (sent >= p->measure_from_us.load()) p->delivery.record(bench::now_us() - sent);
}

}  // namespace

int main(int argc, char** argv) {
    const bench::Args args(argc, argv, kUsage);
    const std::string topic = args.str("topic", "latency");
    const double rate = args.real("rate", 1000);
    const double seconds = args.real("seconds", 10);
    const double warmup_s = args.real("warmup-s", 2);
    const std::string group = args.str("group", "bench-raw-latency");
    const std::string wakeup = args.str("wakeup", "poll");
    if (wakeup != "poll" && wakeup != "io-event") bench::die("--wakeup: poll or io-event");
    Producing producing;
    auto pconf = bench::producer_conf(args);
    auto cconf = bench::consumer_conf(args, group);
    args.check_all_used();
    if (rate <= 0) bench::die("--rate must be positive");
    rd_kafka_conf_set_opaque(pconf.get(), &producing);
    rd_kafka_conf_set_dr_msg_cb(pconf.get(), &on_delivery);
    rd_kafka_conf_set_rebalance_cb(cconf.get(), &bench::rebalance_cb);
    rd_kafka_t* producer = bench::make_client(RD_KAFKA_PRODUCER, std::move(pconf));
    rd_kafka_t* consumer = bench::make_client(RD_KAFKA_CONSUMER, std::move(cconf));
    rd_kafka_poll_set_consumer(consumer);
    bench::subscribe(consumer, {topic});

    // Wait until the consumer owns partitions, so group start-up is not measured.
    const auto join_start = bench::Clock::now();
    for (;;) {
        rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer, 100);
        if (m) rd_kafka_message_destroy(m);
        rd_kafka_topic_partition_list_t* assignment = nullptr;
        if (rd_kafka_assignment(consumer, &assignment) == RD_KAFKA_RESP_ERR_NO_ERROR) {
            const int n = assignment->cnt;
            rd_kafka_topic_partition_list_destroy(assignment);
            if (n > 0) break;
        }
        if (bench::seconds_since(join_start) > 60) bench::die("no partitions assigned within 60 s");
    }
    // bench/run.py waits for this line before it starts a neighbour's load.
    std::fprintf(stderr, "raw_latency: partitions assigned, producing\n");

    bench::Histogram e2e;
    std::atomic<bool> done{false};
    std::uint64_t received = 0;
    std::uint64_t wakeups = 0;
    auto handle = [&](rd_kafka_message_t* m) {
        const auto now = bench::now_us();
        rd_kafka_headers_t* headers = nullptr;
        const void* value = nullptr;
        std::size_t size = 0;
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR &&
            rd_kafka_header_get_last(headers, kHeader, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR &&
            size == sizeof(std::int64_t)) {
            std::int64_t sent = 0;
            std::memcpy(&sent, value, sizeof sent);
            ++received;
            if (sent >= producing.measure_from_us.load()) e2e.record(now - sent);
        }
        rd_kafka_message_destroy(m);
    };
    std::thread consuming([&] {
        if (wakeup == "poll") {
            while (!done.load()) {
                if (rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer, 100)) handle(m);
            }
            return;
        }
        int fds[2];
        if (::pipe(fds) != 0) bench::die("pipe");
        rd_kafka_queue_t* queue = rd_kafka_queue_get_consumer(consumer);
        const char payload = 1;
        rd_kafka_queue_io_event_enable(queue, fds[1], &payload, 1);
        std::vector<rd_kafka_message_t*> batch(500);
        while (!done.load()) {
            pollfd p{fds[0], POLLIN, 0};
            if (::poll(&p, 1, 500) > 0) {
                char sink[256];
                (void)::read(fds[0], sink, sizeof sink);
                ++wakeups;
            }
            for (;;) {
                const ssize_t n = rd_kafka_consume_batch_queue(queue, 0, batch.data(), batch.size());
                for (ssize_t i = 0; i < n; ++i) handle(batch[static_cast<std::size_t>(i)]);
                if (n < static_cast<ssize_t>(batch.size())) break;
            }
        }
        rd_kafka_queue_io_event_enable(queue, -1, nullptr, 0);
        rd_kafka_queue_destroy(queue);
        ::close(fds[0]);
        ::close(fds[1]);
    });

    const auto pool = bench::make_orders(1000, 7);
    const auto total = static_cast<std::uint64_t>(rate * (seconds + warmup_s));
    const auto t0 = bench::Clock::now();
    producing.measure_from_us = bench::now_us() + static_cast<std::int64_t>(warmup_s * 1e6);
    for (std::uint64_t i = 0; i < total; ++i) {
        const auto due = t0 + std::chrono::duration_cast<bench::Clock::duration>(
                                  std::chrono::duration<double>(static_cast<double>(i) / rate));
        for (auto now = bench::Clock::now(); now < due; now = bench::Clock::now()) {
            rd_kafka_poll(producer, 0);
            const auto left = due - now;
            if (left > std::chrono::microseconds(100)) {
                std::this_thread::sleep_for(std::min<bench::Clock::duration>(left - std::chrono::microseconds(50),
                                                                             std::chrono::milliseconds(1)));
            }
        }
        const bench::Payload& p = pool[i % pool.size()];
        const std::int64_t sent = bench::now_us();
        rd_kafka_vu_t vu[5] = {};
        vu[0].vtype = RD_KAFKA_VTYPE_TOPIC;
        vu[0].u.cstr = topic.c_str();
        vu[1].vtype = RD_KAFKA_VTYPE_KEY;
        vu[1].u.mem.ptr = const_cast<char*>(p.key.data());
        vu[1].u.mem.size = p.key.size();
        vu[2].vtype = RD_KAFKA_VTYPE_VALUE;
        vu[2].u.mem.ptr = const_cast<char*>(p.value.data());
        vu[2].u.mem.size = p.value.size();
        vu[3].vtype = RD_KAFKA_VTYPE_HEADER;
        vu[3].u.header.name = kHeader;
        vu[3].u.header.val = &sent;
        vu[3].u.header.size = static_cast<ssize_t>(sizeof sent);
        vu[4].vtype = RD_KAFKA_VTYPE_OPAQUE;
        vu[4].u.ptr = reinterpret_cast<void*>(sent);
        if (rd_kafka_error_t* error = rd_kafka_produceva(producer, vu, 5)) bench::check(error, "produce");
        rd_kafka_poll(producer, 0);
    }
    const double send_seconds = bench::seconds_since(t0);
    rd_kafka_flush(producer, 30000);
    // Let the last records arrive.
    const auto drain = bench::Clock::now();
    while (received < total && bench::seconds_since(drain) < 5) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    done = true;
    consuming.join();

    char extra[320];
    std::snprintf(extra, sizeof extra, "\"wakeup\":\"%s\",\"wakeups\":%llu,\"rate\":%.0f,\"records\":%llu,\"received\":%llu,\"seconds\":%.3f,\"records_per_s\":%.1f,",
                  wakeup.c_str(), static_cast<unsigned long long>(wakeups), rate, static_cast<unsigned long long>(total), static_cast<unsigned long long>(received), send_seconds,
                  static_cast<double>(total) / send_seconds);
    bench::print_result("raw_latency", extra + e2e.json("e2e_") + "," + producing.delivery.json("delivery_"));
    rd_kafka_consumer_close(consumer);
    rd_kafka_destroy(consumer);
    rd_kafka_destroy(producer);
    return producing.failed == 0 && received >= total ? 0 : 1;
}
