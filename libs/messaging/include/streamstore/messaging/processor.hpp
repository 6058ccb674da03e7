#pragma once
// A consume-transform-produce loop with Kafka Streams' processing guarantees.
//
// The processor is a consumer group member and a producer on one strand. Records are taken from
// the consumer's queue with timeout-0 polls when its fd wakes the strand, handed one by one to a
// synchronous Transform that says what to produce, and the outputs are produced at once. Every
// `commit_interval` the work since the last commit is committed as a unit:
//
// - exactly_once (default): a transaction per interval on a transactional producer
//   (transactional.id). The outputs and the consumed offsets are committed together
//   (rd_kafka_send_offsets_to_transaction with the consumer's group metadata, KIP-447), and
//   consumers of the outputs read them with isolation.level=read_committed. A crash or an abort
//   discards the outputs of the open transaction and the next owner of the partitions resumes at
//   the committed offsets, so each input record's outputs appear exactly once.
// - at_least_once: an idempotent producer. Every interval the unit of work is closed and a new
//   one opens at once; the closed unit's offsets are committed asynchronously
//   (rd_kafka_commit_queue) as soon as every output it produced has its delivery report, while
//   the loop goes on consuming and producing. One unit commits at a time (the open one grows
//   meanwhile); a failed offset commit is retried after a backoff. Before partitions are given
//   up and on stop, everything is flushed and committed synchronously. Nothing is lost; after a
//   crash, records since the last commit are processed again.
//
// Failures (see docs/reliability.md for the full table):
// - a failed delivery, an abortable transaction error, a lost partition: the open transaction is
//   aborted (exactly_once), the consumer seeks back to the committed offsets and processing goes
//   on after an exponential backoff with jitter; `max_recoveries` consecutive failures end run()
//   with a KafkaException.
// - a commit that times out is retried, never aborted (KAFKA-17754: the broker may still be
//   completing it); after `commit_retries` the producer is recreated with the same
//   transactional.id, whose InitProducerId settles the old transaction, and the consumer seeks to
//   whatever offsets were in fact committed.
// - a fatal error (a fenced producer: another instance took over the transactional.id, or an
//   idempotence invariant broken): run() throws KafkaException; the process should exit non-zero.
// - a Transform that throws: the record is dead-lettered with error class "exception".
//
// Rebalances use the cooperative-sticky assignor (every member of a group must use it; a
// partition.assignment.strategy given in ClientConfig::properties wins, for all members). Revoked
// partitions: the open transaction (or the offsets) are committed before they are given up; lost
// partitions: the transaction is aborted. Assigned partitions: `on_assigned` runs first (to load
// state) and only then are they fetched.
//
// Memory: the consumer pre-fetches up to librdkafka's queued.min.messages (100,000) and
// queued.max.messages.kbytes (64 MiB), so draining a backlog holds up to that much (about 100 MB
// RSS). Lower bounds are a trade: librdkafka 2.0.2 backs fetching off for a fixed 1 s whenever
// either is reached (fetch.queue.backoff.ms came in 2.2.0), so a bound below one second of
// throughput caps throughput at about that bound per second (4 MiB: 24,000 instead of 140,000
// orders/s, docs/benchmarks.md). Set them through ClientConfig::properties (-X) where memory
// matters more.
//
// Threads: everything runs on the processor's strand except the blocking transactional calls
// (init, send offsets, commit, abort, committed-offset lookups), which run on a thread of the
// processor's own and are awaited; the I/O threads never block.
// Thread safety: stop() and stats() from any thread; the rest from one coroutine.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "streamstore/messaging/config.hpp"
#include "streamstore/messaging/message.hpp"

namespace streamstore::messaging {

/// Kafka Streams' processing.guarantee values.
enum class ProcessingGuarantee { exactly_once, at_least_once };

/// "exactly-once" or "at-least-once".
std::string_view to_string(ProcessingGuarantee guarantee) noexcept;
/// Parses "exactly-once" / "at-least-once" (also Kafka Streams' "exactly_once_v2" and
/// "at_least_once"); nullopt otherwise.
std::optional<ProcessingGuarantee> parse_processing_guarantee(std::string_view text) noexcept;

/// A topic partition.
struct TopicPartition {
    std::string topic;
    std::int32_t partition = 0;
    auto operator<=>(const TopicPartition&) const = default;
};

/// Bounded retry of transient failures: the n-th consecutive retry waits
/// min(initial * 2^(n-1), max) scaled by a random factor in [0.5, 1.0].
struct Backoff {
    std::chrono::milliseconds initial{100};
    std::chrono::milliseconds max{5'000};
    /// The wait before retry number `attempt` (1-based), given a uniform random `jitter` in [0, 1).
    [[nodiscard]] std::chrono::milliseconds delay(int attempt, double jitter) const noexcept;
};

struct ProcessorConfig {
    ClientConfig client;
    std::string group_id;                      ///< group.id (required)
    std::vector<std::string> input_topics;     ///< subscribed topics (required)
    std::vector<std::string> output_topics;    ///< topic handles created up front (see ProducerConfig::topics)
    ProcessingGuarantee guarantee = ProcessingGuarantee::exactly_once;
    /// transactional.id, required with exactly_once. Must be stable across restarts of one
    /// instance (so a restart fences its predecessor at once) and unique among live instances.
    std::string transactional_id;
    /// How often work is committed (Kafka Streams' commit.interval.ms).
    std::chrono::milliseconds commit_interval{100};
    /// Commit early once this many input records are uncommitted (bounds memory and redo work).
    std::size_t max_uncommitted = 20'000;
    /// transaction.timeout.ms: the broker aborts a transaction left open this long (a crashed
    /// instance's, when no successor with its transactional.id comes).
    std::chrono::milliseconds transaction_timeout{60'000};
    /// Blocking transactional calls give up after this (then retried as described above).
    std::chrono::milliseconds transaction_call_timeout{30'000};
    /// Retries of a commit that timed out before the producer is recreated.
    int commit_retries = 5;
    /// Consecutive failed commit cycles (aborts, rewinds) before run() gives up.
    int max_recoveries = 10;
    Backoff backoff;
    std::string auto_offset_reset = "earliest";       ///< auto.offset.reset
    std::string compression = "lz4";                  ///< compression.type
    std::chrono::milliseconds linger{5};              ///< linger.ms
    std::chrono::milliseconds delivery_timeout{30'000};  ///< message.timeout.ms (capped at transaction_timeout)
    /// Dead letter payloads longer than this are truncated, with dlq.payload.truncated=true.
    std::size_t max_dead_letter_bytes = 512 * 1024;
    std::size_t batch_size = 500;                     ///< records taken per poll, at most
};

/// What a Transform produces for one input record. Each call copies its arguments.
class Outputs {
public:
    /// Produces `value` (nullopt = a null value, a tombstone) to `topic` in the current unit of work.
    void send(std::string_view topic, std::string_view key, std::optional<std::string_view> value,
              std::vector<std::pair<std::string, std::string>> headers = {},
              std::int32_t partition = kAnyPartition);

    /// Dead-letters `record` to `<topic>.dlq` (see dead_letter.hpp for the headers), in the same
    /// unit of work as its offset.
    void dead_letter(const Message& record, std::string_view error_class, std::string_view reason);

    struct Record {
        std::string topic;
        std::string key;
        std::optional<std::string> value;
        std::vector<std::pair<std::string, std::string>> headers;
        std::int32_t partition = kAnyPartition;
        bool dead_letter = false;
    };
    /// What was sent since the last clear(), in order. Valid until the next send() or clear().
    [[nodiscard]] std::span<const Record> records() const noexcept { return {records_.data(), size_}; }
    /// Forgets what was sent; the records' strings keep their capacity for the next sends, so a
    /// steady stream of outputs allocates nothing here.
    void clear() noexcept { size_ = 0; }

    explicit Outputs(std::size_t max_dead_letter_bytes = 512 * 1024) : max_dead_letter_bytes_(max_dead_letter_bytes) {}

private:
    Record& next_record();

    std::vector<Record> records_;  // the first size_ are current; the rest are kept for reuse
    std::size_t size_ = 0;
    std::size_t max_dead_letter_bytes_;
};

/// Decides what to produce for `record` (plain, synchronous code). Throwing dead-letters the
/// record with error class "exception" and the exception's message.
using Transform = std::function<void(const Message& record, Outputs& out)>;

/// Optional hooks, called on the processor's strand unless said otherwise.
struct ProcessorHooks {
    /// Before newly assigned partitions are fetched; runs on the processor's blocking thread and
    /// may block (e.g. to load state for them). The strand waits for it, so it may touch the state
    /// the Transform uses without locking. Throwing fails run().
    std::function<void(const std::vector<TopicPartition>&)> on_assigned;
    /// After partitions were revoked or lost (their state may be dropped).
    std::function<void(const std::vector<TopicPartition>&)> on_revoked;
    /// When the unit of work since the last close takes no more records: its commit follows
    /// (on_commit) or it is discarded (on_abort). at_least_once may run the next unit while this
    /// one commits, so a service that keeps per-unit state (lines to print, ids to forget on an
    /// abort) starts a new batch here.
    std::function<void()> on_close;
    /// After the oldest closed unit was committed (e.g. to print its lines now). Called once per
    /// on_close that was not followed by on_abort, in the same order.
    std::function<void()> on_commit;
    /// After every unit not yet committed, closed or open, was discarded: aborted, or to be
    /// produced again after a rewind.
    std::function<void()> on_abort;
};

/// Counters, readable from any thread.
struct ProcessorStats {
    std::uint64_t consumed = 0;          ///< input records transformed
    std::uint64_t produced = 0;          ///< output records acknowledged (dead letters included)
    std::uint64_t dead_lettered = 0;     ///< input records dead-lettered
    std::uint64_t commits = 0;           ///< transactions (or offset commits) completed
    std::uint64_t aborts = 0;            ///< transactions aborted / work rewound
    std::uint64_t rebalances = 0;        ///< assignments and revocations served
    std::uint64_t assigned_partitions = 0;
    std::uint64_t uncommitted = 0;       ///< input records transformed and not yet committed
};

class Processor {
public:
    /// Throws KafkaException on an invalid configuration or property (naming it).
    Processor(boost::asio::any_io_executor executor, ProcessorConfig config, Transform transform,
              ProcessorHooks hooks = {});
    ~Processor();
    Processor(const Processor&) = delete;
    Processor& operator=(const Processor&) = delete;

    /// Initialises transactions (fencing a predecessor with the same transactional.id), joins the
    /// group and processes until stop(). Then: stops fetching, commits the open unit of work,
    /// leaves the group. Call once. Throws KafkaException on a fatal error or when
    /// max_recoveries is exceeded (after closing the consumer when it can).
    boost::asio::awaitable<void> async_run();

    /// Asks async_run to stop. Thread-safe, idempotent; returns at once.
    void stop();

    [[nodiscard]] ProcessorStats stats() const;

    /// What is not done yet, for a shutdown that overran its deadline: e.g.
    /// "120 records uncommitted, 3 outputs unacknowledged, transaction open".
    [[nodiscard]] std::string pending_work() const;

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace streamstore::messaging
