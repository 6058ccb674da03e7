// Client creation, metadata and deadlines shared by the tools' blocking reader and producer.
#include <algorithm>
#include <limits>

#include <spdlog/spdlog.h>

#include "handles.hpp"
#include "streamstore/messaging/error.hpp"
#include "streamstore/messaging/rdkafka_config.hpp"
#include "streamstore/runtime/duration.hpp"
#include "streamstore/tools/kafka.hpp"

namespace streamstore::tools {

namespace {
constexpr std::chrono::milliseconds kUnbounded{3'600'000};  // per blocking call when there is no deadline
}  // namespace

Deadline::Deadline(std::chrono::milliseconds timeout) : timeout_(timeout), at_(Clock::now() + timeout) {}

bool Deadline::passed() const noexcept { return timeout_.count() != 0 && Clock::now() >= at_; }

std::chrono::milliseconds Deadline::remaining() const noexcept {
    if (timeout_.count() == 0) return kUnbounded;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(at_ - Clock::now());
    return std::max(left, std::chrono::milliseconds{0});
}

std::string_view to_string(Isolation isolation) noexcept {
    return isolation == Isolation::read_committed ? "read_committed" : "read_uncommitted";
}

namespace detail {

ConfPtr make_conf(const messaging::ClientConfig& client, const std::vector<messaging::Property>& defaults,
                  const std::vector<messaging::Property>& forced) {
    return ConfPtr(messaging::new_rdkafka_conf(client, defaults, forced));
}

rd_kafka_t* make_client(rd_kafka_type_t type, ConfPtr conf) {
    char error[512];
    rd_kafka_t* rk = rd_kafka_new(type, conf.get(), error, sizeof error);
    if (rk == nullptr) throw messaging::KafkaException(std::string("cannot create Kafka client: ") + error);
    (void)conf.release();  // rd_kafka_new took it
    return rk;
}

int to_timeout_ms(std::chrono::milliseconds duration) noexcept {
    return static_cast<int>(std::clamp<std::int64_t>(duration.count(), 0, std::numeric_limits<int>::max()));
}

// Topic name to partition ids, through `rk`. Throws ToolError when no broker answers in time.
std::map<std::string, std::vector<std::int32_t>> topic_partitions(rd_kafka_t* rk, const messaging::ClientConfig& client,
                                                                  const Deadline& deadline) {
    const rd_kafka_metadata_t* raw = nullptr;
    // All topics: a Metadata request naming one could auto-create it on a broker that allows that.
    const rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, nullptr, &raw, to_timeout_ms(deadline.remaining()));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        throw ToolError("no Kafka broker answered at " + client.bootstrap_servers + " within " +
                        runtime::format_duration(deadline.timeout()) + " (" + rd_kafka_err2str(err) +
                        "; check -b/--bootstrap-server, or raise --timeout)");
    }
    const MetadataPtr metadata(raw);
    std::map<std::string, std::vector<std::int32_t>> topics;
    for (int t = 0; t < metadata->topic_cnt; ++t) {
        const rd_kafka_metadata_topic_t& topic = metadata->topics[t];
        if (topic.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) continue;
        auto& ids = topics[topic.topic];
        for (int p = 0; p < topic.partition_cnt; ++p) ids.push_back(topic.partitions[p].id);
        std::sort(ids.begin(), ids.end());
    }
    return topics;
}

}  // namespace detail

std::map<std::string, int> list_topics(const messaging::ClientConfig& client, const Deadline& deadline) {
    // A producer handle is the lightest client that can send a Metadata request.
    const detail::ClientPtr rk(detail::make_client(RD_KAFKA_PRODUCER, detail::make_conf(client, {}, {})));
    std::map<std::string, int> counts;
    for (const auto& [name, ids] : detail::topic_partitions(rk.get(), client, deadline)) {
        counts[name] = static_cast<int>(ids.size());
    }
    return counts;
}

}  // namespace streamstore::tools
