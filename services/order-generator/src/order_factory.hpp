#pragma once
// Realistic, reproducible orders: customers, a catalog with prices, quantities.
// Plain code, no Kafka: the same seed always yields the same orders (given the same clock).
// Thread safety: none; one OrderFactory per producing coroutine.

#include <cstdint>
#include <random>
#include <span>
#include <string_view>

#include "streamstore/events/events.hpp"
#include "streamstore/events/ids.hpp"

namespace streamstore::order_generator {

struct CatalogItem {
    std::string_view name;
    std::int64_t unit_price_cents;
};

struct Customer {
    std::string_view id;
    std::string_view name;
};

/// The items orders are drawn from (prices in EUR cents).
std::span<const CatalogItem> catalog();
/// The customers orders are placed by.
std::span<const Customer> customers();

class OrderFactory {
public:
    explicit OrderFactory(std::uint64_t seed);

    /// The next order, created at `now_ms`. Quantities are mostly 1-5, sometimes up to 20, and
    /// about one order in a hundred is a bulk order of 50-200 (which payment rules flag).
    events::Event<events::Order> next(std::int64_t now_ms);

private:
    std::uint64_t draw(std::uint64_t bound) { return engine_() % bound; }

    std::mt19937_64 engine_;
    events::IdGenerator ids_;
};

}  // namespace streamstore::order_generator
