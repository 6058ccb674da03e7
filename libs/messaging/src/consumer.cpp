#include "streamstore/messaging/consumer.hpp"

#include <atomic>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <span>

#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "client.hpp"
#include "queue_waker.hpp"
#include "streamstore/messaging/error.hpp"

namespace streamstore::messaging {
namespace asio = boost::asio;

namespace {
constexpr auto kHousekeeping = std::chrono::milliseconds(500);  // poll at least this often when idle

using TopicPartitionKey = std::pair<std::string, std::int32_t>;
}  // namespace

// One assigned partition: its own strand, its queue of records, handled one at a time.
struct PartitionWorker {
    PartitionWorker(asio::any_io_executor executor, rd_kafka_topic_t* rkt, std::int32_t p)
        : strand(asio::make_strand(executor)), topic(rkt), partition(p) {}

    asio::strand<asio::any_io_executor> strand;
    detail::TopicPtr topic;         // for rd_kafka_offset_store
    std::int32_t partition;
    std::deque<Message> queue;      // strand only
    bool running = false;           // strand only
    std::atomic<bool> revoked{false};
};

struct Consumer::Impl : std::enable_shared_from_this<Impl> {
    Impl(asio::any_io_executor ex, const ConsumerConfig& cfg)
        : executor(ex), strand(asio::make_strand(ex)), config(cfg), metrics(cfg.client.metrics) {
        if (config.group_id.empty()) throw KafkaException("consumer: a group id is required (--group-id)");
        if (config.topics.empty()) throw KafkaException("consumer: at least one topic is required");
        auto conf = detail::make_conf(config.client,
                                      {{"group.id", config.group_id},
                                       {"auto.offset.reset", config.auto_offset_reset},
                                       {"enable.auto.offset.store", "false"},
                                       {"enable.auto.commit", "true"},
                                       {"auto.commit.interval.ms", std::to_string(config.commit_interval.count())},
                                       {"partition.assignment.strategy", "cooperative-sticky"},
                                       {"enable.partition.eof", "false"}});
        rd_kafka_conf_set_opaque(conf.get(), this);
        detail::enable_statistics<Impl>(conf.get(), config.client);
        rd_kafka_conf_set_rebalance_cb(conf.get(), &Impl::on_rebalance);
        rd_kafka_conf_set_offset_commit_cb(conf.get(), &Impl::on_commit);
        rd_kafka_conf_set_error_cb(conf.get(), &Impl::on_error);
        rk = detail::make_client(RD_KAFKA_CONSUMER, std::move(conf));
        // One queue for everything: records, rebalances, commit results, errors.
        rd_kafka_poll_set_consumer(rk);
        queue.reset(rd_kafka_queue_get_consumer(rk));
        waker.emplace(strand, queue.get());
        low_watermark = config.max_in_flight / 2;
    }

    ~Impl() {
        waker.reset();
        workers.clear();
        queue.reset();
        // A consumer that was closed has left the group; one that was not (async_run never ran
        // or was abandoned) is destroyed without the blocking close.
        if (subscribed && !assigned_once.load()) {
            detail::abandon(rk, "it never got an assignment (librdkafka 2.0.2 aborts destroying it, #4312)");
            return;
        }
        rd_kafka_destroy_flags(rk, closed ? 0 : RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
    }

    // ---- the consumer strand -------------------------------------------------------------

    asio::awaitable<void> run(MessageHandler h) {
        handler = std::move(h);
        subscribe();
        std::vector<rd_kafka_message_t*> batch(config.batch_size);
        while (!stopping && !failed.load()) {
            throw_if_fatal();
            std::size_t taken = 0;
            const std::size_t in_flight_now = in_flight.load();
            const std::size_t room = in_flight_now >= config.max_in_flight ? 0 : config.max_in_flight - in_flight_now;
            const std::size_t want = std::min(room, batch.size());
            if (want > 0) {
                const ssize_t n = rd_kafka_consume_batch_queue(queue.get(), 0, batch.data(), want);
                if (n > 0) taken = static_cast<std::size_t>(n);
                dispatch(std::span(batch.data(), taken));
            }
            if (want > 0 && taken == want) {
                // Probably more waiting: let other handlers on this executor run, then go on.
                co_await asio::post(strand, asio::use_awaitable);
                continue;
            }
            co_await waker->async_wait(kHousekeeping);
        }
        co_await finish();
    }

    void subscribe() {
        detail::PartitionListPtr topics(rd_kafka_topic_partition_list_new(static_cast<int>(config.topics.size())));
        for (const auto& t : config.topics) rd_kafka_topic_partition_list_add(topics.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
        if (const auto err = rd_kafka_subscribe(rk, topics.get())) {
            throw KafkaException(make_kafka_error(err), std::string("subscribe failed: ") + rd_kafka_err2str(err));
        }
        subscribed = true;
        spdlog::info("consumer group '{}' subscribing to {}", config.group_id, fmt::join(config.topics, ", "));
    }

    void dispatch(std::span<rd_kafka_message_t*> messages) {
        // Group consecutive records of one partition so each partition strand gets one post.
        std::shared_ptr<PartitionWorker> current;
        std::vector<Message> run;
        auto flush = [&] {
            if (!current || run.empty()) return;
            in_flight.fetch_add(run.size());
            asio::post(current->strand, [self = shared_from_this(), worker = current, records = std::move(run)]() mutable {
                self->enqueue(worker, std::move(records));
            });
            run = std::vector<Message>();
        };
        for (rd_kafka_message_t* raw : messages) {
            Message message(raw);
            if (raw->err) {
                report_consume_error(raw);
                continue;
            }
            received.fetch_add(1, std::memory_order_relaxed);
            if (metrics) metrics->on_consumed(rd_kafka_topic_name(raw->rkt), 1, detail::payload_bytes(raw));
            auto worker = worker_for(raw);
            if (!worker) continue;  // partition no longer assigned: dropped, not committed
            if (worker != current) {
                flush();
                current = std::move(worker);
            }
            run.push_back(std::move(message));
        }
        flush();
    }

    std::shared_ptr<PartitionWorker> worker_for(const rd_kafka_message_t* raw) {
        TopicPartitionKey key{rd_kafka_topic_name(raw->rkt), raw->partition};
        auto it = workers.find(key);
        if (it != workers.end()) return it->second;
        if (!assigned.contains(key)) return nullptr;
        auto worker = std::make_shared<PartitionWorker>(executor, rd_kafka_topic_new(rk, key.first.c_str(), nullptr),
                                                        raw->partition);
        workers.emplace(std::move(key), worker);
        return worker;
    }

    void report_consume_error(const rd_kafka_message_t* raw) {
        const auto code = make_kafka_error(raw->err);
        if (raw->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) return;
        spdlog::warn("consumer: {}{}: {}", error_name(code),
                     raw->rkt ? fmt::format(" on {}[{}]", rd_kafka_topic_name(raw->rkt), raw->partition) : "",
                     rd_kafka_message_errstr(raw));
    }

    // Stop: wait for handed-out records, commit, close (leave the group).
    asio::awaitable<void> finish() {
        if (in_flight.load() > 0) {
            spdlog::info("consumer: waiting for {} records in flight", in_flight.load());
        }
        while (in_flight.load() > 0) co_await waker->async_wait(kHousekeeping);
        if (const auto err = rd_kafka_commit(rk, nullptr, 1 /*async*/);
            err && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
            spdlog::warn("consumer: final commit: {}", rd_kafka_err2str(err));
        }
        detail::ErrorPtr error(rd_kafka_consumer_close_queue(rk, queue.get()));
        if (error) {
            spdlog::error("consumer: close: {}", rd_kafka_error_string(error.get()));
        } else {
            std::vector<rd_kafka_message_t*> batch(64);
            while (!rd_kafka_consumer_closed(rk)) {
                // Serve rebalance/commit callbacks; records still arriving are dropped uncommitted.
                ssize_t n;
                while ((n = rd_kafka_consume_batch_queue(queue.get(), 0, batch.data(), batch.size())) > 0) {
                    for (ssize_t i = 0; i < n; ++i) rd_kafka_message_destroy(batch[static_cast<std::size_t>(i)]);
                }
                if (rd_kafka_consumer_closed(rk)) break;
                co_await waker->async_wait(kHousekeeping);
            }
            closed = true;
            spdlog::info("consumer group '{}': left the group", config.group_id);
        }
        waker->close();
        if (auto e = failure()) std::rethrow_exception(e);
        throw_if_fatal();
    }

    void throw_if_fatal() {
        char reason[512];
        if (const auto err = rd_kafka_fatal_error(rk, reason, sizeof reason)) {
            throw KafkaException(make_kafka_error(err), std::string("consumer fatal error: ") + reason);
        }
    }

    static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions,
                             void* opaque) {
        auto* self = static_cast<Impl*>(opaque);
        const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
        self->rebalances.fetch_add(1, std::memory_order_relaxed);
        if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
            self->assigned_once = true;
            for (int i = 0; i < partitions->cnt; ++i) {
                self->assigned.insert({partitions->elems[i].topic, partitions->elems[i].partition});
            }
            spdlog::info("consumer group '{}': assigned {} partition(s): {}", self->config.group_id, partitions->cnt,
                         describe(partitions));
            if (cooperative) {
                detail::ErrorPtr e(rd_kafka_incremental_assign(rk, partitions));
                if (e) spdlog::error("incremental assign: {}", rd_kafka_error_string(e.get()));
            } else {
                rd_kafka_assign(rk, partitions);
            }
        } else {
            const bool lost = rd_kafka_assignment_lost(rk);
            for (int i = 0; i < partitions->cnt; ++i) {
                TopicPartitionKey key{partitions->elems[i].topic, partitions->elems[i].partition};
                self->assigned.erase(key);
                if (auto it = self->workers.find(key); it != self->workers.end()) {
                    it->second->revoked = true;  // its queued records are dropped, uncommitted
                    self->workers.erase(it);
                }
            }
            spdlog::info("consumer group '{}': {} {} partition(s): {}", self->config.group_id,
                         lost ? "lost" : "revoked", partitions->cnt, describe(partitions));
            if (!lost) {
                // Commit what has finished before another member takes over.
                const auto c = rd_kafka_commit(rk, nullptr, 1 /*async*/);
                if (c && c != RD_KAFKA_RESP_ERR__NO_OFFSET) spdlog::warn("commit on revoke: {}", rd_kafka_err2str(c));
            }
            if (cooperative) {
                detail::ErrorPtr e(rd_kafka_incremental_unassign(rk, partitions));
                if (e) spdlog::error("incremental unassign: {}", rd_kafka_error_string(e.get()));
            } else {
                rd_kafka_assign(rk, nullptr);
            }
        }
        self->assigned_count.store(self->assigned.size());
    }

    static std::string describe(const rd_kafka_topic_partition_list_t* partitions) {
        std::string out;
        for (int i = 0; i < partitions->cnt; ++i) {
            if (i) out += ", ";
            out += fmt::format("{}[{}]", partitions->elems[i].topic, partitions->elems[i].partition);
        }
        return out;
    }

    static void on_commit(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t*, void*) {
        if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET) spdlog::warn("offset commit failed: {}", rd_kafka_err2str(err));
    }

    static void on_error(rd_kafka_t*, int err, const char* reason, void*) {
        spdlog::warn("consumer: {}: {}", rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err)), reason);
    }

    // ---- partition strands ---------------------------------------------------------------

    void enqueue(const std::shared_ptr<PartitionWorker>& worker, std::vector<Message> records) {
        for (auto& r : records) worker->queue.push_back(std::move(r));
        if (!worker->running) {
            worker->running = true;
            auto self = shared_from_this();  // named: see Producer::Impl::start
            asio::co_spawn(worker->strand, handle_records(self, worker), asio::detached);
        }
    }

    static asio::awaitable<void> handle_records(std::shared_ptr<Impl> self, std::shared_ptr<PartitionWorker> worker) {
        while (!worker->queue.empty()) {
            if (worker->revoked.load() || self->failed.load()) {
                const std::size_t dropped = worker->queue.size();
                worker->queue.clear();
                self->release(dropped);
                break;
            }
            Message message = std::move(worker->queue.front());
            worker->queue.pop_front();
            std::exception_ptr error;
            try {
                co_await self->handler(message);
            } catch (...) {
                error = std::current_exception();
            }
            if (error) {
                self->fail(error, message);
            } else if (!worker->revoked.load()) {
                // The next record to read is offset + 1; rd_kafka_offset_store adds the 1.
                rd_kafka_offset_store(worker->topic.get(), worker->partition, message.offset());
            }
            self->handled.fetch_add(1, std::memory_order_relaxed);
            self->release(1);
        }
        worker->running = false;
    }

    void release(std::size_t n) {
        const std::size_t before = in_flight.fetch_sub(n);
        const std::size_t after = before - n;
        if ((before > low_watermark && after <= low_watermark) || after == 0) {
            asio::post(strand, [self = shared_from_this()] { self->waker->wake(); });
        }
    }

    void fail(std::exception_ptr error, const Message& message) {
        {
            std::lock_guard lock(failure_mutex);
            if (first_failure) return;
            first_failure = error;
        }
        spdlog::error("handler failed on {}[{}]@{}: stopping the consumer; the record will be consumed again",
                      message.topic(), message.partition(), message.offset());
        failed = true;
        asio::post(strand, [self = shared_from_this()] { self->waker->wake(); });
    }

    std::exception_ptr failure() {
        std::lock_guard lock(failure_mutex);
        return first_failure;
    }

    asio::any_io_executor executor;
    asio::strand<asio::any_io_executor> strand;
    ConsumerConfig config;
    std::shared_ptr<MetricsSink> metrics;  // may be null
    rd_kafka_t* rk = nullptr;
    detail::QueuePtr queue;
    std::optional<detail::QueueWaker> waker;
    MessageHandler handler;
    // Consumer strand only:
    std::map<TopicPartitionKey, std::shared_ptr<PartitionWorker>> workers;
    std::set<TopicPartitionKey> assigned;
    bool stopping = false;
    bool closed = false;
    bool subscribed = false;
    std::atomic<bool> assigned_once{false};
    // Any thread:
    std::size_t low_watermark = 0;
    std::atomic<std::size_t> in_flight{0};
    std::atomic<bool> failed{false};
    std::atomic<std::uint64_t> received{0};
    std::atomic<std::uint64_t> handled{0};
    std::atomic<std::uint64_t> rebalances{0};
    std::atomic<std::uint64_t> assigned_count{0};
    std::mutex failure_mutex;
    std::exception_ptr first_failure;
};

Consumer::Consumer(asio::any_io_executor executor, const ConsumerConfig& config)
    : impl_(std::make_shared<Impl>(std::move(executor), config)) {}

Consumer::~Consumer() = default;

asio::awaitable<void> Consumer::async_run(MessageHandler handler) {
    auto impl = impl_;
    co_await asio::co_spawn(impl->strand, impl->run(std::move(handler)), asio::use_awaitable);
}

void Consumer::stop() {
    asio::post(impl_->strand, [impl = impl_] {
        impl->stopping = true;
        impl->waker->wake();
    });
}

ConsumerStats Consumer::stats() const {
    return ConsumerStats{impl_->received.load(), impl_->handled.load(), impl_->assigned_count.load(),
                         impl_->rebalances.load()};
}

}  // namespace streamstore::messaging
