#include "address.hpp"

#include <charconv>
#include <stdexcept>
#include <system_error>

namespace streamstore::observability::detail {

HostPort parse_host_port(std::string_view text, std::optional<std::uint16_t> default_port) {
    std::string_view host;
    std::string_view rest;  // ":port" or empty
    if (text.starts_with('[')) {
        const auto close = text.find(']');
        if (close == std::string_view::npos) throw std::invalid_argument("'[' without ']'");
        host = text.substr(1, close - 1);
        if (host.empty()) throw std::invalid_argument("empty IPv6 address between '[' and ']'");
        rest = text.substr(close + 1);
        if (!rest.empty() && !rest.starts_with(':')) throw std::invalid_argument("expected ':port' after ']'");
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos) {
            host = text;
        } else {
            host = text.substr(0, colon);
            rest = text.substr(colon);
            if (host.find(':') != std::string_view::npos) {
                throw std::invalid_argument("an IPv6 address needs brackets: [::1]:9000");
            }
        }
    }
    HostPort result{std::string(host), 0};
    if (rest.empty()) {
        if (!default_port) throw std::invalid_argument("no port: expected host:port");
        if (host.empty()) throw std::invalid_argument("no host");
        result.port = *default_port;
        return result;
    }
    const std::string_view digits = rest.substr(1);
    unsigned port = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (digits.empty() || error != std::errc{} || end != digits.data() + digits.size() || port > 65535) {
        throw std::invalid_argument("the port must be a number from 0 to 65535");
    }
    result.port = static_cast<std::uint16_t>(port);
    return result;
}

}  // namespace streamstore::observability::detail
