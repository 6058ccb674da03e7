#pragma once
// A Kafka producer bridged onto Asio.
//
// librdkafka's delivery reports are served on the producer's own strand: its main queue is
// watched through an fd (rd_kafka_queue_io_event_enable) and polled with timeout 0 when the fd
// wakes the event loop. No thread ever blocks in rd_kafka_poll.
//
// Two ways to send:
// - async_send(record): a coroutine that completes with the record's delivery report, resumed on
//   the awaiting coroutine's executor. Waits for room when librdkafka's queue is full.
// - send(record, listener): the throughput path. Returns at once; the listener's on_delivery is
//   called on the producer's strand when the report arrives. No allocation beyond librdkafka's.
//
// Lifecycle: construct, send, co_await async_flush(), then close() while the io_context still
// runs, so the producer's background polling ends and the io_context can run out of work. The
// destructor closes too, and purges whatever is still undelivered (their listeners are not
// called). Destroy it before the io_context.
// Thread safety: send, async_send, async_wait_for_space, async_flush and the observers may be
// called from any thread concurrently. Destroy only once nothing else uses the producer.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "streamstore/messaging/config.hpp"
#include "streamstore/messaging/message.hpp"

namespace streamstore::messaging {

struct ProducerConfig {
    ClientConfig client;
    /// enable.idempotence: no duplicates from producer retries, per-partition order kept;
    /// implies acks=all. Turning it off also sets acks=all unless -X acks=... overrides.
    bool idempotent = true;
    /// compression.type: none, gzip, snappy, lz4 or zstd.
    std::string compression = "lz4";
    /// linger.ms: how long a batch may wait for more records (latency against throughput).
    std::chrono::milliseconds linger{5};
    /// message.timeout.ms (Kafka's delivery.timeout.ms): after this a record fails with
    /// _MSG_TIMED_OUT; librdkafka retries before that on its own.
    std::chrono::milliseconds delivery_timeout{30'000};
    /// Topics this producer will send to. Their handles are created up front, so librdkafka
    /// fetches their metadata when it connects instead of on its 1 s topic scan after the first
    /// record (which would delay that record by up to a second). Other topics still work.
    std::vector<std::string> topics;
};

/// The outcome of one record, from librdkafka's delivery report.
struct DeliveryReport {
    std::error_code error;         ///< Empty when the broker acknowledged the record.
    std::int32_t partition = -1;
    std::int64_t offset = -1;      ///< -1 when failed (or unknown with acks=0).
};

/// Receives delivery reports of records sent with Producer::send.
class DeliveryListener {
public:
    /// Called once per record on the producer's strand. `record`'s topic, key and value are views
    /// valid only during the call (headers are not given back). Must not throw or block.
    virtual void on_delivery(const DeliveryReport& report, const ProducerRecord& record) noexcept = 0;

protected:
    ~DeliveryListener() = default;
};

class Producer {
public:
    /// Throws KafkaException when a property is invalid (naming it) or the client cannot start.
    Producer(boost::asio::any_io_executor executor, const ProducerConfig& config);
    ~Producer();
    Producer(const Producer&) = delete;
    Producer& operator=(const Producer&) = delete;

    /// Enqueues `record`. Returns an empty error_code when enqueued (`listener` will hear of it
    /// once), or the immediate failure, in which case `listener` is not called:
    /// _QUEUE_FULL (retriable: await async_wait_for_space() and send again), MSG_SIZE_TOO_LARGE,
    /// _UNKNOWN_PARTITION, _FATAL (the producer is unusable; see fatal_error()).
    /// `listener` must outlive its delivery reports.
    std::error_code send(const ProducerRecord& record, DeliveryListener& listener);

    /// Sends `record` and completes with its delivery report. A full queue is waited out, not
    /// reported. Never throws for a per-record failure: check report.error.
    boost::asio::awaitable<DeliveryReport> async_send(const ProducerRecord& record);

    /// Completes once librdkafka has served delivery reports since `send` last saw _QUEUE_FULL,
    /// i.e. when there may be room again.
    boost::asio::awaitable<void> async_wait_for_space();

    /// Waits until every enqueued record has its delivery report, or `timeout` passes.
    /// Returns how many records are still undelivered (0 = all done).
    boost::asio::awaitable<std::size_t> async_flush(std::chrono::milliseconds timeout);

    /// Stops serving delivery reports; the background poll loop ends soon after. Call after
    /// async_flush(). Idempotent, thread-safe, returns at once.
    void close();

    /// Records enqueued and not yet reported (librdkafka's rd_kafka_outq_len).
    [[nodiscard]] std::size_t in_flight() const;

    /// The fatal error librdkafka raised (e.g. an idempotence invariant broken), or empty.
    [[nodiscard]] std::error_code fatal_error() const;

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace streamstore::messaging
