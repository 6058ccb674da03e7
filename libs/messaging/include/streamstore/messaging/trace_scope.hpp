#pragma once
// The trace of the record a thread is working on, so that every log line about that record can
// carry its trace id (W3C Trace Context; the `traceparent` header of a Kafka record).
//
// The Processor sets it around the Transform of each record that has a valid traceparent
// header; services may set it around their own work on one record (e.g. order-generator). The
// log formatter (runtime/logging.hpp) reads it.
// Thread safety: the state is thread-local. A scope must not span a co_await: the coroutine may
// resume on another thread, or another coroutine may run on this one meanwhile.

#include <string_view>

namespace streamstore::messaging {

/// The header that carries the trace context.
inline constexpr std::string_view kTraceparentHeader = "traceparent";

/// The trace id in effect on this thread: 32 lowercase hex digits, or "" when none. The view is
/// valid until the current scope ends.
[[nodiscard]] std::string_view current_trace_id() noexcept;

/// The trace id of a traceparent value "<version>-<trace id>-<parent id>-<flags>", or "" when
/// the value is not of that form or the trace id is invalid (not lowercase hex, or all zero).
[[nodiscard]] std::string_view trace_id_of(std::string_view traceparent) noexcept;

/// Makes `trace_id` (as given by trace_id_of; "" for none) the current one for its lifetime, then
/// restores the previous one. Scopes nest. Copies the id: the argument need not outlive it.
class TraceScope {
public:
    explicit TraceScope(std::string_view trace_id) noexcept;
    ~TraceScope();
    TraceScope(const TraceScope&) = delete;
    TraceScope& operator=(const TraceScope&) = delete;

private:
    char previous_[32];
    bool had_previous_;
};

}  // namespace streamstore::messaging
