#include <chrono>
#include <cstdio>
#include <random>

#include <boost/uuid/name_generator_sha1.hpp>
#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/string_generator.hpp>
#include <boost/uuid/uuid_io.hpp>

#include "streamstore/events/events.hpp"
#include "streamstore/events/ids.hpp"

namespace streamstore::events {

std::string_view to_string(EventType type) noexcept {
    switch (type) {
        case EventType::order_placed: return "order_placed";
        case EventType::payment_processed: return "payment_processed";
        case EventType::notification_sent: return "notification_sent";
    }
    return "unknown";
}

std::string_view to_string(PaymentStatus status) noexcept {
    return status == PaymentStatus::approved ? "approved" : "declined";
}

std::string_view to_string(NotificationKind kind) noexcept {
    switch (kind) {
        case NotificationKind::order_received: return "order_received";
        case NotificationKind::payment_approved: return "payment_approved";
        case NotificationKind::payment_declined: return "payment_declined";
    }
    return "unknown";
}

std::string format_money(std::int64_t amount_cents, std::string_view currency) {
    const bool negative = amount_cents < 0;
    const std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(amount_cents)
                                             : static_cast<std::uint64_t>(amount_cents);
    char buffer[48];
    const int n = std::snprintf(buffer, sizeof buffer, "%s%llu.%02llu", negative ? "-" : "",
                                static_cast<unsigned long long>(magnitude / 100),
                                static_cast<unsigned long long>(magnitude % 100));
    std::string out(currency);
    out += ' ';
    out.append(buffer, static_cast<std::size_t>(n));
    return out;
}

struct IdGenerator::Impl {
    explicit Impl(std::uint64_t seed) : engine(seed), uuids(engine) {}
    std::mt19937_64 engine;
    boost::uuids::basic_random_generator<std::mt19937_64> uuids;
};

IdGenerator::IdGenerator() : IdGenerator((std::uint64_t{std::random_device{}()} << 32) ^ std::random_device{}()) {}
IdGenerator::IdGenerator(std::uint64_t seed) : impl_(std::make_unique<Impl>(seed)) {}
IdGenerator::~IdGenerator() = default;
IdGenerator::IdGenerator(IdGenerator&&) noexcept = default;
IdGenerator& IdGenerator::operator=(IdGenerator&&) noexcept = default;

std::string IdGenerator::next() { return boost::uuids::to_string(impl_->uuids()); }

std::string derived_id(std::string_view scope, std::string_view name) {
    // A fixed namespace UUID for StreamStore; changing it would change every derived id.
    static const boost::uuids::uuid kNamespace =
        boost::uuids::string_generator{}("5b0c9a8e-3f55-4c1e-9d6a-2f1c7e0b4a61");
    boost::uuids::name_generator_sha1 generate(kNamespace);
    std::string key;
    key.reserve(scope.size() + 1 + name.size());
    key.append(scope).append(1, '/').append(name);
    return boost::uuids::to_string(generate(key.data(), key.size()));
}

std::int64_t now_ms() noexcept {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace streamstore::events
