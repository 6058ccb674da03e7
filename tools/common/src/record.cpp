#include "streamstore/tools/record.hpp"

namespace streamstore::tools {

std::string format_position(std::string_view topic, Position position) {
    std::string text(topic);
    text += '[';
    text += std::to_string(position.partition);
    text += "]@";
    text += std::to_string(position.offset);
    return text;
}

std::optional<std::string_view> Record::header(std::string_view name) const noexcept {
    for (auto it = headers.rbegin(); it != headers.rend(); ++it) {
        if (it->first == name) return std::string_view(it->second);
    }
    return std::nullopt;
}

}  // namespace streamstore::tools
