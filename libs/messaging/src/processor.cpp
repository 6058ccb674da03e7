#include "streamstore/messaging/processor.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <span>
#include <unordered_map>

#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "client.hpp"
#include "queue_waker.hpp"
#include "streamstore/messaging/dead_letter.hpp"
#include "streamstore/messaging/trace_scope.hpp"
#include "streamstore/messaging/error.hpp"

namespace streamstore::messaging {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

std::string_view to_string(ProcessingGuarantee guarantee) noexcept {
    return guarantee == ProcessingGuarantee::exactly_once ? "exactly-once" : "at-least-once";
}

std::optional<ProcessingGuarantee> parse_processing_guarantee(std::string_view text) noexcept {
    if (text == "exactly-once" || text == "exactly_once" || text == "exactly_once_v2") {
        return ProcessingGuarantee::exactly_once;
    }
    if (text == "at-least-once" || text == "at_least_once") return ProcessingGuarantee::at_least_once;
    return std::nullopt;
}

std::chrono::milliseconds Backoff::delay(int attempt, double jitter) const noexcept {
    const int shift = std::clamp(attempt - 1, 0, 30);
    const auto base = std::min<std::int64_t>(max.count(), initial.count() << std::min(shift, 20));
    const double factor = 0.5 + 0.5 * std::clamp(jitter, 0.0, 1.0);
    return std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(base) * factor));
}

Outputs::Record& Outputs::next_record() {
    if (size_ == records_.size()) records_.emplace_back();
    return records_[size_++];
}

void Outputs::send(std::string_view topic, std::string_view key, std::optional<std::string_view> value,
                   std::vector<std::pair<std::string, std::string>> headers, std::int32_t partition) {
    Record& record = next_record();
    record.topic.assign(topic);
    record.key.assign(key);
    if (value) {
        if (!record.value) record.value.emplace();
        record.value->assign(*value);
    } else {
        record.value.reset();
    }
    record.headers = std::move(headers);
    record.partition = partition;
    record.dead_letter = false;
}

void Outputs::dead_letter(const Message& record, std::string_view error_class, std::string_view reason) {
    std::vector<std::pair<std::string, std::string>> headers{
        {std::string(kDlqOriginalTopic), std::string(record.topic())},
        {std::string(kDlqOriginalPartition), std::to_string(record.partition())},
        {std::string(kDlqOriginalOffset), std::to_string(record.offset())},
        {std::string(kDlqErrorClass), std::string(error_class)},
        {std::string(kDlqErrorMessage), std::string(reason.substr(0, 1024))},
    };
    std::optional<std::string_view> value;
    if (record.has_value()) {
        value = record.value();
        if (value->size() > max_dead_letter_bytes_) {
            headers.emplace_back(std::string(kDlqPayloadTruncated), "true");
            headers.emplace_back(std::string(kDlqPayloadOriginalBytes), std::to_string(value->size()));
            value = value->substr(0, max_dead_letter_bytes_);
        }
    }
    send(dead_letter_topic(record.topic()), record.key(), value, std::move(headers));
    records_[size_ - 1].dead_letter = true;
}

namespace {

constexpr auto kIdle = std::chrono::milliseconds(500);  // poll at least this often when idle

struct ProducerDeleter {
    void operator()(rd_kafka_t* rk) const noexcept { rd_kafka_destroy(rk); }
};
using ClientPtr = std::unique_ptr<rd_kafka_t, ProducerDeleter>;

std::vector<TopicPartition> to_vector(const rd_kafka_topic_partition_list_t* list) {
    std::vector<TopicPartition> out;
    out.reserve(static_cast<std::size_t>(list->cnt));
    for (int i = 0; i < list->cnt; ++i) out.push_back({list->elems[i].topic, list->elems[i].partition});
    return out;
}

std::string describe(const std::vector<TopicPartition>& partitions) {
    std::string out;
    for (const auto& tp : partitions) {
        if (!out.empty()) out += ", ";
        out += fmt::format("{}[{}]", tp.topic, tp.partition);
    }
    return out;
}

// Thrown out of a blocking transactional call, carrying librdkafka's classification.
struct TxnError {
    std::error_code code;
    std::string message;
    bool retriable = false;
    bool requires_abort = false;
    bool fatal = false;
};

TxnError to_txn_error(rd_kafka_error_t* error) {
    TxnError e{make_kafka_error(rd_kafka_error_code(error)), rd_kafka_error_string(error),
               rd_kafka_error_is_retriable(error) != 0, rd_kafka_error_txn_requires_abort(error) != 0,
               rd_kafka_error_is_fatal(error) != 0};
    rd_kafka_error_destroy(error);
    return e;
}

enum class RebalanceKind { assign, revoke, lost };

struct PendingRebalance {
    RebalanceKind kind;
    detail::PartitionListPtr partitions;
};

constexpr std::size_t kGenerationSlots = 4;

// At least once: a unit of work that takes no more records, waiting for its offset commit.
struct ClosedUnit {
    detail::PartitionListPtr offsets;  // the next offset of each partition it consumed from
    std::size_t records = 0;
    std::uint64_t generation = 0;
    Clock::time_point closed_at;
    bool delivered = false;  // every output it produced has its delivery report
    Clock::time_point retry_at{};
};

struct PartitionState {
    bool active = true;          // false once revoked or lost: its records are dropped
    std::int64_t position = -1;  // next offset to commit; -1: nothing processed since the last commit
};

}  // namespace

struct Processor::Impl : std::enable_shared_from_this<Impl> {
    Impl(asio::any_io_executor ex, ProcessorConfig cfg, Transform t, ProcessorHooks h)
        : strand(asio::make_strand(ex)),
          config(std::move(cfg)),
          transform(std::move(t)),
          hooks(std::move(h)),
          outputs(config.max_dead_letter_bytes),
          metrics(config.client.metrics),
          rng(std::random_device{}()) {
        if (config.group_id.empty()) throw KafkaException("processor: a group id is required");
        if (config.input_topics.empty()) throw KafkaException("processor: at least one input topic is required");
        if (!transform) throw KafkaException("processor: a transform is required");
        if (exactly_once() && config.transactional_id.empty()) {
            throw KafkaException("processor: exactly-once needs a transactional id");
        }
        if (config.commit_interval.count() <= 0) throw KafkaException("processor: the commit interval must be positive");
        auto conf = detail::make_conf(config.client,
                                      {{"group.id", config.group_id},
                                       {"auto.offset.reset", config.auto_offset_reset},
                                       {"enable.auto.commit", "false"},
                                       {"enable.auto.offset.store", "false"},
                                       {"isolation.level", "read_committed"},
                                       {"partition.assignment.strategy", "cooperative-sticky"},
                                       {"enable.partition.eof", "false"}});
        rd_kafka_conf_set_opaque(conf.get(), this);
        detail::enable_statistics<Impl>(conf.get(), config.client);
        rd_kafka_conf_set_rebalance_cb(conf.get(), &Impl::on_rebalance);
        rd_kafka_conf_set_offset_commit_cb(conf.get(), &Impl::on_offset_commit);
        rd_kafka_conf_set_error_cb(conf.get(), &Impl::on_consumer_error);
        consumer.reset(detail::make_client(RD_KAFKA_CONSUMER, std::move(conf)));
        rd_kafka_poll_set_consumer(consumer.get());
        consumer_queue.reset(rd_kafka_queue_get_consumer(consumer.get()));
        commit_queue.reset(rd_kafka_queue_new(consumer.get()));
        waker.emplace(strand, consumer_queue.get());
        waker->add_queue(commit_queue.get());
        make_producer();
    }

    ~Impl() {
        if (waker && producer_queue) waker->remove_queue(producer_queue.get());
        if (waker) waker->remove_queue(commit_queue.get());
        waker.reset();
        blocking.join();
        destroy_producer();
        commit_queue.reset();
        consumer_queue.reset();
        if (close_started && !consumer_closed) {
            detail::abandon(consumer.release(), "its close did not finish (librdkafka 2.0.2 can deadlock destroying it)");
            return;
        }
        if (subscribed && !assigned_once) {
            detail::abandon(consumer.release(), "it never got an assignment (librdkafka 2.0.2 aborts destroying it, #4312)");
            return;
        }
        rd_kafka_destroy_flags(consumer.release(), consumer_closed ? 0 : RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
    }

    [[nodiscard]] bool exactly_once() const { return config.guarantee == ProcessingGuarantee::exactly_once; }

    // ---- the producer -------------------------------------------------------------------

    void make_producer() {
        const auto delivery_timeout =
            exactly_once() ? std::min(config.delivery_timeout, config.transaction_timeout) : config.delivery_timeout;
        std::vector<Property> defaults{{"enable.idempotence", "true"},
                                       {"acks", "all"},
                                       {"compression.type", config.compression},
                                       {"linger.ms", std::to_string(config.linger.count())},
                                       {"message.timeout.ms", std::to_string(delivery_timeout.count())}};
        if (exactly_once()) {
            defaults.emplace_back("transactional.id", config.transactional_id);
            defaults.emplace_back("transaction.timeout.ms", std::to_string(config.transaction_timeout.count()));
        }
        ClientConfig client = config.client;
        client.properties.insert(client.properties.begin(), defaults.begin(), defaults.end());
        auto conf = detail::make_conf(client, {});
        rd_kafka_conf_set_opaque(conf.get(), this);
        // No statistics: the metrics take only the consumer's (its lag), and a producer's cost
        // librdkafka memory for the averages it keeps and the JSON it builds every interval.
        rd_kafka_conf_set_dr_msg_cb(conf.get(), &Impl::on_delivery);
        rd_kafka_conf_set_error_cb(conf.get(), &Impl::on_producer_error);
        producer.reset(detail::make_client(RD_KAFKA_PRODUCER, std::move(conf)));
        for (const auto& name : config.output_topics) {
            output_topics.emplace(name, detail::TopicPtr(rd_kafka_topic_new(producer.get(), name.c_str(), nullptr)));
        }
        producer_queue.reset(rd_kafka_queue_get_main(producer.get()));
        if (delivery_wakeups) waker->add_queue(producer_queue.get());
    }

    // Whether the producer's events (delivery reports, errors) wake the loop. Every pass of the
    // loop serves them anyway, so it only needs waking for them while something waits on them:
    // a closed unit's offset commit, a flush, room in a full queue. At 1,000 records/s that saves
    // the loop a quarter to a third of its wake-ups. A failed delivery is then seen at the next
    // wake-up (records, or the open unit's commit deadline). librdkafka writes the wake-up byte
    // only when the queue goes from empty to non-empty, so whoever turns this on serves the queue
    // right after.
    void wake_on_deliveries(bool on) {
        if (on == delivery_wakeups) return;
        delivery_wakeups = on;
        if (!producer_queue) return;
        if (on) {
            waker->add_queue(producer_queue.get());
        } else {
            waker->remove_queue(producer_queue.get());
        }
    }

    void destroy_producer() {
        if (!producer) return;
        if (waker && producer_queue) waker->remove_queue(producer_queue.get());
        producer_queue.reset();
        output_topics.clear();
        rd_kafka_purge(producer.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT | RD_KAFKA_PURGE_F_NON_BLOCKING);
        producer.reset();
    }

    // Any thread (the strand, or the blocking thread inside commit/abort's internal flush).
    static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
        auto* self = static_cast<Impl*>(opaque);
        self->delivered_in[reinterpret_cast<std::uintptr_t>(message->_private) % kGenerationSlots].fetch_add(
            1, std::memory_order_relaxed);
        if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            self->produced.fetch_add(1, std::memory_order_relaxed);
            if (self->metrics) self->metrics->on_produced(rd_kafka_topic_name(message->rkt), 1, detail::payload_bytes(message));
            return;
        }
        if (self->metrics) self->metrics->on_produce_failed(rd_kafka_topic_name(message->rkt), 1);
        if (self->delivery_failures.fetch_add(1) == 0) {
            std::lock_guard lock(self->delivery_error_mutex);
            self->delivery_error = fmt::format("{} to {}: {}", rd_kafka_err2name(message->err),
                                               rd_kafka_topic_name(message->rkt), rd_kafka_err2str(message->err));
        }
    }

    static void on_producer_error(rd_kafka_t* rk, int err, const char* reason, void*) {
        if (err == RD_KAFKA_RESP_ERR__FATAL) {
            char buffer[512];
            const rd_kafka_resp_err_t fatal = rd_kafka_fatal_error(rk, buffer, sizeof buffer);
            spdlog::critical("producer fatal error {}: {}", rd_kafka_err2name(fatal), buffer);
            return;
        }
        spdlog::warn("producer: {}: {}", rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err)), reason);
    }

    // Returns how many events it served.
    int serve_producer() {
        int served = 0;
        for (int n; (n = rd_kafka_poll(producer.get(), 0)) > 0;) served += n;
        return served;
    }

    std::error_code produce(const Outputs::Record& record) {
        rd_kafka_headers_t* headers = nullptr;
        if (!record.headers.empty()) {
            headers = rd_kafka_headers_new(record.headers.size());
            for (const auto& [k, v] : record.headers) {
                rd_kafka_header_add(headers, k.data(), static_cast<ssize_t>(k.size()), v.data(),
                                    static_cast<ssize_t>(v.size()));
            }
        }
        void* key = record.key.empty() ? nullptr : const_cast<char*>(record.key.data());
        void* value = record.value ? const_cast<char*>(record.value->data()) : nullptr;
        const std::size_t value_len = record.value ? record.value->size() : 0;
        const auto known = output_topics.find(record.topic);
        void* slot = reinterpret_cast<void*>(static_cast<std::uintptr_t>(generation % kGenerationSlots));
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"  // librdkafka's RD_KAFKA_V_* macros
        const rd_kafka_resp_err_t err =
            known != output_topics.end()
                ? rd_kafka_producev(producer.get(), RD_KAFKA_V_RKT(known->second.get()),
                                    RD_KAFKA_V_PARTITION(record.partition), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                    RD_KAFKA_V_KEY(key, record.key.size()), RD_KAFKA_V_VALUE(value, value_len),
                                    RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_OPAQUE(slot), RD_KAFKA_V_END)
                : rd_kafka_producev(producer.get(), RD_KAFKA_V_TOPIC(record.topic.c_str()),
                                    RD_KAFKA_V_PARTITION(record.partition), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                    RD_KAFKA_V_KEY(key, record.key.size()), RD_KAFKA_V_VALUE(value, value_len),
                                    RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_OPAQUE(slot), RD_KAFKA_V_END);
#pragma GCC diagnostic pop
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            if (headers != nullptr) rd_kafka_headers_destroy(headers);
            return make_kafka_error(err);
        }
        produced_in[generation % kGenerationSlots].fetch_add(1, std::memory_order_relaxed);
        return {};
    }

    // On the strand: send lingering batches now and serve delivery reports until none is
    // outstanding (librdkafka fails each one by message.timeout.ms at the latest).
    asio::awaitable<void> flush_outputs() {
        wake_on_deliveries(true);
        rd_kafka_flush(producer.get(), 0);  // timeout 0: only makes linger end now
        for (;;) {
            serve_producer();
            if (rd_kafka_outq_len(producer.get()) == 0) co_return;
            co_await waker->async_wait(std::chrono::milliseconds(100));
        }
    }

    // ---- the blocking thread ---------------------------------------------------------------

    // Runs `work` on the blocking thread; resumes on the strand. `work` must be an lvalue (a
    // named lambda): see the note on GCC 12 in docs/architecture.md.
    template <class Work>
    asio::awaitable<void> on_blocking_thread(Work& work) {
        auto initiation = [this, &work](auto handler) {
            asio::post(blocking.get_executor(), [&work, handler = std::move(handler)]() mutable {
                std::exception_ptr error;
                try {
                    work();
                } catch (...) {
                    error = std::current_exception();
                }
                auto executor = asio::get_associated_executor(handler);
                asio::post(executor, [handler = std::move(handler), error]() mutable { std::move(handler)(error); });
            });
        };
        co_await asio::async_initiate<decltype(asio::use_awaitable), void(std::exception_ptr)>(initiation,
                                                                                              asio::use_awaitable);
    }

    [[nodiscard]] int call_timeout_ms() const { return static_cast<int>(config.transaction_call_timeout.count()); }

    // ---- the loop ----------------------------------------------------------------------------

    asio::awaitable<void> run() {
        std::exception_ptr error;
        try {
            if (exactly_once()) co_await init_transactions();
            subscribe();
            co_await loop();
            co_await finish();
        } catch (...) {
            error = std::current_exception();
        }
        if (error) {
            failed = true;  // from here on nothing is committed
            spdlog::error("processor: stopping after an error; the open unit of work is not committed");
            // A fenced or otherwise fatal instance leaves the group by its session timing out: it
            // has lost its partitions already, and librdkafka 2.0.2 was seen to deadlock destroying
            // a consumer whose close it could not finish.
            if (!fatal_error()) co_await close_consumer();
        }
        waker->close();
        if (error) std::rethrow_exception(error);
    }

    asio::awaitable<void> init_transactions() {
        for (int attempt = 1;; ++attempt) {
            std::optional<TxnError> error;
            auto work = [&] {
                if (rd_kafka_error_t* e = rd_kafka_init_transactions(producer.get(), call_timeout_ms())) {
                    error = to_txn_error(e);
                }
            };
            co_await on_blocking_thread(work);
            if (!error) {
                spdlog::info("transactional id '{}' initialised", config.transactional_id);
                co_return;
            }
            if (error->fatal || !error->retriable || attempt > config.max_recoveries) {
                throw KafkaException(error->code, "init transactions: " + error->message);
            }
            spdlog::warn("init transactions: {} (retrying)", error->message);
            co_await backoff_wait(attempt);
        }
    }

    void subscribe() {
        detail::PartitionListPtr topics(rd_kafka_topic_partition_list_new(static_cast<int>(config.input_topics.size())));
        for (const auto& t : config.input_topics) {
            rd_kafka_topic_partition_list_add(topics.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
        }
        if (const auto err = rd_kafka_subscribe(consumer.get(), topics.get())) {
            throw KafkaException(make_kafka_error(err), std::string("subscribe failed: ") + rd_kafka_err2str(err));
        }
        subscribed = true;
        spdlog::info("consumer group '{}' subscribing to {} ({})", config.group_id, fmt::join(config.input_topics, ", "),
                     to_string(config.guarantee));
    }

    asio::awaitable<void> loop() {
        std::vector<rd_kafka_message_t*> batch(config.batch_size);
        while (!stopping) {
            throw_if_fatal();
            serve_producer();
            const ssize_t n = rd_kafka_consume_batch_queue(consumer_queue.get(), 0, batch.data(), batch.size());
            const std::size_t taken = n > 0 ? static_cast<std::size_t>(n) : 0;
            // Owned at once, so that an exception below destroys every one of them.
            std::vector<Message> records;
            records.reserve(taken);
            for (std::size_t i = 0; i < taken; ++i) records.emplace_back(batch[i]);
            std::optional<std::string> failure;
            for (std::size_t i = 0; i < taken && !failure; ++i) {  // after a failure: the rewind fetches the rest again
                if (batch[i]->err) {
                    report_consume_error(batch[i]);
                    continue;
                }
                failure = co_await process(records[i]);
            }
            if (!pending_rebalances.empty()) co_await serve_rebalances();
            if (!failure && delivery_failures.load() > 0) failure = delivery_failure();
            if (failure) {
                co_await recover(*failure);
                continue;
            }
            if (!exactly_once()) {
                serve_commit_results();
                advance_commits();
            }
            if (unit_open && can_close_unit() &&
                (Clock::now() >= unit_started + config.commit_interval || uncommitted >= config.max_uncommitted)) {
                if (exactly_once()) {
                    co_await commit_unit();
                } else {
                    close_unit();
                    advance_commits();
                }
            }
            if (taken == batch.size()) {
                co_await asio::post(strand, asio::use_awaitable);  // more waiting: let others run first
                continue;
            }
            const bool awaiting_deliveries =
                !exactly_once() && !closed_units.empty() && !closed_units.front().delivered;
            if (awaiting_deliveries != delivery_wakeups) {
                wake_on_deliveries(awaiting_deliveries);
                if (awaiting_deliveries) continue;  // serve what came before the wake-ups were on
            }
            co_await waker->async_wait(next_wait());
        }
    }

    // How long the loop may sleep: until the open unit's commit is due, or a failed offset
    // commit is to be retried. Delivery reports and commit results wake it through the waker.
    [[nodiscard]] std::chrono::milliseconds next_wait() const {
        const auto now = Clock::now();
        auto deadline = now + kIdle;
        if (unit_open && can_close_unit()) deadline = std::min(deadline, unit_started + config.commit_interval);
        if (!closed_units.empty() && closed_units.front().delivered && commit_token == 0) {
            deadline = std::min(deadline, closed_units.front().retry_at);
        }
        return std::clamp(std::chrono::ceil<std::chrono::milliseconds>(deadline - now), std::chrono::milliseconds(0),
                          kIdle);
    }

    std::string delivery_failure() {
        std::lock_guard lock(delivery_error_mutex);
        return fmt::format("{} output(s) not delivered, first: {}", delivery_failures.load(), delivery_error);
    }

    // Transforms one record and produces its outputs. Returns a failure reason, or nullopt.
    static void report_consume_error(const rd_kafka_message_t* raw) {
        if (raw->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) return;
        spdlog::warn("consumer: {}{}: {}", rd_kafka_err2name(raw->err),
                     raw->rkt ? fmt::format(" on {}[{}]", rd_kafka_topic_name(raw->rkt), raw->partition) : "",
                     rd_kafka_message_errstr(raw));
    }

    // Runs the Transform on `message` into `outputs`, with the record's trace id on every log
    // line, and counts what it did.
    void transform_one(const Message& message) {
        const auto traceparent = message.header(kTraceparentHeader);
        const TraceScope trace(traceparent ? trace_id_of(*traceparent) : std::string_view{});
        if (metrics) {
            metrics->on_consumed(message.topic(), 1, message.key().size() + message.value().size());
        }
        const auto started = Clock::now();
        outputs.clear();
        try {
            transform(message, outputs);
        } catch (const std::exception& e) {
            outputs.clear();
            outputs.dead_letter(message, "exception", e.what());
        } catch (...) {
            outputs.clear();
            outputs.dead_letter(message, "exception", "unknown exception");
        }
        if (metrics) metrics->on_processed(Clock::now() - started);
        for (const auto& record : outputs.records()) {
            if (!record.dead_letter) continue;
            const std::string_view error_class = record.headers[3].second;  // see Outputs::dead_letter
            spdlog::warn("dead-lettering {}[{}]@{} ({}): {}", message.topic(), message.partition(), message.offset(),
                         error_class, record.headers[4].second);
            dead_lettered.fetch_add(1, std::memory_order_relaxed);
            if (metrics) metrics->on_dead_letter(message.topic(), error_class);
        }
    }

    asio::awaitable<std::optional<std::string>> process(const Message& message) {
        auto it = partitions.find(TopicPartition{std::string(message.topic()), message.partition()});
        if (it == partitions.end() || !it->second.active) co_return std::nullopt;  // revoked: not ours
        if (!unit_open) {
            if (exactly_once()) {
                if (rd_kafka_error_t* e = rd_kafka_begin_transaction(producer.get())) {
                    const TxnError error = to_txn_error(e);
                    throw KafkaException(error.code, "begin transaction: " + error.message);
                }
            }
            unit_open = true;
            unit_started = Clock::now();
            produced_in[generation % kGenerationSlots].store(0, std::memory_order_relaxed);
            delivered_in[generation % kGenerationSlots].store(0, std::memory_order_relaxed);
        }
        transform_one(message);
        for (const auto& record : outputs.records()) {
            for (;;) {
                const std::error_code error = produce(record);
                if (!error) break;
                if (!is_queue_full(error)) {
                    co_return fmt::format("producing to {} failed: {}", record.topic, error.message());
                }
                // Full: send what lingers and wait for delivery reports to make room.
                wake_on_deliveries(true);
                rd_kafka_flush(producer.get(), 0);
                if (serve_producer() > 0) continue;  // reports already queued made room
                co_await waker->async_wait(std::chrono::milliseconds(100));
                serve_producer();
            }
        }
        it->second.position = message.offset() + 1;
        ++uncommitted;
        publish_uncommitted();
        consumed.fetch_add(1, std::memory_order_relaxed);
        co_return std::nullopt;
    }

    // ---- commit, abort, rewind -----------------------------------------------------------

    [[nodiscard]] detail::PartitionListPtr positions_to_commit() const {
        detail::PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
        for (const auto& [tp, state] : partitions) {
            if (state.position < 0) continue;
            rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)->offset = state.position;
        }
        return list;
    }

    void unit_done() {
        unit_open = false;
        uncommitted = 0;
        ++generation;
        for (auto& [tp, state] : partitions) state.position = -1;
        publish_uncommitted();
    }

    void publish_uncommitted() {
        std::size_t total = uncommitted;
        for (const auto& unit : closed_units) total += unit.records;
        uncommitted_now.store(total, std::memory_order_relaxed);
    }

    // ---- at least once: commits that do not stop the loop ----------------------------------
    //
    // Every commit interval the open unit is closed: its positions are kept and a new unit opens
    // at once. Its offsets are committed asynchronously (rd_kafka_commit_queue) once every output
    // it produced has its delivery report (counted per unit: the report's opaque), while the loop
    // goes on. One unit commits at a time; while it does, the open unit keeps growing. A failed
    // commit is retried after a backoff, `max_recoveries` times in a row at most.

    [[nodiscard]] bool can_close_unit() const { return exactly_once() || closed_units.empty(); }

    void close_unit() {
        if (hooks.on_close) hooks.on_close();
        closed_units.push_back(ClosedUnit{positions_to_commit(), uncommitted, generation, Clock::now()});
        unit_done();
    }

    void advance_commits() {
        while (!closed_units.empty() && commit_token == 0) {
            ClosedUnit& unit = closed_units.front();
            if (!unit.delivered) {
                const auto slot = unit.generation % kGenerationSlots;
                if (delivered_in[slot].load(std::memory_order_relaxed) <
                    produced_in[slot].load(std::memory_order_relaxed)) {
                    return;  // outputs still in flight; their delivery reports wake the loop
                }
                unit.delivered = true;
            }
            if (Clock::now() < unit.retry_at) return;
            if (unit.offsets->cnt == 0) {  // nothing consumed is left to commit (its partitions were revoked)
                unit_committed();
                continue;
            }
            commit_token = next_commit_token++;
            const auto err = rd_kafka_commit_queue(consumer.get(), unit.offsets.get(), commit_queue.get(), nullptr,
                                                   reinterpret_cast<void*>(static_cast<std::uintptr_t>(commit_token)));
            if (err) {
                commit_token = 0;
                commit_failed(err);
            }
            return;
        }
    }

    // Serves the results of asynchronous offset commits (OFFSET_COMMIT events on commit_queue).
    void serve_commit_results() {
        while (rd_kafka_event_t* raw = rd_kafka_queue_poll(commit_queue.get(), 0)) {
            const detail::EventPtr event(raw);
            if (rd_kafka_event_type(raw) != RD_KAFKA_EVENT_OFFSET_COMMIT) continue;
            if (reinterpret_cast<std::uintptr_t>(rd_kafka_event_opaque(raw)) != commit_token) {
                continue;  // for a unit discarded, or committed synchronously, since
            }
            commit_token = 0;
            rd_kafka_resp_err_t err = rd_kafka_event_error(raw);
            if (const rd_kafka_topic_partition_list_t* list = rd_kafka_event_topic_partition_list(raw);
                list != nullptr && !err) {
                for (int i = 0; i < list->cnt && !err; ++i) err = list->elems[i].err;
            }
            if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
                commit_failed(err);
            } else {
                unit_committed();
            }
        }
    }

    // The oldest closed unit stays, its commit retried after a backoff (librdkafka retries some
    // errors itself, not e.g. REBALANCE_IN_PROGRESS: found with the mock cluster).
    void commit_failed(rd_kafka_resp_err_t err) {
        ++consecutive_failures;
        if (consecutive_failures > config.max_recoveries) {
            throw KafkaException(make_kafka_error(err), fmt::format("offset commit failed {} times in a row: {}",
                                                                    consecutive_failures - 1, rd_kafka_err2str(err)));
        }
        spdlog::warn("offset commit: {} (kept; retried after a backoff, attempt {} of {})", rd_kafka_err2str(err),
                     consecutive_failures, config.max_recoveries);
        closed_units.front().retry_at =
            Clock::now() + config.backoff.delay(consecutive_failures, std::uniform_real_distribution<double>(0.0, 1.0)(rng));
    }

    void unit_committed() {
        const ClosedUnit& unit = closed_units.front();
        commits.fetch_add(1, std::memory_order_relaxed);
        if (metrics) metrics->on_commit(false, Clock::now() - unit.closed_at);
        consecutive_failures = 0;
        closed_units.pop_front();
        publish_uncommitted();
        if (hooks.on_commit) hooks.on_commit();
    }

    // The offsets of every closed unit, the newest of each partition.
    [[nodiscard]] detail::PartitionListPtr closed_offsets() const {
        detail::PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
        for (const auto& unit : closed_units) {
            for (int i = 0; i < unit.offsets->cnt; ++i) {
                const auto& tp = unit.offsets->elems[i];
                rd_kafka_topic_partition_t* to = rd_kafka_topic_partition_list_find(list.get(), tp.topic, tp.partition);
                if (to == nullptr) to = rd_kafka_topic_partition_list_add(list.get(), tp.topic, tp.partition);
                to->offset = std::max(to->offset, tp.offset);
            }
        }
        return list;
    }

    // Commits all the work since the last commit, now (before partitions are given up, and on
    // stop). A failure is recovered from here (abort, rewind).
    asio::awaitable<void> commit_unit() {
        if (exactly_once()) {
            co_await commit_transaction();
        } else {
            co_await commit_offsets_now();
        }
    }

    // At least once: closes the open unit, waits for every output's delivery report, then
    // commits the offsets of every closed unit synchronously, so they are on the broker before
    // the caller goes on. A failure leaves the units closed, for advance_commits() to retry.
    asio::awaitable<void> commit_offsets_now() {
        if (!unit_open && closed_units.empty()) co_return;
        if (unit_open) close_unit();
        spdlog::debug("committing {} record(s)", uncommitted_now.load());
        co_await flush_outputs();
        if (delivery_failures.load() > 0) {
            co_await recover(delivery_failure());
            co_return;
        }
        for (auto& unit : closed_units) unit.delivered = true;
        commit_token = 0;  // an asynchronous commit in flight is superseded: its result is ignored
        detail::PartitionListPtr offsets = closed_offsets();
        rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
        auto work = [&] {
            if (offsets->cnt > 0) err = rd_kafka_commit(consumer.get(), offsets.get(), 0 /*sync*/);
        };
        co_await on_blocking_thread(work);
        if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
            commit_failed(err);
            co_return;
        }
        while (!closed_units.empty()) unit_committed();
    }

    // Exactly once: commits the open transaction with the consumed offsets.
    asio::awaitable<void> commit_transaction() {
        if (!unit_open) co_return;
        if (hooks.on_close) hooks.on_close();
        const auto commit_started = Clock::now();
        spdlog::debug("committing {} record(s)", uncommitted);
        co_await flush_outputs();
        if (delivery_failures.load() > 0) {
            co_await recover(delivery_failure());
            co_return;
        }
        detail::PartitionListPtr offsets = positions_to_commit();
        std::optional<TxnError> error;
        bool offsets_sent = offsets->cnt == 0;
        for (int attempt = 1;; ++attempt) {
            error.reset();
            std::unique_ptr<rd_kafka_consumer_group_metadata_t, decltype(&rd_kafka_consumer_group_metadata_destroy)>
                metadata(rd_kafka_consumer_group_metadata(consumer.get()), &rd_kafka_consumer_group_metadata_destroy);
            auto work = [&] {
                if (!offsets_sent) {
                    if (rd_kafka_error_t* e = rd_kafka_send_offsets_to_transaction(producer.get(), offsets.get(),
                                                                                   metadata.get(), call_timeout_ms())) {
                        error = to_txn_error(e);
                        return;
                    }
                    offsets_sent = true;
                }
                if (rd_kafka_error_t* e = rd_kafka_commit_transaction(producer.get(), call_timeout_ms())) {
                    error = to_txn_error(e);
                }
            };
            co_await on_blocking_thread(work);
            if (!error) {
                committed_unit(Clock::now() - commit_started);
                co_return;
            }
            if (error->fatal) throw KafkaException(error->code, "commit transaction: " + error->message);
            if (error->requires_abort) {
                co_await recover("commit transaction: " + error->message);
                co_return;
            }
            if (!error->retriable) throw KafkaException(error->code, "commit transaction: " + error->message);
            // KAFKA-17754: a timed-out commit may still complete on the broker; never abort it.
            if (attempt <= config.commit_retries) {
                spdlog::warn("commit transaction: {} (retry {} of {})", error->message, attempt, config.commit_retries);
                co_await backoff_wait(attempt);
                continue;
            }
            spdlog::error("commit transaction: {} after {} retries: recreating the producer", error->message,
                          config.commit_retries);
            co_await recreate_producer();
            co_return;
        }
    }

    void committed_unit(Clock::duration elapsed) {
        unit_done();
        commits.fetch_add(1, std::memory_order_relaxed);
        if (metrics) metrics->on_commit(exactly_once(), elapsed);
        consecutive_failures = 0;
        if (hooks.on_commit) hooks.on_commit();
    }

    // Abandons the work since the last commit and resumes from the committed offsets.
    asio::awaitable<void> recover(const std::string& reason) {
        ++consecutive_failures;
        aborts.fetch_add(1, std::memory_order_relaxed);
        if (metrics) metrics->on_abort(exactly_once());
        if (consecutive_failures > config.max_recoveries) {
            throw KafkaException(fmt::format("giving up after {} consecutive failures, last: {}",
                                             consecutive_failures - 1, reason));
        }
        spdlog::warn("{}: {} the uncommitted work and rewinding to the committed offsets (attempt {} of {})", reason,
                     exactly_once() ? "aborting" : "dropping", consecutive_failures, config.max_recoveries);
        if (exactly_once() && unit_open) {
            std::optional<TxnError> error;
            auto work = [&] {
                if (rd_kafka_error_t* e = rd_kafka_abort_transaction(producer.get(), call_timeout_ms())) {
                    error = to_txn_error(e);
                }
            };
            co_await on_blocking_thread(work);
            if (error) {
                if (error->fatal) throw KafkaException(error->code, "abort transaction: " + error->message);
                spdlog::warn("abort transaction: {}: recreating the producer", error->message);
                co_await recreate_producer();
                co_return;
            }
        } else if (!exactly_once()) {
            co_await flush_outputs();  // let what is in flight land; duplicates are allowed here
        }
        discard_unit();
        co_await rewind();
        co_await backoff_wait(consecutive_failures);
    }

    // Every output is delivered or failed by now (flushed, aborted or purged).
    void discard_unit() {
        closed_units.clear();
        commit_token = 0;
        unit_done();
        for (std::size_t i = 0; i < kGenerationSlots; ++i) {
            produced_in[i].store(0, std::memory_order_relaxed);
            delivered_in[i].store(0, std::memory_order_relaxed);
        }
        delivery_failures = 0;
        if (hooks.on_abort) hooks.on_abort();
    }

    // A commit whose outcome is unknown: a new producer with the same transactional.id settles
    // it (InitProducerId completes or aborts the old transaction), then the consumer goes to
    // whatever was committed.
    asio::awaitable<void> recreate_producer() {
        auto work = [&] { destroy_producer(); };
        co_await on_blocking_thread(work);
        make_producer();
        co_await init_transactions();
        discard_unit();
        co_await rewind();
    }

    // Seeks every active partition to its committed offset (auto.offset.reset when none). The
    // broker may be down right now (that may be why we are here): retried with backoff, bounded.
    asio::awaitable<void> rewind() {
        for (int attempt = 1;; ++attempt) {
            const std::string problem = co_await try_rewind();
            if (problem.empty()) co_return;
            if (attempt >= config.max_recoveries) {
                throw KafkaException("rewind to the committed offsets failed " + std::to_string(attempt) +
                                     " times, last: " + problem);
            }
            spdlog::warn("rewind to the committed offsets: {} (retry {} of {})", problem, attempt,
                         config.max_recoveries - 1);
            co_await backoff_wait(attempt);
        }
    }

    // Returns what went wrong, or an empty string.
    asio::awaitable<std::string> try_rewind() {
        detail::PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
        for (const auto& [tp, state] : partitions) {
            if (state.active) rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition);
        }
        if (list->cnt == 0) co_return std::string();
        const std::int64_t reset =
            config.auto_offset_reset == "latest" ? RD_KAFKA_OFFSET_END : RD_KAFKA_OFFSET_BEGINNING;
        std::string problem;
        auto work = [&] {
            if (const auto err = rd_kafka_committed(consumer.get(), list.get(), call_timeout_ms())) {
                problem = std::string("committed offsets: ") + rd_kafka_err2str(err);
                return;
            }
            for (int i = 0; i < list->cnt; ++i) {
                if (list->elems[i].err) {
                    problem = fmt::format("committed offset of {}[{}]: {}", list->elems[i].topic,
                                          list->elems[i].partition, rd_kafka_err2str(list->elems[i].err));
                    return;
                }
                if (list->elems[i].offset < 0) list->elems[i].offset = reset;
            }
            if (rd_kafka_error_t* e = rd_kafka_seek_partitions(consumer.get(), list.get(), call_timeout_ms())) {
                problem = std::string("seek: ") + rd_kafka_error_string(e);
                rd_kafka_error_destroy(e);
                return;
            }
            for (int i = 0; i < list->cnt; ++i) {
                if (list->elems[i].err) {
                    problem = fmt::format("seek {}[{}]: {}", list->elems[i].topic, list->elems[i].partition,
                                          rd_kafka_err2str(list->elems[i].err));
                    return;
                }
            }
        };
        co_await on_blocking_thread(work);
        co_return problem;
    }

    asio::awaitable<void> backoff_wait(int attempt) {
        const auto delay = config.backoff.delay(attempt, std::uniform_real_distribution<double>(0.0, 1.0)(rng));
        asio::steady_timer timer(strand, delay);
        co_await timer.async_wait(asio::use_awaitable);
    }

    // ---- rebalances ------------------------------------------------------------------------

    // Inside rd_kafka_consume_batch_queue, on the strand: note it, act after the batch.
    static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* list,
                             void* opaque) {
        auto* self = static_cast<Impl*>(opaque);
        self->rebalances.fetch_add(1, std::memory_order_relaxed);
        RebalanceKind kind = RebalanceKind::assign;
        if (err != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
            kind = rd_kafka_assignment_lost(rk) ? RebalanceKind::lost : RebalanceKind::revoke;
            for (int i = 0; i < list->cnt; ++i) {
                auto it = self->partitions.find({list->elems[i].topic, list->elems[i].partition});
                if (it != self->partitions.end()) it->second.active = false;
            }
        }
        self->pending_rebalances.push_back({kind, detail::PartitionListPtr(rd_kafka_topic_partition_list_copy(list))});
    }

    [[nodiscard]] bool cooperative() const {
        return std::strcmp(rd_kafka_rebalance_protocol(consumer.get()), "COOPERATIVE") == 0;
    }

    asio::awaitable<void> serve_rebalances() {
        while (!pending_rebalances.empty()) {
            PendingRebalance next = std::move(pending_rebalances.front());
            pending_rebalances.erase(pending_rebalances.begin());
            const std::vector<TopicPartition> tps = to_vector(next.partitions.get());
            switch (next.kind) {
            case RebalanceKind::assign: {
                spdlog::info("consumer group '{}': assigned {}", config.group_id, describe(tps));
                if (hooks.on_assigned && !failed) {
                    auto work = [&] { hooks.on_assigned(tps); };
                    co_await on_blocking_thread(work);
                }
                for (const auto& tp : tps) partitions[tp] = PartitionState{};
                assign(next.partitions.get());
                assigned_once = true;
                break;
            }
            case RebalanceKind::revoke:
                spdlog::info("consumer group '{}': revoked {}", config.group_id, describe(tps));
                if (!failed) co_await commit_unit();  // their work commits before another member takes over
                drop(tps, next.partitions.get());
                break;
            case RebalanceKind::lost:
                spdlog::warn("consumer group '{}': lost {}", config.group_id, describe(tps));
                for (const auto& tp : tps) partitions.erase(tp);
                if ((unit_open || !closed_units.empty()) && !failed) co_await recover("partitions lost");
                drop(tps, next.partitions.get());
                break;
            }
            assigned_partitions.store(partitions.size());
        }
    }

    void assign(rd_kafka_topic_partition_list_t* list) {
        if (cooperative()) {
            detail::ErrorPtr e(rd_kafka_incremental_assign(consumer.get(), list));
            if (e) throw KafkaException(std::string("incremental assign: ") + rd_kafka_error_string(e.get()));
        } else if (const auto err = rd_kafka_assign(consumer.get(), list)) {
            throw KafkaException(make_kafka_error(err), std::string("assign: ") + rd_kafka_err2str(err));
        }
    }

    void drop(const std::vector<TopicPartition>& tps, rd_kafka_topic_partition_list_t* list) {
        for (const auto& tp : tps) {
            partitions.erase(tp);
            // Their next owner commits them from now on.
            for (auto& unit : closed_units) rd_kafka_topic_partition_list_del(unit.offsets.get(), tp.topic.c_str(), tp.partition);
        }
        if (hooks.on_revoked) hooks.on_revoked(tps);
        if (cooperative()) {
            detail::ErrorPtr e(rd_kafka_incremental_unassign(consumer.get(), list));
            if (e) spdlog::error("incremental unassign: {}", rd_kafka_error_string(e.get()));
        } else {
            rd_kafka_assign(consumer.get(), nullptr);
        }
    }

    static void on_offset_commit(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t*, void*) {
        if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET) spdlog::warn("offset commit failed: {}", rd_kafka_err2str(err));
    }

    static void on_consumer_error(rd_kafka_t*, int err, const char* reason, void*) {
        spdlog::warn("consumer: {}: {}", rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err)), reason);
    }

    [[nodiscard]] bool fatal_error() const {
        return rd_kafka_fatal_error(producer.get(), nullptr, 0) != RD_KAFKA_RESP_ERR_NO_ERROR ||
               rd_kafka_fatal_error(consumer.get(), nullptr, 0) != RD_KAFKA_RESP_ERR_NO_ERROR;
    }

    void throw_if_fatal() {
        char reason[512];
        if (const auto err = rd_kafka_fatal_error(producer.get(), reason, sizeof reason)) {
            throw KafkaException(make_kafka_error(err), std::string("producer fatal error: ") + reason);
        }
        if (const auto err = rd_kafka_fatal_error(consumer.get(), reason, sizeof reason)) {
            throw KafkaException(make_kafka_error(err), std::string("consumer fatal error: ") + reason);
        }
    }

    // ---- stop ------------------------------------------------------------------------------

    asio::awaitable<void> finish() {
        if (!pending_rebalances.empty()) co_await serve_rebalances();
        for (int attempt = 0; (unit_open || !closed_units.empty()) && attempt < 3; ++attempt) {
            spdlog::info("stopping: committing {} record(s)", uncommitted_now.load());
            co_await commit_unit();
        }
        co_await close_consumer();
        co_await flush_outputs();
    }

    // Leaves the group, serving the revocation it causes; records still arriving are dropped.
    asio::awaitable<void> close_consumer() {
        if (consumer_closed) co_return;
        close_started = true;
        detail::ErrorPtr error(rd_kafka_consumer_close_queue(consumer.get(), consumer_queue.get()));
        if (error) {
            spdlog::error("consumer: close: {}", rd_kafka_error_string(error.get()));
            co_return;
        }
        std::vector<rd_kafka_message_t*> batch(64);
        const auto deadline = Clock::now() + config.transaction_call_timeout;
        while (!rd_kafka_consumer_closed(consumer.get()) && Clock::now() < deadline) {
            ssize_t n;
            while ((n = rd_kafka_consume_batch_queue(consumer_queue.get(), 0, batch.data(), batch.size())) > 0) {
                for (ssize_t i = 0; i < n; ++i) rd_kafka_message_destroy(batch[static_cast<std::size_t>(i)]);
            }
            if (!pending_rebalances.empty()) co_await serve_rebalances();
            if (rd_kafka_consumer_closed(consumer.get())) break;
            co_await waker->async_wait(std::chrono::milliseconds(100));
        }
        consumer_closed = rd_kafka_consumer_closed(consumer.get()) != 0;
        if (consumer_closed) spdlog::info("consumer group '{}': left the group", config.group_id);
    }

    // ---- state -----------------------------------------------------------------------------

    asio::strand<asio::any_io_executor> strand;
    ProcessorConfig config;
    Transform transform;
    ProcessorHooks hooks;
    Outputs outputs;
    std::shared_ptr<MetricsSink> metrics;  // may be null
    std::mt19937 rng;
    asio::thread_pool blocking{1};
    ClientPtr consumer;
    detail::QueuePtr consumer_queue;
    ClientPtr producer;
    detail::QueuePtr producer_queue;
    bool delivery_wakeups = true;  // see wake_on_deliveries()
    std::unordered_map<std::string, detail::TopicPtr> output_topics;
    detail::QueuePtr commit_queue;  // results of asynchronous offset commits (at least once)
    std::optional<detail::QueueWaker> waker;
    // Strand only:
    std::map<TopicPartition, PartitionState> partitions;
    std::vector<PendingRebalance> pending_rebalances;
    bool unit_open = false;
    Clock::time_point unit_started;
    std::size_t uncommitted = 0;
    int consecutive_failures = 0;
    bool stopping = false;
    bool failed = false;
    bool consumer_closed = false;
    bool close_started = false;
    bool subscribed = false;
    bool assigned_once = false;
    std::uint64_t generation = 0;  // of the open unit; its outputs carry generation % kGenerationSlots
    std::deque<ClosedUnit> closed_units;  // at least once: closed, not committed yet, oldest first
    std::uint64_t commit_token = 0;       // the asynchronous offset commit in flight; 0: none
    std::uint64_t next_commit_token = 1;
    // Any thread:
    // Outputs produced and delivery reports served, per unit (by generation): at most two units
    // are closed and one is open at a time, and a slot is reused only once its unit is done.
    std::array<std::atomic<std::uint64_t>, kGenerationSlots> produced_in{}, delivered_in{};
    std::atomic<std::uint64_t> delivery_failures{0};
    std::mutex delivery_error_mutex;
    std::string delivery_error;
    std::atomic<std::uint64_t> consumed{0}, produced{0}, dead_lettered{0}, commits{0}, aborts{0}, rebalances{0};
    std::atomic<std::uint64_t> assigned_partitions{0};
    std::atomic<std::uint64_t> uncommitted_now{0};
};

Processor::Processor(asio::any_io_executor executor, ProcessorConfig config, Transform transform, ProcessorHooks hooks)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(config), std::move(transform), std::move(hooks))) {}

Processor::~Processor() = default;

asio::awaitable<void> Processor::async_run() {
    auto impl = impl_;
    co_await asio::co_spawn(impl->strand, impl->run(), asio::use_awaitable);
}

void Processor::stop() {
    asio::post(impl_->strand, [impl = impl_] {
        impl->stopping = true;
        impl->waker->wake();
    });
}

ProcessorStats Processor::stats() const {
    const Impl& i = *impl_;
    return ProcessorStats{i.consumed.load(), i.produced.load(),           i.dead_lettered.load(),
                          i.commits.load(),  i.aborts.load(),             i.rebalances.load(),
                          i.assigned_partitions.load(), i.uncommitted_now.load()};
}

std::string Processor::pending_work() const {
    const std::uint64_t uncommitted = impl_->uncommitted_now.load();
    if (uncommitted == 0) return "nothing uncommitted";
    return fmt::format("{} input record(s) processed but not committed: {}", uncommitted,
                       impl_->exactly_once()
                           ? "their transaction is aborted by the broker after transaction.timeout.ms, or at once "
                             "when an instance with the same transactional id starts, and they are processed again"
                           : "they are processed again by the next owner of their partitions");
}

}  // namespace streamstore::messaging
