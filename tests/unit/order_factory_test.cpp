// Reproducible orders (services/order-generator order_factory.hpp).

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "order_factory.hpp"
#include "streamstore/events/codec.hpp"

namespace streamstore::order_generator {
namespace {

constexpr std::int64_t kNow = 1'700'000'000'000;

std::vector<events::Event<events::Order>> generate(std::uint64_t seed, int n) {
    OrderFactory factory(seed);
    std::vector<events::Event<events::Order>> orders;
    orders.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) orders.push_back(factory.next(kNow));
    return orders;
}

TEST(OrderFactory, SameSeedGivesTheSameOrders) {
    const auto a = generate(42, 100);
    const auto b = generate(42, 100);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].meta, b[i].meta) << "order " << i;
        EXPECT_EQ(a[i].data, b[i].data) << "order " << i;
    }
}

TEST(OrderFactory, DifferentSeedsGiveDifferentOrders) {
    const auto a = generate(42, 100);
    const auto b = generate(43, 100);
    int same_ids = 0;
    int same_contents = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].data.order_id == b[i].data.order_id) ++same_ids;
        if (a[i].data.user == b[i].data.user && a[i].data.item == b[i].data.item &&
            a[i].data.quantity == b[i].data.quantity) {
            ++same_contents;
        }
    }
    EXPECT_EQ(same_ids, 0);
    EXPECT_LT(same_contents, 10);  // by chance: well under 1 in 192 per order
}

TEST(OrderFactory, GivesUniqueOrderAndEventIds) {
    std::set<std::string> ids;
    for (const auto& order : generate(5, 1000)) {
        EXPECT_NE(order.meta.event_id, order.data.order_id);
        ids.insert(order.meta.event_id);
        ids.insert(order.data.order_id);
    }
    EXPECT_EQ(ids.size(), 2000U);
}

TEST(OrderFactory, StampsTheGivenTime) {
    OrderFactory factory(1);
    const auto order = factory.next(kNow + 17);
    EXPECT_EQ(order.data.created_at_ms, kNow + 17);
    EXPECT_EQ(order.meta.occurred_at_ms, kNow + 17);
    EXPECT_EQ(order.meta.type, events::EventType::order_placed);
    EXPECT_EQ(order.meta.schema_version, events::kSchemaVersion);
}

TEST(OrderFactory, MakesOnlyValidOrdersFromTheCatalogAndCustomers) {
    for (const auto& order : generate(99, 2000)) {
        const events::Order& o = order.data;
        const auto decoded = events::decode_order_event(events::encode(order));
        ASSERT_TRUE(decoded.ok()) << decoded.error().message;
        EXPECT_EQ(decoded.value(), order);

        EXPECT_GE(o.quantity, 1);
        EXPECT_LE(o.quantity, 200);
        EXPECT_EQ(o.currency, "EUR");

        const auto item = std::find_if(catalog().begin(), catalog().end(),
                                       [&](const CatalogItem& c) { return c.name == o.item; });
        ASSERT_NE(item, catalog().end()) << o.item << " is not in the catalog";
        EXPECT_EQ(o.unit_price_cents, item->unit_price_cents) << o.item;

        const auto customer = std::find_if(customers().begin(), customers().end(),
                                           [&](const Customer& c) { return c.id == o.customer_id; });
        ASSERT_NE(customer, customers().end()) << o.customer_id << " is not a customer";
        EXPECT_EQ(o.user, customer->name) << o.customer_id;
    }
}

TEST(OrderFactory, DrawsFromTheWholeCatalogAndAllCustomers) {
    std::set<std::string> items;
    std::set<std::string> users;
    for (const auto& order : generate(3, 2000)) {
        items.insert(order.data.item);
        users.insert(order.data.customer_id);
    }
    EXPECT_EQ(items.size(), catalog().size());
    EXPECT_EQ(users.size(), customers().size());
}

TEST(OrderFactory, MakesAboutOneBulkOrderInAHundred) {
    int bulk = 0;
    int small = 0;
    for (const auto& order : generate(11, 10'000)) {
        const std::int32_t q = order.data.quantity;
        if (q >= 50) {
            ++bulk;
            EXPECT_LE(q, 200);
        } else {
            EXPECT_LE(q, 20) << "between the regular and the bulk ranges";
        }
        if (q <= 5) ++small;
    }
    EXPECT_GE(bulk, 50);   // expected 100
    EXPECT_LE(bulk, 150);
    EXPECT_GE(small, 7'500);  // "mostly 1-5": expected 80 %
}

TEST(Catalog, HasPricedItems) {
    ASSERT_FALSE(catalog().empty());
    for (const CatalogItem& item : catalog()) {
        EXPECT_FALSE(item.name.empty());
        EXPECT_GT(item.unit_price_cents, 0) << item.name;
    }
    EXPECT_EQ(catalog().front().name, "pizza");
    EXPECT_EQ(catalog().front().unit_price_cents, 1250);
}

TEST(Customers, HaveIdsAndNames) {
    ASSERT_FALSE(customers().empty());
    std::set<std::string_view> ids;
    for (const Customer& c : customers()) {
        EXPECT_FALSE(c.name.empty());
        ids.insert(c.id);
    }
    EXPECT_EQ(ids.size(), customers().size());
}

}  // namespace
}  // namespace streamstore::order_generator
