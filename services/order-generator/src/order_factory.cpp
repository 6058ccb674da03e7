#include "order_factory.hpp"

#include <array>

namespace streamstore::order_generator {

namespace {
constexpr std::array<CatalogItem, 12> kCatalog{{
    {"pizza", 1250},       {"burger", 990},        {"sushi box", 1890},  {"pad thai", 1350},
    {"falafel wrap", 750}, {"ramen", 1420},        {"caesar salad", 980}, {"lasagne", 1560},
    {"tacos", 890},        {"cheesecake", 620},    {"espresso", 280},    {"lemonade", 350},
}};

constexpr std::array<Customer, 16> kCustomers{{
    {"c-0001", "John Doe"},       {"c-0002", "Ada Lovelace"},    {"c-0003", "Alan Turing"},
    {"c-0004", "Grace Hopper"},   {"c-0005", "Edsger Dijkstra"}, {"c-0006", "Barbara Liskov"},
    {"c-0007", "Ken Thompson"},   {"c-0008", "Margaret Hamilton"}, {"c-0009", "Donald Knuth"},
    {"c-0010", "Frances Allen"},  {"c-0011", "Dennis Ritchie"},  {"c-0012", "Radia Perlman"},
    {"c-0013", "Tony Hoare"},     {"c-0014", "Leslie Lamport"},  {"c-0015", "Jean Bartik"},
    {"c-0016", "Niklaus Wirth"},
}};
}  // namespace

std::span<const CatalogItem> catalog() { return kCatalog; }
std::span<const Customer> customers() { return kCustomers; }

// The engine seeds the id generator too, so ids are reproducible as well.
OrderFactory::OrderFactory(std::uint64_t seed) : engine_(seed), ids_(seed ^ 0x9e3779b97f4a7c15ULL) {}

events::Event<events::Order> OrderFactory::next(std::int64_t now_ms) {
    const Customer& customer = kCustomers[draw(kCustomers.size())];
    const CatalogItem& item = kCatalog[draw(kCatalog.size())];
    const std::uint64_t roll = draw(100);
    std::int32_t quantity = 0;
    if (roll < 80) quantity = static_cast<std::int32_t>(1 + draw(5));
    else if (roll < 99) quantity = static_cast<std::int32_t>(6 + draw(15));
    else quantity = static_cast<std::int32_t>(50 + draw(151));

    events::Event<events::Order> event;
    event.data.order_id = ids_.next();
    event.data.customer_id = std::string(customer.id);
    event.data.user = std::string(customer.name);
    event.data.item = std::string(item.name);
    event.data.quantity = quantity;
    event.data.unit_price_cents = item.unit_price_cents;
    event.data.currency = "EUR";
    event.data.created_at_ms = now_ms;
    event.meta.event_id = ids_.next();
    event.meta.type = events::EventType::order_placed;
    event.meta.occurred_at_ms = now_ms;
    return event;
}

}  // namespace streamstore::order_generator
