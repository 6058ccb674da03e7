#include "streamstore/messaging/admin.hpp"

#include <algorithm>
#include <memory>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "client.hpp"
#include "queue_waker.hpp"
#include "streamstore/messaging/error.hpp"

namespace streamstore::messaging {
namespace asio = boost::asio;

struct Admin::Impl {
    Impl(asio::any_io_executor executor, const ClientConfig& config)
        : strand(asio::make_strand(executor)), bootstrap_servers(config.bootstrap_servers) {
        rk = detail::make_client(RD_KAFKA_PRODUCER, detail::make_conf(config, {}));
        results.reset(rd_kafka_queue_new(rk));
    }
    ~Impl() {
        blocking.join();
        results.reset();
        rd_kafka_destroy(rk);
    }

    asio::awaitable<void> create_topics(std::vector<TopicSpec> topics, std::chrono::milliseconds timeout) {
        char error[512];
        std::vector<rd_kafka_NewTopic_t*> new_topics;
        for (const auto& t : topics) {
            rd_kafka_NewTopic_t* nt =
                rd_kafka_NewTopic_new(t.name.c_str(), t.partitions, t.replication_factor, error, sizeof error);
            if (nt == nullptr) {
                rd_kafka_NewTopic_destroy_array(new_topics.data(), new_topics.size());
                throw KafkaException("topic '" + t.name + "': " + error);
            }
            new_topics.push_back(nt);
        }
        rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
        const int timeout_ms = static_cast<int>(timeout.count());
        rd_kafka_AdminOptions_set_request_timeout(options, timeout_ms, error, sizeof error);
        rd_kafka_AdminOptions_set_operation_timeout(options, timeout_ms, error, sizeof error);
        rd_kafka_CreateTopics(rk, new_topics.data(), new_topics.size(), options, results.get());
        rd_kafka_AdminOptions_destroy(options);
        rd_kafka_NewTopic_destroy_array(new_topics.data(), new_topics.size());

        detail::EventPtr event = co_await await_result(timeout);
        if (const auto err = rd_kafka_event_error(event.get())) {
            if (err == RD_KAFKA_RESP_ERR__TIMED_OUT || err == RD_KAFKA_RESP_ERR__TRANSPORT) throw unreachable(timeout);
            throw KafkaException(make_kafka_error(err),
                                 std::string("creating topics failed: ") + rd_kafka_event_error_string(event.get()));
        }
        const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event.get());
        std::size_t count = 0;
        const rd_kafka_topic_result_t** per_topic = rd_kafka_CreateTopics_result_topics(result, &count);
        for (std::size_t i = 0; i < count; ++i) {
            const auto err = rd_kafka_topic_result_error(per_topic[i]);
            const char* name = rd_kafka_topic_result_name(per_topic[i]);
            if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
                spdlog::info("created topic '{}'", name);
            } else if (err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
                spdlog::debug("topic '{}' exists", name);
            } else if (err == RD_KAFKA_RESP_ERR__TIMED_OUT || err == RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT) {
                throw unreachable(timeout);
            } else {
                const char* message = rd_kafka_topic_result_error_string(per_topic[i]);
                throw KafkaException(make_kafka_error(err), std::string("cannot create topic '") + name +
                                                                "': " + (message ? message : rd_kafka_err2str(err)));
            }
        }
        // The two checks share one deadline, `timeout` from now.
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        const auto served = [&] { return topic_not_served(topics, timeout); };
        co_await retry_until_ready(deadline, served);
        const auto led = [&] { return partition_not_led(topics, deadline); };
        co_await retry_until_ready(deadline, led);
    }

    // Runs `check` (an awaitable returning what is not ready yet, or "" when all is) until it
    // returns "", waiting 10 ms after the first miss and twice as long after each next one, up to
    // 500 ms. Throws KafkaException with the last miss once the next wait would pass `deadline`.
    template <class Check>
    asio::awaitable<void> retry_until_ready(std::chrono::steady_clock::time_point deadline, Check check) {
        auto backoff = std::chrono::milliseconds(10);
        asio::steady_timer timer(strand);
        for (;;) {
            const std::string not_ready = co_await check();
            if (not_ready.empty()) co_return;
            if (std::chrono::steady_clock::now() + backoff > deadline) throw KafkaException(not_ready);
            spdlog::debug("{}; asking again in {} ms", not_ready, backoff.count());
            timer.expires_after(backoff);
            co_await timer.async_wait(asio::use_awaitable);
            backoff = std::min(backoff * 2, std::chrono::milliseconds(500));
        }
    }

    // CreateTopics returns once the controller has committed the topics; the broker applies them
    // to the metadata it serves a moment later. A consumer subscribing in between would be told
    // the topic does not exist and not look again for topic.metadata.refresh.interval.ms (5 min).
    // DescribeConfigs is answered from that same metadata, so once it finds every topic, so will
    // a consumer's Metadata request. Returns "" when it finds them all, else which one it misses.
    asio::awaitable<std::string> topic_not_served(const std::vector<TopicSpec>& topics,
                                                  std::chrono::milliseconds timeout) {
        std::vector<rd_kafka_ConfigResource_t*> resources;
        for (const auto& t : topics) resources.push_back(rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, t.name.c_str()));
        rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
        char error[512];
        rd_kafka_AdminOptions_set_request_timeout(options, static_cast<int>(timeout.count()), error, sizeof error);
        rd_kafka_DescribeConfigs(rk, resources.data(), resources.size(), options, results.get());
        rd_kafka_AdminOptions_destroy(options);
        rd_kafka_ConfigResource_destroy_array(resources.data(), resources.size());

        detail::EventPtr event = co_await await_result(timeout);
        std::string missing;
        if (rd_kafka_event_error(event.get()) == RD_KAFKA_RESP_ERR_NO_ERROR) {
            std::size_t count = 0;
            const rd_kafka_ConfigResource_t** described =
                rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(event.get()), &count);
            for (std::size_t i = 0; i < count; ++i) {
                if (rd_kafka_ConfigResource_error(described[i])) missing = rd_kafka_ConfigResource_name(described[i]);
            }
        } else {
            missing = rd_kafka_event_error_string(event.get());
        }
        if (missing.empty()) co_return std::string();
        co_return "topic '" + missing + "' was created but the broker does not serve it yet";
    }

    // The metadata a broker serves names a new partition's leader a moment before that broker
    // has taken the leadership up: a KRaft broker updates its metadata cache before its replica
    // manager. A produce in that window fails with NOT_LEADER_OR_FOLLOWER, and an idempotent
    // producer of librdkafka 2.0.2 was seen to lose a first batch sent right after creation while
    // reporting it delivered (docs/reliability.md, "Known limits").
    // ListOffsets is answered only by a partition's leader, through the same check as Produce, so
    // once every partition of every topic answers it, writing to them is safe. Existing topics are
    // checked too: another process may have created them a moment ago. Returns "" when every
    // partition answers, else the first that does not.
    asio::awaitable<std::string> partition_not_led(const std::vector<TopicSpec>& topics,
                                                   std::chrono::steady_clock::time_point deadline) {
        std::vector<std::string> names;
        for (const auto& t : topics) names.push_back(t.name);
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        const int call_timeout_ms = static_cast<int>(std::clamp<std::int64_t>(left.count(), 1, 5000));
        // The librdkafka calls block, so they run on `blocking`, never on the caller's executor.
        co_return co_await asio::co_spawn(blocking, find_partition_not_led(std::move(names), call_timeout_ms),
                                          asio::use_awaitable);
    }

    // Runs on `blocking`. Returns "" when every partition's leader answers ListOffsets, else
    // which topic or partition does not yet, and why.
    asio::awaitable<std::string> find_partition_not_led(std::vector<std::string> names, int timeout_ms) {
        for (const auto& name : names) {
            const rd_kafka_metadata_t* metadata = nullptr;
            rd_kafka_topic_t* topic = rd_kafka_topic_new(rk, name.c_str(), nullptr);
            const auto err = rd_kafka_metadata(rk, 0, topic, &metadata, timeout_ms);
            rd_kafka_topic_destroy(topic);
            if (err) co_return "no metadata for topic '" + name + "' yet (" + rd_kafka_err2str(err) + ")";
            const std::unique_ptr<const rd_kafka_metadata_t, decltype(&rd_kafka_metadata_destroy)> owned(
                metadata, &rd_kafka_metadata_destroy);
            if (metadata->topic_cnt != 1) co_return "topic '" + name + "' is not in the metadata yet";
            const rd_kafka_metadata_topic_t& described = metadata->topics[0];
            if (described.err) co_return "topic '" + name + "' is not served yet (" + rd_kafka_err2str(described.err) + ")";
            if (described.partition_cnt == 0) co_return "topic '" + name + "' has no partitions yet";
            for (int i = 0; i < described.partition_cnt; ++i) {
                const std::int32_t partition = described.partitions[i].id;
                std::int64_t low = 0;
                std::int64_t high = 0;
                if (const auto e = rd_kafka_query_watermark_offsets(rk, name.c_str(), partition, &low, &high, timeout_ms)) {
                    co_return "topic partition " + name + " [" + std::to_string(partition) +
                              "] has no leader that answers yet (" + rd_kafka_err2str(e) + ")";
                }
            }
        }
        co_return std::string();
    }

    // Waits for the next admin result on this client's queue (watched only for the wait).
    asio::awaitable<detail::EventPtr> await_result(std::chrono::milliseconds timeout) {
        detail::QueueWaker waker(strand, results.get());
        const auto deadline = std::chrono::steady_clock::now() + timeout + std::chrono::seconds(5);
        detail::EventPtr event;
        while (!(event = detail::EventPtr(rd_kafka_queue_poll(results.get(), 0)))) {
            if (std::chrono::steady_clock::now() > deadline) throw unreachable(timeout);
            co_await waker.async_wait(std::chrono::milliseconds(500));
        }
        co_return event;
    }

    KafkaException unreachable(std::chrono::milliseconds timeout) const {
        return KafkaException(make_kafka_error(RD_KAFKA_RESP_ERR__TIMED_OUT),
                              "no Kafka broker answered at " + bootstrap_servers + " within " +
                                  std::to_string(timeout.count()) +
                                  " ms (check --bootstrap-server / STREAMSTORE_BOOTSTRAP_SERVERS, or raise "
                                  "--startup-timeout)");
    }

    asio::strand<asio::any_io_executor> strand;
    asio::thread_pool blocking{1};  // runs the blocking librdkafka calls of partition_not_led
    std::string bootstrap_servers;
    rd_kafka_t* rk = nullptr;
    detail::QueuePtr results;
};

Admin::Admin(asio::any_io_executor executor, const ClientConfig& config)
    : impl_(std::make_shared<Impl>(std::move(executor), config)) {}

Admin::~Admin() = default;

asio::awaitable<void> Admin::async_create_topics(const std::vector<TopicSpec>& topics,
                                                 std::chrono::milliseconds timeout) {
    auto impl = impl_;
    co_await asio::co_spawn(impl->strand, impl->create_topics(topics, timeout), asio::use_awaitable);
}

asio::awaitable<void> async_create_topics(asio::any_io_executor executor, ClientConfig config,
                                          std::vector<TopicSpec> topics, std::chrono::milliseconds timeout) {
    Admin admin(std::move(executor), config);
    co_await admin.async_create_topics(topics, timeout);
}

}  // namespace streamstore::messaging
