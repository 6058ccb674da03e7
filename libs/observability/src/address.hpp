#pragma once
// "host:port" parsing shared by HttpServer (listen address) and probe() (URL authority).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace streamstore::observability::detail {

struct HostPort {
    std::string host;  ///< without brackets; empty when the text was ":port"
    std::uint16_t port = 0;
};

/// Splits "host:port", "[v6 address]:port" or, with `default_port`, a bare "host" / "[v6]".
/// Throws std::invalid_argument saying what is wrong (not naming `text`: the caller does).
HostPort parse_host_port(std::string_view text, std::optional<std::uint16_t> default_port);

}  // namespace streamstore::observability::detail
