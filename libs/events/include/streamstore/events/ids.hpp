#pragma once
// Identifiers for events.
// Thread safety: the free functions are reentrant; an IdGenerator is not thread-safe (one per
// thread or per strand).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace streamstore::events {

/// Random (version 4) UUIDs. Seeded generators give the same sequence for the same seed.
class IdGenerator {
public:
    IdGenerator();                            ///< Seeded from std::random_device.
    explicit IdGenerator(std::uint64_t seed); ///< Reproducible sequence.
    ~IdGenerator();
    IdGenerator(IdGenerator&&) noexcept;
    IdGenerator& operator=(IdGenerator&&) noexcept;

    std::string next();  ///< "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", lower case.

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// A name-based (version 5, RFC 4122) UUID: the same `name` in the same `scope` always gives the
/// same id, lower-case "xxxxxxxx-xxxx-5xxx-yxxx-xxxxxxxxxxxx". Used for event ids derived from
/// another event, so that reprocessing an order yields a payment with the same event id (which
/// downstream de-duplication relies on). The UUID's name is "scope/name" under a fixed StreamStore
/// namespace; SHA-1 comes from OpenSSL's SHA1_* functions (no allocation; thread-safe). Throws
/// std::runtime_error only if OpenSSL fails to compute the digest.
std::string derived_id(std::string_view scope, std::string_view name);

/// Milliseconds since the Unix epoch, from the system clock.
std::int64_t now_ms() noexcept;

}  // namespace streamstore::events
