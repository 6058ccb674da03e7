#include "order_generator.hpp"

#include <unistd.h>

#include <cstdio>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "order_factory.hpp"
#include "streamstore/events/codec.hpp"
#include "streamstore/events/ids.hpp"
#include "streamstore/messaging/error.hpp"
#include "streamstore/messaging/trace_scope.hpp"
#include "streamstore/runtime/duration.hpp"
#include "streamstore/runtime/scope_exit.hpp"

namespace streamstore::order_generator {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {
constexpr std::chrono::milliseconds kTerminalRefresh{500};  // the progress line on a terminal
constexpr std::chrono::milliseconds kLogRefresh{10'000};    // a progress log line otherwise
}  // namespace

OrderGenerator::OrderGenerator(asio::any_io_executor executor, GeneratorConfig config,
                               std::shared_ptr<observability::Metrics> metrics)
    : executor_(executor),
      config_(std::move(config)),
      status_(STDERR_FILENO),
      pacer_(executor),
      progress_strand_(asio::make_strand(executor)),
      progress_timer_(progress_strand_) {
    if (!metrics) return;
    orders_sent_ = &prometheus::BuildCounter()
                        .Name("streamstore_orders_sent_total")
                        .Help("Orders handed to the producer")
                        .Register(*metrics->registry())
                        .Add({});
    ack_seconds_ = &prometheus::BuildHistogram()
                        .Name("streamstore_order_ack_seconds")
                        .Help("Time from sending an order to its successful delivery report")
                        .Register(*metrics->registry())
                        .Add({}, prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                                         0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
}

observability::Readiness OrderGenerator::readiness() const {
    if (!connected_.load()) return {false, "starting: creating the topic"};
    if (halted_.load()) return {false, "stopped sending after a producer failure"};
    return {true, "sending to '" + config_.topic.name + "'"};
}

OrderGenerator::~OrderGenerator() { status_.close(); }

asio::awaitable<int> OrderGenerator::async_run() {
    // However this ends, stop the producer's background polling so the io_context can finish,
    // and the progress reports.
    const runtime::ScopeExit close_producer([this] {
        finish_progress();
        if (producer_) producer_->close();
    });
    const std::vector<messaging::TopicSpec> topics(1, config_.topic);
    co_await messaging::async_create_topics(executor_, config_.producer.client, topics, config_.startup_timeout);
    // Connect only now, so the producer's first metadata request already finds the topic.
    producer_.emplace(executor_, config_.producer);
    connected_ = true;
    log_start();

    started_ = Clock::now();
    asio::co_spawn(progress_strand_, async_report_progress(), asio::detached);
    co_await async_send_orders();

    const std::size_t left = co_await producer_->async_flush(config_.flush_timeout);
    finished_ = Clock::now();
    finish_progress();
    if (left > 0) {
        spdlog::error("{} orders still undelivered after flushing for {} ms", left, config_.flush_timeout.count());
        failed_.fetch_add(left);
    }
    co_return print_summary();
}

bool OrderGenerator::may_send(std::uint64_t made, std::optional<Clock::time_point> end) const {
    if (stopping_.load() || halted_.load()) return false;
    if (config_.count != 0 && made >= config_.count) return false;
    return !end || Clock::now() < *end;
}

asio::awaitable<void> OrderGenerator::async_send_orders() {
    const Pacing pacing = config_.pacing();
    std::optional<Clock::time_point> end;
    if (config_.duration.count() > 0) end = started_ + config_.duration;

    OrderFactory factory(config_.seed);
    std::uint64_t made = 0;
    for (std::uint64_t tick = 0;; ++tick) {
        for (std::uint32_t i = 0; i < pacing.burst(); ++i) {
            if (!may_send(made, end)) co_return;
            const auto event = factory.next(events::now_ms());
            const std::string value = events::encode(event);
            const auto trace = events::TraceContext::new_root(trace_random_);
            ++made;
            while (messaging::is_queue_full(send(event.data, value, trace))) co_await producer_->async_wait_for_space();
            if (made % 256 == 0) {
                // Let signals and delivery reports in on a single-threaded io_context (unpaced,
                // catching up, or in a large burst).
                co_await asio::post(executor_, asio::use_awaitable);
            }
        }
        if (pacing.paced()) {
            // Behind schedule (sending took longer than a tick, or the timer fired late): send
            // what is already due now. Waiting on an expired timer still costs a round trip
            // through the event loop per tick, and kept high rates below their target.
            if (made < pacing.orders_due(Clock::now() - started_)) continue;
            // Absolute deadlines from the start: no drift however long sending took.
            Clock::time_point next = started_ + pacing.offset_of(tick + 1);
            if (end && next > *end) next = *end;
            pacer_.expires_at(next);
            (void)co_await pacer_.async_wait(asio::as_tuple(asio::use_awaitable));
        }
    }
}

std::error_code OrderGenerator::send(const events::Order& order, std::string_view value,
                                     const events::TraceContext& trace) {
    const std::string traceparent = trace.traceparent();
    const messaging::Header headers[] = {{events::kTraceparentHeader, traceparent}};
    PendingSend& pending = acquire_pending();
    pending.trace = trace;
    pending.sent_at = Clock::now();
    const std::error_code ec = producer_->send(
        {.topic = config_.topic.name, .key = order.customer_id, .value = value, .headers = headers}, pending);
    if (ec) release_pending(pending);  // the listener is not called for a record not enqueued
    if (messaging::is_queue_full(ec)) return ec;
    if (!ec) {
        sent_.fetch_add(1);
        if (orders_sent_) orders_sent_->Increment();
    }
    // Log lines about this order carry its trace id; formatting it costs, so only when logging.
    if (!ec && !spdlog::should_log(spdlog::level::debug)) return ec;
    const std::string trace_id = trace.trace_id_hex();
    const messaging::TraceScope trace_scope(trace_id);
    if (ec) {
        failed_.fetch_add(1);
        // Anything else (_FATAL, MSG_SIZE_TOO_LARGE...) would refuse every later order too.
        const std::error_code fatal = producer_->fatal_error();
        halt(fatal ? fmt::format("the producer hit a fatal error, {}: {} (order {} not sent)",
                                 messaging::error_name(fatal), fatal.message(), order.order_id)
                   : fmt::format("order {} could not be sent: {}: {}", order.order_id, messaging::error_name(ec),
                                 ec.message()));
    } else {
        spdlog::debug("order {}: {} x {} for {}", order.order_id, order.quantity, order.item, order.user);
    }
    return ec;
}

void OrderGenerator::PendingSend::on_delivery(const messaging::DeliveryReport& report,
                                              const messaging::ProducerRecord& record) noexcept {
    owner->on_delivery(*this, report, record);
}

void OrderGenerator::on_delivery(PendingSend& pending, const messaging::DeliveryReport& report,
                                 const messaging::ProducerRecord& record) noexcept {
    if (!report.error) {
        const auto latency = Clock::now() - pending.sent_at;
        latency_.record(std::chrono::duration_cast<std::chrono::microseconds>(latency));
        if (ack_seconds_) ack_seconds_->Observe(std::chrono::duration<double>(latency).count());
        bytes_.fetch_add(record.key.size() + record.value.size(), std::memory_order_relaxed);
        delivered_.fetch_add(1, std::memory_order_relaxed);
        release_pending(pending);
        return;
    }
    failed_.fetch_add(1, std::memory_order_relaxed);
    const std::string trace_id = pending.trace.trace_id_hex();
    release_pending(pending);
    try {
        const auto order = events::decode_order_event(record.value);
        status_.above([&] {
            const messaging::TraceScope trace_scope(trace_id);
            spdlog::error("order {} failed delivery: {} ({})", order ? order.value().data.order_id : std::string("?"),
                          report.error.message(), messaging::error_name(report.error));
        });
        if (const std::error_code fatal = producer_->fatal_error()) {
            halt(fmt::format("the producer hit a fatal error, {}: {}", messaging::error_name(fatal), fatal.message()));
        }
    } catch (...) {
        // Logging must not end the process from a delivery report (noexcept).
    }
}

void OrderGenerator::halt(const std::string& reason) {
    if (halted_.exchange(true)) return;
    status_.above([&] {
        spdlog::error("{}; sending stopped after {} orders, flushing what was sent, then exiting 1", reason,
                      sent_.load());
    });
    asio::post(executor_, [this] { pacer_.cancel(); });
}

OrderGenerator::PendingSend& OrderGenerator::acquire_pending() {
    const std::lock_guard lock(pending_mutex_);
    if (free_pending_ == nullptr) {
        PendingSend& fresh = pending_.emplace_back();
        fresh.owner = this;
        return fresh;
    }
    PendingSend& reused = *free_pending_;
    free_pending_ = reused.next_free;
    return reused;
}

void OrderGenerator::release_pending(PendingSend& pending) noexcept {
    const std::lock_guard lock(pending_mutex_);
    pending.next_free = free_pending_;
    free_pending_ = &pending;
}

ProgressCounts OrderGenerator::counts() const {
    return {sent_.load(), delivered_.load(), failed_.load()};
}

asio::awaitable<void> OrderGenerator::async_report_progress() {
    const bool terminal = status_.enabled();
    const auto period = terminal ? kTerminalRefresh : kLogRefresh;
    std::optional<std::uint64_t> total;
    if (config_.count != 0) total = config_.count;
    ProgressMeter meter(started_, total, config_.duration);
    for (std::uint64_t tick = 1; !progress_done_; ++tick) {
        progress_timer_.expires_at(started_ + period * static_cast<std::int64_t>(tick));
        (void)co_await progress_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
        if (progress_done_) break;
        const ProgressLine line = meter.update(Clock::now(), counts(), latency_.snapshot());
        if (terminal) {
            status_.draw(format_progress_line(line));
        } else {
            spdlog::info("{}", format_progress_log(line));
        }
    }
}

void OrderGenerator::finish_progress() {
    status_.close();
    asio::post(progress_strand_, [this] {
        progress_done_ = true;
        progress_timer_.cancel();
    });
}

int OrderGenerator::print_summary() const {
    const RunSummary s = summary();
    if (config_.summary_format == SummaryFormat::json) {
        std::printf("%s\n", format_summary_json(s).c_str());
    } else {
        // The totals line first: scripts and tests read it as the first line of stdout.
        std::printf("%s\n%s\n", format_totals_line(s).c_str(), format_perf_line(s).c_str());
    }
    std::fflush(stdout);
    return s.failed == 0 && s.delivered == s.sent && !halted_.load() ? 0 : 1;
}

void OrderGenerator::log_start() const {
    std::string what = config_.count == 0 ? std::string("orders") : fmt::format("{} orders", config_.count);
    if (config_.duration.count() > 0) {
        what += fmt::format(" for {}", runtime::format_duration(config_.duration));
    } else if (config_.count == 0) {
        what += " until stopped";
    }
    spdlog::info("sending {} to '{}', {} (seed {})", what, config_.topic.name, config_.pacing().describe(), config_.seed);
}

void OrderGenerator::stop() {
    stopping_ = true;
    asio::post(executor_, [this] { pacer_.cancel(); });
}

RunSummary OrderGenerator::summary() const {
    const auto end = finished_ > started_ ? finished_ : Clock::now();
    RunSummary s;
    s.sent = sent_.load();
    s.delivered = delivered_.load();
    s.failed = failed_.load();
    s.seconds = std::chrono::duration<double>(end - started_).count();
    s.bytes = bytes_.load();
    s.latency = latency_.snapshot();
    return s;
}

}  // namespace streamstore::order_generator
