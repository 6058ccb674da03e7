#include "streamstore/messaging/trace_scope.hpp"

#include <algorithm>
#include <cstring>

namespace streamstore::messaging {
namespace {
constexpr std::size_t kTraceIdLength = 32;

struct Current {
    char id[kTraceIdLength];
    bool set = false;
};
thread_local Current current;

bool lower_hex(char c) noexcept { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
}  // namespace

std::string_view current_trace_id() noexcept {
    return current.set ? std::string_view(current.id, kTraceIdLength) : std::string_view{};
}

std::string_view trace_id_of(std::string_view traceparent) noexcept {
    // version (2) '-' trace id (32) '-' parent id (16) '-' flags (2): at least 55 characters.
    if (traceparent.size() < 55 || traceparent[2] != '-' || traceparent[35] != '-' || traceparent[52] != '-') return {};
    const std::string_view id = traceparent.substr(3, kTraceIdLength);
    if (!std::all_of(id.begin(), id.end(), lower_hex)) return {};
    if (std::all_of(id.begin(), id.end(), [](char c) { return c == '0'; })) return {};
    return id;
}

TraceScope::TraceScope(std::string_view trace_id) noexcept : previous_{}, had_previous_(current.set) {
    std::memcpy(previous_, current.id, kTraceIdLength);
    current.set = trace_id.size() == kTraceIdLength;
    if (current.set) std::memcpy(current.id, trace_id.data(), kTraceIdLength);
}

TraceScope::~TraceScope() {
    std::memcpy(current.id, previous_, kTraceIdLength);
    current.set = had_previous_;
}

}  // namespace streamstore::messaging
