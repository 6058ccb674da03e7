// libs/messaging against a real broker: delivery reports, consumer groups, commits.
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "kafka_env.hpp"
#include "streamstore/messaging/consumer.hpp"
#include "streamstore/messaging/producer.hpp"

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using namespace std::chrono_literals;
using streamstore::messaging::Consumer;
using streamstore::messaging::ConsumerConfig;
using streamstore::messaging::DeliveryReport;
using streamstore::messaging::Header;
using streamstore::messaging::Message;
using streamstore::messaging::Producer;
using streamstore::messaging::ProducerConfig;
using streamstore::messaging::ProducerRecord;
namespace testing_env = streamstore::testing;

namespace {

ProducerConfig producer_config() {
    ProducerConfig config;
    config.client = testing_env::client_config("producer-test");
    return config;
}

ConsumerConfig consumer_config(const std::string& topic, const std::string& group) {
    ConsumerConfig config;
    config.client = testing_env::client_config("consumer-test");
    config.group_id = group;
    config.topics = {topic};
    config.commit_interval = 200ms;
    return config;
}

// Sends `count` records "<prefix>-<i>" keyed "key-<i % 7>" and returns their reports.
asio::awaitable<std::vector<DeliveryReport>> send_records(Producer& producer, std::string topic, int first, int count) {
    std::vector<DeliveryReport> reports;
    for (int i = first; i < first + count; ++i) {
        const std::string key = "key-" + std::to_string(i % 7);
        const std::string value = "record-" + std::to_string(i);
        const std::array<Header, 1> headers{{{"index", value}}};
        const ProducerRecord record{.topic = topic, .key = key, .value = value, .headers = headers};
        reports.push_back(co_await producer.async_send(record));
    }
    co_return reports;
}

// Collects what a consumer handled, thread-safely, and stops it once `target` records arrived.
struct Collector {
    std::mutex mutex;
    std::vector<std::string> values;
    std::map<int, std::vector<std::int64_t>> offsets_by_partition;
    std::set<int> partitions;

    std::size_t add(const Message& m) {
        std::lock_guard lock(mutex);
        values.emplace_back(m.value());
        offsets_by_partition[m.partition()].push_back(m.offset());
        partitions.insert(m.partition());
        return values.size();
    }
    std::size_t size() {
        std::lock_guard lock(mutex);
        return values.size();
    }
};

asio::awaitable<void> consume_until(Consumer& consumer, Collector& collector, std::size_t target) {
    streamstore::messaging::MessageHandler handler = [&](const Message& m) -> asio::awaitable<void> {
        if (collector.add(m) == target) consumer.stop();
        co_return;
    };
    co_await consumer.async_run(std::move(handler));
}

}  // namespace

TEST(MessagingRoundTrip, ProducesWithDeliveryReportsAndConsumesInPartitionOrder) {
    STREAMSTORE_REQUIRE_BROKER();
    const std::string topic = testing_env::unique_name("roundtrip");
    testing_env::create_topics({topic}, 3);
    asio::io_context io;
    Producer producer(io.get_executor(), producer_config());
    const auto reports = testing_env::run_for(io, send_records(producer, topic, 0, 100), 60s);
    ASSERT_EQ(reports.size(), 100u);
    for (const auto& r : reports) {
        EXPECT_FALSE(r.error) << r.error.message();
        EXPECT_GE(r.offset, 0);
        EXPECT_GE(r.partition, 0);
    }
    producer.close();

    Consumer consumer(io.get_executor(), consumer_config(topic, testing_env::unique_name("group")));
    Collector collector;
    testing_env::run_for(io, consume_until(consumer, collector, 100), 60s);
    ASSERT_EQ(collector.size(), 100u);
    std::set<std::string> unique(collector.values.begin(), collector.values.end());
    EXPECT_EQ(unique.size(), 100u);
    for (const auto& [partition, offsets] : collector.offsets_by_partition) {
        EXPECT_TRUE(std::is_sorted(offsets.begin(), offsets.end())) << "partition " << partition << " out of order";
    }
    EXPECT_EQ(testing_env::record_count(topic), 100);
}

TEST(MessagingRoundTrip, HeadersAndKeysArriveIntact) {
    STREAMSTORE_REQUIRE_BROKER();
    const std::string topic = testing_env::unique_name("headers");
    testing_env::create_topics({topic}, 1);
    asio::io_context io;
    Producer producer(io.get_executor(), producer_config());
    testing_env::run_for(io, send_records(producer, topic, 0, 5), 30s);
    producer.close();
    const auto records = testing_env::read_topic(topic, 5, 30s);
    ASSERT_EQ(records.size(), 5u);
    for (const auto& r : records) {
        EXPECT_EQ(r.headers.at("index"), r.value);
        EXPECT_EQ(r.key.rfind("key-", 0), 0u);
    }
}

TEST(ConsumerGroup, ResumesFromCommittedOffsetAfterRestart) {
    STREAMSTORE_REQUIRE_BROKER();
    const std::string topic = testing_env::unique_name("resume");
    const std::string group = testing_env::unique_name("group");
    testing_env::create_topics({topic}, 3);
    asio::io_context io;
    Producer producer(io.get_executor(), producer_config());
    testing_env::run_for(io, send_records(producer, topic, 0, 50), 60s);
    {
        Consumer first(io.get_executor(), consumer_config(topic, group));
        Collector seen;
        testing_env::run_for(io, consume_until(first, seen, 50), 60s);  // stop() commits and leaves
        ASSERT_EQ(seen.size(), 50u);
    }
    testing_env::run_for(io, send_records(producer, topic, 50, 20), 60s);
    producer.close();

    Consumer second(io.get_executor(), consumer_config(topic, group));
    Collector resumed;
    testing_env::run_for(io, consume_until(second, resumed, 20), 60s);
    ASSERT_EQ(resumed.size(), 20u);
    for (const auto& v : resumed.values) {
        const int index = std::stoi(v.substr(v.find('-') + 1));
        EXPECT_GE(index, 50) << v << " was consumed again although its offset had been committed";
    }
}

TEST(ConsumerGroup, TwoMembersSplitThePartitions) {
    STREAMSTORE_REQUIRE_BROKER();
    const std::string topic = testing_env::unique_name("split");
    const std::string group = testing_env::unique_name("group");
    testing_env::create_topics({topic}, 4);
    asio::io_context io;
    Consumer a(io.get_executor(), consumer_config(topic, group));
    Consumer b(io.get_executor(), consumer_config(topic, group));
    Collector from_a, from_b;
    std::atomic<std::size_t> total{0};
    constexpr std::size_t kRecords = 400;
    auto member = [&](Consumer& self, Collector& mine) -> asio::awaitable<void> {
        streamstore::messaging::MessageHandler handler = [&](const Message& m) -> asio::awaitable<void> {
            mine.add(m);
            if (total.fetch_add(1) + 1 == kRecords) {
                a.stop();
                b.stop();
            }
            co_return;
        };
        co_await self.async_run(std::move(handler));
    };
    // Both members join first; only once the four partitions are split between them is anything sent.
    auto driver = [&]() -> asio::awaitable<void> {
        auto ex = co_await asio::this_coro::executor;
        asio::steady_timer tick(ex);
        while (!(a.stats().assigned_partitions > 0 && b.stats().assigned_partitions > 0 &&
                 a.stats().assigned_partitions + b.stats().assigned_partitions == 4)) {
            tick.expires_after(50ms);  // re-check the group state; bounded by run_for's deadline
            co_await tick.async_wait(asio::use_awaitable);
        }
        Producer producer(ex, producer_config());
        co_await send_records(producer, topic, 0, static_cast<int>(kRecords));
        producer.close();
    };
    auto scenario = [&]() -> asio::awaitable<void> { co_await (member(a, from_a) && member(b, from_b) && driver()); };
    testing_env::run_for(io, scenario(), 120s);
    EXPECT_EQ(from_a.size() + from_b.size(), kRecords);
    EXPECT_GT(from_a.size(), 0u);
    EXPECT_GT(from_b.size(), 0u);
    for (int p : from_a.partitions) EXPECT_FALSE(from_b.partitions.contains(p)) << "partition " << p << " read by both";
    std::set<std::string> all(from_a.values.begin(), from_a.values.end());
    all.insert(from_b.values.begin(), from_b.values.end());
    EXPECT_EQ(all.size(), kRecords);
}

TEST(Admin, CreatedTopicsAreServedAsSoonAsTheCallReturns) {
    STREAMSTORE_REQUIRE_BROKER();
    // A consumer subscribing right after creation must see every topic (see Admin::async_create_topics).
    // The broker applies new topics to the metadata it serves asynchronously; the window is a few
    // ms, so this catches a regression under CPU load (3 of 5 loaded runs failed without the wait),
    // and only sometimes on an idle machine.
    testing_env::MetadataProbe probe;
    for (int round = 0; round < 5; ++round) {
        const std::vector<std::string> topics = {testing_env::unique_name("fresh"), testing_env::unique_name("fresh"),
                                                 testing_env::unique_name("fresh")};
        testing_env::create_topics(topics, 3);
        for (const auto& topic : topics) {
            int partitions = 0;
            EXPECT_NO_THROW(partitions = probe.partition_count(topic)) << topic << " in round " << round;
            EXPECT_EQ(partitions, 3) << topic;
        }
    }
}

TEST(Admin, CreatedTopicsAreLedAsSoonAsTheCallReturns) {
    STREAMSTORE_REQUIRE_BROKER();
    // A producer's first batch must find each partition's leader ready: a broker lists a new
    // partition's leader in its metadata a moment before it takes the leadership up, and a first
    // batch refused then can be lost by librdkafka 2.0.2's idempotent producer (see
    // Admin::async_create_topics). Without the leader check, a ListOffsets right after creation
    // answered "Not leader for partition" in at least 4 of the 5 rounds on an idle machine.
    testing_env::MetadataProbe probe;
    for (int round = 0; round < 5; ++round) {
        const std::vector<std::string> topics = {testing_env::unique_name("led"), testing_env::unique_name("led")};
        testing_env::create_topics(topics, 3);
        for (const auto& topic : topics) {
            for (std::int32_t partition = 0; partition < 3; ++partition) {
                EXPECT_EQ(probe.leader_error(topic, partition), "") << topic << " [" << partition << "] in round " << round;
            }
        }
    }
}
