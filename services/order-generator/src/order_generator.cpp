#include "order_generator.hpp"

#include <cstdio>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "streamstore/runtime/scope_exit.hpp"

#include "order_factory.hpp"
#include "streamstore/events/codec.hpp"
#include "streamstore/events/ids.hpp"
#include "streamstore/messaging/error.hpp"

namespace streamstore::order_generator {
namespace asio = boost::asio;

OrderGenerator::OrderGenerator(asio::any_io_executor executor, GeneratorConfig config)
    : executor_(executor),
      config_(std::move(config)),
      admin_(executor, config_.producer.client),
      pacer_(executor) {}

asio::awaitable<int> OrderGenerator::async_run() {
    // However this ends, stop the producer's background polling so the io_context can finish.
    const runtime::ScopeExit close_producer([this] {
        if (producer_) producer_->close();
    });
    const std::vector<messaging::TopicSpec> topics(1, config_.topic);
    co_await admin_.async_create_topics(topics, config_.startup_timeout);
    // Connect only now, so the producer's first metadata request already finds the topic.
    producer_.emplace(executor_, config_.producer);
    log_start();

    OrderFactory factory(config_.seed);
    started_ = std::chrono::steady_clock::now();
    for (std::uint64_t i = 0; (config_.count == 0 || i < config_.count) && !stopping_.load(); ++i) {
        const auto event = factory.next(events::now_ms());
        const std::string value = events::encode(event);
        while (messaging::is_queue_full(send(event.data, value))) co_await producer_->async_wait_for_space();
        if (config_.interval.count() > 0) {
            pacer_.expires_at(started_ + config_.interval * (i + 1));
            (void)co_await pacer_.async_wait(asio::as_tuple(asio::use_awaitable));
        } else if (i % 256 == 255) {
            // Let signals and delivery reports in on a single-threaded io_context.
            co_await asio::post(executor_, asio::use_awaitable);
        }
    }

    const std::size_t left = co_await producer_->async_flush(config_.flush_timeout);
    finished_ = std::chrono::steady_clock::now();
    if (left > 0) {
        spdlog::error("{} orders still undelivered after flushing for {} ms", left, config_.flush_timeout.count());
        failed_.fetch_add(left);
    }
    co_return print_summary();
}

std::error_code OrderGenerator::send(const events::Order& order, std::string_view value) {
    const std::error_code ec = producer_->send({.topic = config_.topic.name, .key = order.customer_id, .value = value}, *this);
    if (messaging::is_queue_full(ec)) return ec;
    if (ec) {
        failed_.fetch_add(1);
        spdlog::error("order {} not sent: {}", order.order_id, ec.message());
    } else {
        sent_.fetch_add(1);
        spdlog::debug("order {}: {} x {} for {}", order.order_id, order.quantity, order.item, order.user);
    }
    return ec;
}

int OrderGenerator::print_summary() const {
    const GeneratorSummary s = summary();
    std::printf("order-generator: sent %llu, delivered %llu, failed %llu in %.2f s (%.0f orders/s)\n",
                static_cast<unsigned long long>(s.sent), static_cast<unsigned long long>(s.delivered),
                static_cast<unsigned long long>(s.failed), s.seconds,
                s.seconds > 0 ? static_cast<double>(s.delivered) / s.seconds : 0.0);
    std::fflush(stdout);
    return s.failed == 0 && s.delivered == s.sent ? 0 : 1;
}

void OrderGenerator::log_start() const {
    spdlog::info("sending {} orders to '{}' every {} ms (seed {})",
                 config_.count == 0 ? std::string("unlimited") : std::to_string(config_.count), config_.topic.name,
                 config_.interval.count(), config_.seed);
}

void OrderGenerator::stop() {
    stopping_ = true;
    asio::post(executor_, [this] { pacer_.cancel(); });
}

GeneratorSummary OrderGenerator::summary() const {
    const auto end = finished_ > started_ ? finished_ : std::chrono::steady_clock::now();
    return {sent_.load(), delivered_.load(), failed_.load(), std::chrono::duration<double>(end - started_).count()};
}

void OrderGenerator::on_delivery(const messaging::DeliveryReport& report, const messaging::ProducerRecord& record) noexcept {
    if (!report.error) {
        delivered_.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    failed_.fetch_add(1, std::memory_order_relaxed);
    const auto order = events::decode_order_event(record.value);
    spdlog::error("order {} failed delivery: {} ({})", order ? order.value().data.order_id : std::string("?"),
                  report.error.message(), messaging::error_name(report.error));
}

}  // namespace streamstore::order_generator
