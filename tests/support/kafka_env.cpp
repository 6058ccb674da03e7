#include "kafka_env.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <random>

#include <librdkafka/rdkafka.h>

#include "streamstore/messaging/admin.hpp"

namespace streamstore::testing {

std::string bootstrap_servers() {
    const char* env = std::getenv("STREAMSTORE_TEST_BOOTSTRAP_SERVERS");
    return env != nullptr && *env != '\0' ? env : "127.0.0.1:9092";
}

messaging::ClientConfig client_config(std::string client_id) {
    messaging::ClientConfig config;
    config.bootstrap_servers = bootstrap_servers();
    config.client_id = std::move(client_id);
    return config;
}

std::string broker_unreachable_reason() {
    const std::string servers = bootstrap_servers();
    const std::string first = servers.substr(0, servers.find(','));
    const auto colon = first.rfind(':');
    const std::string host = first.substr(0, colon);
    const std::string port = colon == std::string::npos ? "9092" : first.substr(colon + 1);
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* result = nullptr;
    if (getaddrinfo(host.c_str(), port.c_str(), &hints, &result) != 0 || result == nullptr) {
        return "cannot resolve the test broker " + servers;
    }
    const int fd = socket(result->ai_family, result->ai_socktype, result->ai_protocol);
    const bool ok = fd >= 0 && connect(fd, result->ai_addr, result->ai_addrlen) == 0;
    if (fd >= 0) close(fd);
    freeaddrinfo(result);
    if (ok) return {};
    return "no Kafka broker at " + servers +
           ": start one with `scripts/kafka-local.sh start` (or set STREAMSTORE_TEST_BOOTSTRAP_SERVERS)";
}

std::string unique_name(std::string_view prefix) {
    static std::mt19937_64 engine{std::random_device{}()};
    return std::string(prefix) + "-" + std::to_string(getpid()) + "-" + std::to_string(engine() % 1'000'000'000);
}

void create_topics(const std::vector<std::string>& topics, int partitions) {
    boost::asio::io_context io;
    std::vector<messaging::TopicSpec> specs;
    for (const auto& t : topics) specs.push_back({t, partitions, 1});
    run_for(io, messaging::async_create_topics(io.get_executor(), client_config(), specs, std::chrono::seconds(30)),
            std::chrono::seconds(40));
}

namespace {
struct Handle {
    rd_kafka_t* rk = nullptr;
    ~Handle() {
        if (rk != nullptr) rd_kafka_destroy(rk);
    }
};

rd_kafka_t* make_consumer(const std::string& group) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char error[512];
    auto set = [&](const char* k, const std::string& v) {
        if (rd_kafka_conf_set(conf, k, v.c_str(), error, sizeof error) != RD_KAFKA_CONF_OK) throw std::runtime_error(error);
    };
    set("bootstrap.servers", bootstrap_servers());
    set("group.id", group);
    set("enable.auto.commit", "false");
    set("auto.offset.reset", "earliest");
    set("isolation.level", "read_committed");
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error);
    if (rk == nullptr) throw std::runtime_error(error);
    rd_kafka_poll_set_consumer(rk);
    return rk;
}
}  // namespace

namespace {
// The partitions of `topic` as a new client's Metadata request reports them.
std::vector<std::int32_t> partitions_of(rd_kafka_t* rk, const std::string& topic) {
    const rd_kafka_metadata_t* metadata = nullptr;
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
    const auto err = rd_kafka_metadata(rk, 0, rkt, &metadata, 10'000);
    rd_kafka_topic_destroy(rkt);
    if (err) throw std::runtime_error("metadata for " + topic + ": " + rd_kafka_err2str(err));
    std::vector<std::int32_t> ids;
    rd_kafka_resp_err_t topic_err = RD_KAFKA_RESP_ERR_NO_ERROR;
    for (int t = 0; t < metadata->topic_cnt; ++t) {
        topic_err = metadata->topics[t].err;
        for (int p = 0; p < metadata->topics[t].partition_cnt; ++p) ids.push_back(metadata->topics[t].partitions[p].id);
    }
    rd_kafka_metadata_destroy(metadata);
    if (topic_err) throw std::runtime_error("metadata for " + topic + ": " + rd_kafka_err2str(topic_err));
    return ids;
}
}  // namespace

MetadataProbe::MetadataProbe() : rk_(make_consumer(unique_name("probe"))) {
    const rd_kafka_metadata_t* metadata = nullptr;  // connect now: ask for every topic once
    if (rd_kafka_metadata(rk_, 1, nullptr, &metadata, 10'000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_metadata_destroy(metadata);
    }
}

MetadataProbe::~MetadataProbe() { rd_kafka_destroy(rk_); }

int MetadataProbe::partition_count(const std::string& topic) {
    return static_cast<int>(partitions_of(rk_, topic).size());
}

std::string MetadataProbe::leader_error(const std::string& topic, std::int32_t partition) {
    std::int64_t low = 0, high = 0;
    const auto e = rd_kafka_query_watermark_offsets(rk_, topic.c_str(), partition, &low, &high, 10'000);
    return e ? rd_kafka_err2str(e) : "";
}

std::int64_t record_count(const std::string& topic) {
    Handle h{make_consumer(unique_name("count"))};
    std::int64_t total = 0;
    for (const std::int32_t partition : partitions_of(h.rk, topic)) {
        std::int64_t low = 0, high = 0;
        const auto e = rd_kafka_query_watermark_offsets(h.rk, topic.c_str(), partition, &low, &high, 10'000);
        if (e) throw std::runtime_error("watermarks for " + topic + ": " + rd_kafka_err2str(e));
        total += high - low;
    }
    return total;
}

std::vector<ReadRecord> read_topic(const std::string& topic, std::size_t count, std::chrono::milliseconds timeout) {
    Handle h{make_consumer(unique_name("read"))};
    rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(h.rk, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    std::vector<ReadRecord> records;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (records.size() < count && std::chrono::steady_clock::now() < deadline) {
        rd_kafka_message_t* m = rd_kafka_consumer_poll(h.rk, 200);  // a blocking poll is fine in test code
        if (m == nullptr) continue;
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            ReadRecord r;
            if (m->key) r.key.assign(static_cast<const char*>(m->key), m->key_len);
            if (m->payload) r.value.assign(static_cast<const char*>(m->payload), m->len);
            r.partition = m->partition;
            r.offset = m->offset;
            rd_kafka_headers_t* headers = nullptr;
            if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
                const char* name = nullptr;
                const void* value = nullptr;
                std::size_t size = 0;
                for (std::size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) == 0; ++i) {
                    r.headers[name] = value ? std::string(static_cast<const char*>(value), size) : std::string();
                }
            }
            records.push_back(std::move(r));
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(h.rk);
    return records;
}

}  // namespace streamstore::testing
