#pragma once
// Shared by the raw librdkafka baselines (bench/raw/*.cpp): flags, the librdkafka settings the
// services use (so a baseline differs from a service only in the work done per record), real order
// payloads, latency histograms and the one-line JSON result every baseline prints on stdout.
//
// The baselines use librdkafka's C API directly and do the least work per record that the
// measured pattern allows; see docs/benchmarks.md for what each one measures.

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "order_factory.hpp"
#include "streamstore/events/codec.hpp"

namespace bench {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

inline std::int64_t now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch()).count();
}

inline std::int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

[[noreturn]] inline void die(const std::string& message) {
    std::fprintf(stderr, "error: %s\n", message.c_str());
    std::exit(1);
}

// ---- flags: --name value, repeatable -X key=value ------------------------------------------

class Args {
public:
    Args(int argc, char** argv, const char* usage) : usage_(usage) {
        for (int i = 1; i < argc; ++i) {
            std::string a = argv[i];
            if (a == "-h" || a == "--help") {
                std::printf("%s\n", usage);
                std::exit(0);
            }
            if (i + 1 >= argc) die("flag " + a + " needs a value\n" + usage_);
            std::string v = argv[++i];
            if (a == "-X") {
                const auto eq = v.find('=');
                if (eq == std::string::npos) die("-X takes key=value, got " + v);
                props_.emplace_back(v.substr(0, eq), v.substr(eq + 1));
            } else if (a.rfind("--", 0) == 0) {
                values_[a.substr(2)] = v;
            } else {
                die("unknown argument " + a + "\n" + usage_);
            }
        }
    }

    std::string str(const std::string& name, const std::string& fallback) const {
        const auto it = values_.find(name);
        used_.push_back(name);
        return it == values_.end() ? fallback : it->second;
    }
    std::int64_t num(const std::string& name, std::int64_t fallback) const {
        const std::string v = str(name, std::to_string(fallback));
        char* end = nullptr;
        const long long n = std::strtoll(v.c_str(), &end, 10);
        if (end == v.c_str() || *end != '\0') die("--" + name + " takes an integer, got " + v);
        return n;
    }
    double real(const std::string& name, double fallback) const {
        const std::string v = str(name, std::to_string(fallback));
        char* end = nullptr;
        const double d = std::strtod(v.c_str(), &end);
        if (end == v.c_str() || *end != '\0') die("--" + name + " takes a number, got " + v);
        return d;
    }
    /// -X properties, applied last (they override everything, as in the services).
    const std::vector<std::pair<std::string, std::string>>& properties() const { return props_; }

    /// Call after reading every flag: an unknown flag is an error, not silently ignored.
    void check_all_used() const {
        for (const auto& [name, value] : values_) {
            if (std::find(used_.begin(), used_.end(), name) == used_.end()) die("unknown flag --" + name + "\n" + usage_);
        }
    }

private:
    std::string usage_;
    std::map<std::string, std::string> values_;
    std::vector<std::pair<std::string, std::string>> props_;
    mutable std::vector<std::string> used_;
};

// ---- librdkafka configuration --------------------------------------------------------------

struct ConfDeleter {
    void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
};
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;

inline void set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value) {
    char err[512];
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
        die("librdkafka property " + key + ": " + err);
    }
}

using Props = std::vector<std::pair<std::string, std::string>>;

/// The producer settings of libs/messaging (Producer and Processor): acks=all, idempotence,
/// compression lz4, linger 5 ms, message.timeout.ms 30 s; then the caller's extra, then -X.
inline ConfPtr producer_conf(const Args& args, const Props& extra = {}) {
    ConfPtr conf(rd_kafka_conf_new());
    set(conf.get(), "bootstrap.servers", args.str("bootstrap-server", "127.0.0.1:9092"));
    set(conf.get(), "client.id", "bench-raw");
    set(conf.get(), "enable.idempotence", "true");
    set(conf.get(), "acks", "all");
    set(conf.get(), "compression.type", args.str("compression", "lz4"));
    set(conf.get(), "linger.ms", args.str("linger-ms", "5"));
    set(conf.get(), "message.timeout.ms", "30000");
    for (const auto& [k, v] : extra) set(conf.get(), k, v);
    for (const auto& [k, v] : args.properties()) set(conf.get(), k, v);
    return conf;
}

/// The consumer settings of libs/messaging's Processor: manual offsets, read_committed,
/// cooperative-sticky, no partition EOF events; then the caller's extra, then -X.
inline ConfPtr consumer_conf(const Args& args, const std::string& group, const Props& extra = {}) {
    ConfPtr conf(rd_kafka_conf_new());
    set(conf.get(), "bootstrap.servers", args.str("bootstrap-server", "127.0.0.1:9092"));
    set(conf.get(), "client.id", "bench-raw");
    set(conf.get(), "group.id", group);
    set(conf.get(), "auto.offset.reset", "earliest");
    set(conf.get(), "enable.auto.commit", "false");
    set(conf.get(), "enable.auto.offset.store", "false");
    set(conf.get(), "isolation.level", "read_committed");
    set(conf.get(), "partition.assignment.strategy", "cooperative-sticky");
    set(conf.get(), "enable.partition.eof", "false");
    for (const auto& [k, v] : extra) set(conf.get(), k, v);
    for (const auto& [k, v] : args.properties()) set(conf.get(), k, v);
    return conf;
}

inline rd_kafka_t* make_client(rd_kafka_type_t type, ConfPtr conf) {
    char err[512];
    rd_kafka_t* rk = rd_kafka_new(type, conf.get(), err, sizeof err);
    if (rk == nullptr) die(std::string("rd_kafka_new: ") + err);
    (void)conf.release();
    return rk;
}

inline void check(rd_kafka_error_t* error, const char* what) {
    if (error == nullptr) return;
    const std::string message = std::string(what) + ": " + rd_kafka_error_string(error);
    rd_kafka_error_destroy(error);
    die(message);
}

/// The rebalance callback for cooperative-sticky: (un)assign incrementally what the group says.
inline void rebalance_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts, void*) {
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        rd_kafka_error_destroy(rd_kafka_incremental_assign(rk, parts));
    } else {
        rd_kafka_error_destroy(rd_kafka_incremental_unassign(rk, parts));
    }
}

inline void subscribe(rd_kafka_t* consumer, const std::vector<std::string>& topics) {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(static_cast<int>(topics.size()));
    for (const auto& t : topics) rd_kafka_topic_partition_list_add(list, t.c_str(), RD_KAFKA_PARTITION_UA);
    const rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer, list);
    rd_kafka_topic_partition_list_destroy(list);
    if (err) die(std::string("subscribe: ") + rd_kafka_err2str(err));
}

inline std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        const auto end = s.find(sep, start);
        out.push_back(s.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return out;
}

// ---- real orders -------------------------------------------------------------------------

struct Payload {
    std::string key;    // customer id, as order-generator keys them
    std::string value;  // the order event's JSON (events::encode), about 250 bytes
};

/// `n` distinct real orders, created now (order-generator's OrderFactory and JSON codec).
inline std::vector<Payload> make_orders(std::size_t n, std::uint64_t seed) {
    streamstore::order_generator::OrderFactory factory(seed);
    std::vector<Payload> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto event = factory.next(streamstore::events::now_ms());
        out.push_back({event.data.customer_id, streamstore::events::encode(event)});
    }
    return out;
}

// ---- latency histogram (µs, log-linear buckets: <1% error) --------------------------------

class Histogram {
public:
    void record(std::int64_t us) {
        if (us < 0) us = 0;
        ++counts_[bucket(us)];
        ++n_;
        max_ = std::max(max_, us);
        sum_ += static_cast<double>(us);
    }
    [[nodiscard]] std::uint64_t count() const { return n_; }
    /// The upper bound of the bucket holding quantile q (0..1], in µs.
    [[nodiscard]] std::int64_t percentile(double q) const {
        if (n_ == 0) return 0;
        const auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(n_)));
        std::uint64_t seen = 0;
        for (const auto& [b, c] : counts_) {
            seen += c;
            if (seen >= rank) return std::min(upper(b), max_);
        }
        return max_;
    }
    [[nodiscard]] double mean() const { return n_ ? sum_ / static_cast<double>(n_) : 0.0; }
    [[nodiscard]] std::int64_t max() const { return max_; }

    /// `"<prefix>p50_ms":…,"<prefix>p99_ms":…,"<prefix>p999_ms":…,"<prefix>max_ms":…`
    [[nodiscard]] std::string json(const std::string& prefix) const {
        char buf[512];
        std::snprintf(buf, sizeof buf,
                      "\"%sp50_ms\":%.3f,\"%sp99_ms\":%.3f,\"%sp999_ms\":%.3f,\"%smax_ms\":%.3f,\"%smean_ms\":%.3f,"
                      "\"%ssamples\":%" PRIu64,
                      prefix.c_str(), percentile(0.50) / 1e3, prefix.c_str(), percentile(0.99) / 1e3, prefix.c_str(),
                      percentile(0.999) / 1e3, prefix.c_str(), static_cast<double>(max_) / 1e3, prefix.c_str(),
                      mean() / 1e3, prefix.c_str(), n_);
        return buf;
    }

private:
    // 64 sub-buckets per power of two.
    static std::uint32_t bucket(std::int64_t v) {
        if (v < 64) return static_cast<std::uint32_t>(v);
        const int msb = 63 - __builtin_clzll(static_cast<unsigned long long>(v));
        const int shift = msb - 6;
        return static_cast<std::uint32_t>((shift + 1) * 64 + ((v >> shift) & 63));
    }
    static std::int64_t upper(std::uint32_t b) {
        if (b < 64) return b;
        const int shift = static_cast<int>(b / 64) - 1;
        const std::int64_t sub = b % 64;
        return ((64 + sub + 1) << shift) - 1;
    }
    std::map<std::uint32_t, std::uint64_t> counts_;
    std::uint64_t n_ = 0;
    std::int64_t max_ = 0;
    double sum_ = 0;
};

/// The result line: {"bench":name, …fields}. Printed once, on stdout.
inline void print_result(const std::string& name, const std::string& fields) {
    std::printf("{\"bench\":\"%s\",%s}\n", name.c_str(), fields.c_str());
    std::fflush(stdout);
}

inline std::string throughput_json(std::uint64_t records, std::uint64_t bytes, double seconds) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "\"records\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"seconds\":%.4f,\"records_per_s\":%.1f,\"mb_per_s\":%.3f",
                  records, bytes, seconds, seconds > 0 ? static_cast<double>(records) / seconds : 0.0,
                  seconds > 0 ? static_cast<double>(bytes) / seconds / 1e6 : 0.0);
    return buf;
}

}  // namespace bench
