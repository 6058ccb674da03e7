#include "streamstore/runtime/logging.hpp"

#include <chrono>
#include <ctime>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "streamstore/messaging/trace_scope.hpp"

namespace streamstore::runtime {
namespace {

// %* in a text pattern: " trace_id=<id>" on lines about one record, nothing otherwise.
class TraceIdFlag final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg&, const std::tm&, spdlog::memory_buf_t& dest) override {
        const std::string_view id = messaging::current_trace_id();
        if (id.empty()) return;
        constexpr std::string_view prefix = " trace_id=";
        dest.append(prefix.data(), prefix.data() + prefix.size());
        dest.append(id.data(), id.data() + id.size());
    }
    [[nodiscard]] std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<TraceIdFlag>();
    }
};

void append(spdlog::memory_buf_t& dest, std::string_view text) { dest.append(text.data(), text.data() + text.size()); }

// A JSON string literal of `text` (escaped by Boost.JSON; invalid UTF-8 is passed through as
// bytes, which is what a log line about a malformed record may hold).
void append_json_string(spdlog::memory_buf_t& dest, std::string_view text) {
    append(dest, boost::json::serialize(boost::json::string(text)));
}

class JsonFormatter final : public spdlog::formatter {
public:
    explicit JsonFormatter(std::string service) : service_(std::move(service)) {}

    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        append(dest, R"({"ts":")");
        append_timestamp(msg.time, dest);
        append(dest, R"(","level":")");
        const auto level = spdlog::level::to_string_view(msg.level);
        dest.append(level.data(), level.data() + level.size());
        append(dest, R"(","service":)");
        append_json_string(dest, service_);
        append(dest, R"(,"msg":)");
        append_json_string(dest, std::string_view(msg.payload.data(), msg.payload.size()));
        if (const std::string_view id = messaging::current_trace_id(); !id.empty()) {
            append(dest, R"(,"trace_id":")");
            append(dest, id);
            append(dest, "\"");
        }
        append(dest, "}\n");
    }

    [[nodiscard]] std::unique_ptr<spdlog::formatter> clone() const override {
        return std::make_unique<JsonFormatter>(service_);
    }

private:
    // RFC 3339 in UTC with milliseconds: 2026-11-21T14:03:07.123Z
    static void append_timestamp(spdlog::log_clock::time_point time, spdlog::memory_buf_t& dest) {
        const auto since_epoch = time.time_since_epoch();
        const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
        const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds).count();
        const std::time_t t = seconds.count();
        std::tm utc{};
        gmtime_r(&t, &utc);
        char buffer[32];
        const auto n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
        append(dest, std::string_view(buffer, n));
        const int written = std::snprintf(buffer, sizeof buffer, ".%03dZ", static_cast<int>(millis));
        append(dest, std::string_view(buffer, static_cast<std::size_t>(written)));
    }

    std::string service_;
};

}  // namespace

std::unique_ptr<spdlog::formatter> make_json_formatter(std::string service) {
    return std::make_unique<JsonFormatter>(std::move(service));
}

std::unique_ptr<spdlog::formatter> make_text_formatter() {
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<TraceIdFlag>('*').set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%-5l%$ %n: %v%*");
    return formatter;
}

void init_logging(std::string_view service, std::string_view level, std::string_view format) {
    auto logger = spdlog::stderr_color_mt(std::string(service));
    if (format == "json") {
        logger->set_formatter(make_json_formatter(std::string(service)));
    } else {
        logger->set_formatter(make_text_formatter());
    }
    logger->set_level(spdlog::level::from_str(std::string(level)));
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(std::move(logger));
}

}  // namespace streamstore::runtime
