#pragma once
// order-generator: produces orders to the orders topic and counts their delivery reports.
//
// Lifecycle: async_run() creates the topic if missing (waiting at most startup_timeout for the
// broker), sends `count` orders (or until stop()), then flushes the producer for at most
// flush_timeout and prints a summary. It co_returns 0 when every order was delivered, 1 otherwise.
// Thread safety: stop() may be called from any thread; the rest runs on the given executor.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "streamstore/events/events.hpp"
#include "streamstore/messaging/admin.hpp"
#include "streamstore/messaging/producer.hpp"

namespace streamstore::order_generator {

struct GeneratorConfig {
    messaging::ProducerConfig producer;
    messaging::TopicSpec topic{"orders", 3, 1};
    std::uint64_t count = 0;                      ///< 0 = until stopped
    std::chrono::milliseconds interval{0};        ///< between orders; 0 = as fast as possible
    std::uint64_t seed = 0;
    std::chrono::milliseconds startup_timeout{30'000};
    std::chrono::milliseconds flush_timeout{10'000};
};

struct GeneratorSummary {
    std::uint64_t sent = 0;       ///< enqueued in the producer
    std::uint64_t delivered = 0;  ///< acknowledged by the broker
    std::uint64_t failed = 0;     ///< failed delivery (or could not be enqueued)
    double seconds = 0;
};

class OrderGenerator final : private messaging::DeliveryListener {
public:
    OrderGenerator(boost::asio::any_io_executor executor, GeneratorConfig config);

    boost::asio::awaitable<int> async_run();
    void stop();
    [[nodiscard]] GeneratorSummary summary() const;

private:
    /// Enqueues one order; counts it as sent or failed unless the queue was full (returned).
    std::error_code send(const events::Order& order, std::string_view value);
    void log_start() const;
    int print_summary() const;
    void on_delivery(const messaging::DeliveryReport& report, const messaging::ProducerRecord& record) noexcept override;

    boost::asio::any_io_executor executor_;
    GeneratorConfig config_;
    messaging::Admin admin_;
    std::optional<messaging::Producer> producer_;  // created once the topic exists (see async_run)
    boost::asio::steady_timer pacer_;
    std::atomic<bool> stopping_{false};
    std::atomic<std::uint64_t> sent_{0};
    std::atomic<std::uint64_t> delivered_{0};
    std::atomic<std::uint64_t> failed_{0};
    std::chrono::steady_clock::time_point started_;
    std::chrono::steady_clock::time_point finished_;
};

}  // namespace streamstore::order_generator
