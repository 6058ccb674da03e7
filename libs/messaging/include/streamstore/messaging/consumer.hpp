#pragma once
// A consumer group member bridged onto Asio, with one strand per partition.
//
// The consumer's queue (all assigned partitions, rebalances, commits and errors) is watched
// through an fd and polled with timeout 0 on the consumer's strand. Each partition's records go
// to that partition's own strand and are handled one at a time, in offset order; different
// partitions are handled concurrently (in parallel when the io_context runs on several threads).
//
// Offsets: a record's offset is stored for commit only after its handler has finished without
// throwing (enable.auto.offset.store=false); stored offsets are committed every
// `commit_interval` (enable.auto.commit, auto.commit.interval.ms), when partitions are revoked,
// and on stop. So every record is handled at least once; a crash or rebalance may hand a record
// whose handler had not finished to the next owner again.
//
// Flow control: at most `max_in_flight` records are handed out and not finished; beyond that the
// consumer stops taking records from librdkafka (whose own prefetch is bounded by
// queued.max.messages.kbytes) until handlers catch up.
//
// Stop (stop(), from any thread): stop handing out records, let every handler already running
// or queued finish, commit the stored offsets, then close (leave the group), serving the
// consumer queue until librdkafka reports the consumer closed. async_run returns after that.
// Rebalance: partitions are assigned with the cooperative-sticky assignor by default; a revoked
// partition's queued records are dropped (not committed), the stored offsets are committed
// before the revocation completes.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "streamstore/messaging/config.hpp"
#include "streamstore/messaging/message.hpp"

namespace streamstore::messaging {

struct ConsumerConfig {
    ClientConfig client;
    std::string group_id;                   ///< group.id (required)
    std::vector<std::string> topics;        ///< subscribed topics (required)
    std::string auto_offset_reset = "earliest";       ///< auto.offset.reset, with no committed offset
    std::chrono::milliseconds commit_interval{1'000}; ///< auto.commit.interval.ms
    std::size_t max_in_flight = 5'000;      ///< records handed out and not finished, at most
    std::size_t batch_size = 500;           ///< records taken from librdkafka per poll, at most
};

/// Handles one record; runs on the record's partition strand. Throwing fails the consumer: the
/// record's offset is not committed, the consumer stops and async_run rethrows after closing.
using MessageHandler = std::function<boost::asio::awaitable<void>(const Message&)>;

/// Counters, readable from any thread.
struct ConsumerStats {
    std::uint64_t received = 0;     ///< records taken from librdkafka
    std::uint64_t handled = 0;      ///< records whose handler finished
    std::uint64_t assigned_partitions = 0;
    std::uint64_t rebalances = 0;   ///< assignments and revocations served
};

class Consumer {
public:
    /// Throws KafkaException on an invalid property (naming it).
    Consumer(boost::asio::any_io_executor executor, const ConsumerConfig& config);
    ~Consumer();
    Consumer(const Consumer&) = delete;
    Consumer& operator=(const Consumer&) = delete;

    /// Subscribes and hands records to `handler` until stop(); then stops as described above.
    /// Call once. Throws KafkaException on a fatal consumer error, and rethrows the first
    /// exception a handler threw (both after closing the consumer).
    boost::asio::awaitable<void> async_run(MessageHandler handler);

    /// Asks async_run to stop. Thread-safe, idempotent; returns at once.
    void stop();

    [[nodiscard]] ConsumerStats stats() const;

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace streamstore::messaging
