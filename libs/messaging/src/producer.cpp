#include "streamstore/messaging/producer.hpp"

#include <atomic>
#include <mutex>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "client.hpp"
#include "queue_waker.hpp"
#include "streamstore/messaging/error.hpp"

namespace streamstore::messaging {
namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

namespace {
// A listener the producer owns: deleted after its report, or discarded when the producer is
// destroyed first.
class OwnedListener : public DeliveryListener {
public:
    virtual ~OwnedListener() = default;
};

// A delivery report completes an async_send on the awaiting coroutine's executor.
template <class Handler>
class HandlerListener final : public OwnedListener {
public:
    explicit HandlerListener(Handler handler) : handler_(std::move(handler)) {}

    void on_delivery(const DeliveryReport& report, const ProducerRecord&) noexcept override { complete(report); }

    // Posts (never runs inline: we may be inside rd_kafka_poll) and deletes this.
    void complete(const DeliveryReport& report) {
        auto executor = asio::get_associated_executor(handler_);
        asio::post(executor, [handler = std::move(handler_), report]() mutable { std::move(handler)(report); });
        delete this;
    }

private:
    Handler handler_;
};

constexpr int kPollBudget = 10'000;  // events served per turn before yielding the strand
}  // namespace

struct Producer::Impl : std::enable_shared_from_this<Impl> {
    Impl(asio::any_io_executor executor, const ProducerConfig& config)
        : strand(asio::make_strand(executor)), progress(strand), metrics(config.client.metrics) {
        auto conf = detail::make_conf(config.client,
                                      {{"enable.idempotence", config.idempotent ? "true" : "false"},
                                       {"acks", "all"},
                                       {"compression.type", config.compression},
                                       {"linger.ms", std::to_string(config.linger.count())},
                                       {"message.timeout.ms", std::to_string(config.delivery_timeout.count())}});
        rd_kafka_conf_set_opaque(conf.get(), this);
        // No statistics: the metrics take only a consumer's (its lag), and a producer's cost
        // librdkafka memory for the averages it keeps and the JSON it builds every interval.
        rd_kafka_conf_set_dr_msg_cb(conf.get(), &Impl::on_delivery_report);
        rd_kafka_conf_set_error_cb(conf.get(), &Impl::on_error);
        rk = detail::make_client(RD_KAFKA_PRODUCER, std::move(conf));
        for (const auto& name : config.topics) {
            topics.emplace_back(name, detail::TopicPtr(rd_kafka_topic_new(rk, name.c_str(), nullptr)));
        }
        queue.reset(rd_kafka_queue_get_main(rk));
        waker.emplace(strand, queue.get());
        progress.expires_at(asio::steady_timer::time_point::max());
    }

    ~Impl() {
        waker.reset();
        queue.reset();
        topics.clear();
        // Whatever is left was not flushed in time: purge it so destroy does not wait for it,
        // and serve the purge reports so the listeners' memory is released.
        destroying = true;
        rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT | RD_KAFKA_PURGE_F_NON_BLOCKING);
        rd_kafka_poll(rk, 0);
        rd_kafka_destroy(rk);
    }

    void start() {
        // A named shared_ptr, not a temporary: GCC 12 destroys prvalue coroutine arguments twice
        // (GCC PR 99576). The same applies to every coroutine call in this project.
        auto self = shared_from_this();
        asio::co_spawn(strand, poll_loop(self), asio::detached);
    }

    static asio::awaitable<void> poll_loop(std::shared_ptr<Impl> self) {
        while (!self->closed.load()) {
            co_await self->waker->async_wait(std::chrono::seconds(1));
            if (self->closed.load()) break;
            self->serve();
        }
    }

    // On the strand: serve librdkafka's queue with timeout 0 until empty or over budget.
    void serve() {
        int served = 0;
        for (int n; served < kPollBudget && (n = rd_kafka_poll(rk, 0)) > 0;) served += n;
        if (served >= kPollBudget) waker->wake();  // more may be waiting: come back after others ran
        if (served > 0) progress.cancel();           // wake async_flush and async_wait_for_space
    }

    static void on_delivery_report(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
        auto* self = static_cast<Impl*>(opaque);
        self->reports.fetch_add(1, std::memory_order_relaxed);
        if (self->metrics) {
            const std::string_view topic = rd_kafka_topic_name(message->rkt);
            if (message->err) {
                self->metrics->on_produce_failed(topic, 1);
            } else {
                self->metrics->on_produced(topic, 1, detail::payload_bytes(message));
            }
        }
        auto* listener = static_cast<DeliveryListener*>(message->_private);
        if (listener == nullptr) return;
        if (self->destroying) {
            // Only HandlerListeners can still be pending here (send() callers flush first).
            if (auto* owned = dynamic_cast<OwnedListener*>(listener)) delete owned;
            return;
        }
        DeliveryReport report{message->err ? make_kafka_error(message->err) : std::error_code{}, message->partition,
                              message->err ? -1 : message->offset};
        ProducerRecord record{
            .topic = rd_kafka_topic_name(message->rkt),
            .key = message->key ? std::string_view(static_cast<const char*>(message->key), message->key_len)
                                : std::string_view{},
            .value = message->payload ? std::string_view(static_cast<const char*>(message->payload), message->len)
                                      : std::string_view{},
        };
        listener->on_delivery(report, record);
    }

    static void on_error(rd_kafka_t* rk, int err, const char* reason, void*) {
        if (err == RD_KAFKA_RESP_ERR__FATAL) {
            char buffer[512];
            const rd_kafka_resp_err_t fatal = rd_kafka_fatal_error(rk, buffer, sizeof buffer);
            spdlog::critical("producer fatal error {}: {}", rd_kafka_err2name(fatal), buffer);
            return;
        }
        spdlog::warn("producer: {}: {}", rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err)), reason);
    }

    std::error_code send(const ProducerRecord& record, DeliveryListener& listener) {
        rd_kafka_headers_t* headers = nullptr;
        if (!record.headers.empty()) {
            headers = rd_kafka_headers_new(record.headers.size());
            for (const auto& h : record.headers) {
                rd_kafka_header_add(headers, h.key.data(), static_cast<ssize_t>(h.key.size()), h.value.data(),
                                    static_cast<ssize_t>(h.value.size()));
            }
        }
        // A known topic goes by its handle; any other by name (NUL-terminated for librdkafka).
        rd_kafka_topic_t* known = nullptr;
        for (const auto& [name, handle] : topics) {
            if (name == record.topic) known = handle.get();
        }
        thread_local std::string topic;
        if (known == nullptr) topic.assign(record.topic);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"  // librdkafka's RD_KAFKA_V_* macros
        const rd_kafka_resp_err_t err = known != nullptr ? rd_kafka_producev(
            rk, RD_KAFKA_V_RKT(known), RD_KAFKA_V_PARTITION(record.partition),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_KEY(record.key.empty() ? nullptr : const_cast<char*>(record.key.data()), record.key.size()),
            RD_KAFKA_V_VALUE(const_cast<char*>(record.value.data()), record.value.size()),
            RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_OPAQUE(&listener), RD_KAFKA_V_END) : rd_kafka_producev(
            rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(record.partition),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_KEY(record.key.empty() ? nullptr : const_cast<char*>(record.key.data()), record.key.size()),
            RD_KAFKA_V_VALUE(const_cast<char*>(record.value.data()), record.value.size()),
            RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_OPAQUE(&listener), RD_KAFKA_V_END);
#pragma GCC diagnostic pop
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            if (headers != nullptr) rd_kafka_headers_destroy(headers);  // not taken on failure
            if (metrics && err != RD_KAFKA_RESP_ERR__QUEUE_FULL) metrics->on_produce_failed(record.topic, 1);
            return make_kafka_error(err);
        }
        return {};
    }

    // On the strand: until `condition()` or `deadline`, wake on each served batch of events.
    template <class Condition>
    asio::awaitable<bool> wait_until(Condition condition, asio::steady_timer::time_point deadline) {
        asio::steady_timer timeout(strand);
        timeout.expires_at(deadline);
        while (!condition()) {
            if (asio::steady_timer::clock_type::now() >= deadline || closed.load()) co_return false;
            co_await (progress.async_wait(asio::as_tuple(asio::use_awaitable)) ||
                      timeout.async_wait(asio::as_tuple(asio::use_awaitable)));
        }
        co_return true;
    }

    // On the strand. The conditions are reference-capturing (trivially destructible) lambdas.
    asio::awaitable<void> wait_for_space(std::uint64_t seen) {
        co_await wait_until([&] { return reports.load() != seen; }, asio::steady_timer::time_point::max());
    }

    asio::awaitable<std::size_t> flush(std::chrono::milliseconds timeout) {
        rd_kafka_flush(rk, 0);  // timeout 0: only sends lingering batches now; never blocks
        serve();
        co_await wait_until([&] { return rd_kafka_outq_len(rk) == 0; },
                            asio::steady_timer::clock_type::now() + timeout);
        co_return static_cast<std::size_t>(rd_kafka_outq_len(rk));
    }

    asio::strand<asio::any_io_executor> strand;
    rd_kafka_t* rk = nullptr;
    std::vector<std::pair<std::string, detail::TopicPtr>> topics;  // read-only after construction
    detail::QueuePtr queue;
    std::optional<detail::QueueWaker> waker;
    asio::steady_timer progress;  // cancelled whenever events were served; never expires
    std::shared_ptr<MetricsSink> metrics;  // may be null
    std::atomic<bool> closed{false};
    std::atomic<std::uint64_t> reports{0};
    bool destroying = false;
};

Producer::Producer(asio::any_io_executor executor, const ProducerConfig& config)
    : impl_(std::make_shared<Impl>(std::move(executor), config)) {
    impl_->start();
}

Producer::~Producer() { close(); }

void Producer::close() {
    if (impl_->closed.exchange(true)) return;
    asio::post(impl_->strand, [impl = impl_] {
        impl->waker->close();
        impl->progress.cancel();
    });
}

std::error_code Producer::send(const ProducerRecord& record, DeliveryListener& listener) {
    return impl_->send(record, listener);
}

asio::awaitable<DeliveryReport> Producer::async_send(const ProducerRecord& record) {
    for (;;) {
        std::error_code immediate;
        DeliveryReport report = co_await asio::async_initiate<decltype(asio::use_awaitable), void(DeliveryReport)>(
            [&](auto handler) {
                auto* listener = new HandlerListener<decltype(handler)>(std::move(handler));
                immediate = impl_->send(record, *listener);
                if (immediate) listener->complete(DeliveryReport{immediate});
            },
            asio::use_awaitable);
        if (is_queue_full(report.error)) {
            co_await async_wait_for_space();
            continue;
        }
        co_return report;
    }
}

// Both hop onto the producer's strand through a member coroutine rather than a capturing lambda:
// GCC 12 destroys a capturing closure that is a temporary inside a co_await expression twice.
asio::awaitable<void> Producer::async_wait_for_space() {
    auto impl = impl_;
    co_await asio::co_spawn(impl->strand, impl->wait_for_space(impl->reports.load()), asio::use_awaitable);
}

asio::awaitable<std::size_t> Producer::async_flush(std::chrono::milliseconds timeout) {
    auto impl = impl_;
    co_return co_await asio::co_spawn(impl->strand, impl->flush(timeout), asio::use_awaitable);
}

std::size_t Producer::in_flight() const { return static_cast<std::size_t>(rd_kafka_outq_len(impl_->rk)); }

std::error_code Producer::fatal_error() const {
    const rd_kafka_resp_err_t err = rd_kafka_fatal_error(impl_->rk, nullptr, 0);
    return err ? make_kafka_error(err) : std::error_code{};
}

}  // namespace streamstore::messaging
