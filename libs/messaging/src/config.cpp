#include "streamstore/messaging/config.hpp"

namespace streamstore::messaging {

std::optional<Property> parse_property(std::string_view text) {
    const auto eq = text.find('=');
    if (eq == std::string_view::npos || eq == 0) return std::nullopt;
    return Property{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
}

}  // namespace streamstore::messaging
