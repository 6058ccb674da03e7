// Log lines (runtime/logging.hpp) and the trace id they carry (messaging/trace_scope.hpp).

#include <string>
#include <string_view>

#include <boost/json/parse.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/details/log_msg.h>

#include "streamstore/messaging/trace_scope.hpp"
#include "streamstore/runtime/logging.hpp"

namespace streamstore {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kTraceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
constexpr std::string_view kTraceId = "0af7651916cd43dd8448eb211c80319c";

std::string format(spdlog::formatter& formatter, std::string_view text,
                   spdlog::level::level_enum level = spdlog::level::info) {
    const spdlog::details::log_msg msg(spdlog::source_loc{}, "payment-service", level,
                                       spdlog::string_view_t(text.data(), text.size()));
    spdlog::memory_buf_t out;
    formatter.format(msg, out);
    return {out.data(), out.size()};
}

TEST(TraceIdOf, TakesTheTraceIdOfAValidTraceparent) {
    EXPECT_EQ(messaging::trace_id_of(kTraceparent), kTraceId);
}

TEST(TraceIdOf, RejectsMalformedValues) {
    EXPECT_EQ(messaging::trace_id_of(""), "");
    EXPECT_EQ(messaging::trace_id_of("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331"), "");  // no flags
    EXPECT_EQ(messaging::trace_id_of("00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01"), "");  // upper case
    EXPECT_EQ(messaging::trace_id_of("00-00000000000000000000000000000000-b7ad6b7169203331-01"), "");  // zero id
    EXPECT_EQ(messaging::trace_id_of("00_0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"), "");  // separator
}

TEST(TraceScope, SetsAndRestoresTheCurrentTraceIdAndNests) {
    EXPECT_EQ(messaging::current_trace_id(), "");
    {
        const messaging::TraceScope outer(kTraceId);
        EXPECT_EQ(messaging::current_trace_id(), kTraceId);
        {
            const messaging::TraceScope inner("");
            EXPECT_EQ(messaging::current_trace_id(), "");
        }
        EXPECT_EQ(messaging::current_trace_id(), kTraceId);
    }
    EXPECT_EQ(messaging::current_trace_id(), "");
}

TEST(JsonLogFormat, IsOneParsableObjectPerLineWithTheDocumentedFields) {
    auto formatter = runtime::make_json_formatter("payment-service");
    const std::string line = format(*formatter, "order \"42\" paid\n\tnext", spdlog::level::warn);
    ASSERT_THAT(line, EndsWith("}\n"));
    EXPECT_EQ(line.find('\n'), line.size() - 1) << "a newline in the message must be escaped: " << line;
    const auto object = boost::json::parse(line).as_object();
    EXPECT_EQ(object.at("level").as_string(), "warning");
    EXPECT_EQ(object.at("service").as_string(), "payment-service");
    EXPECT_EQ(object.at("msg").as_string(), "order \"42\" paid\n\tnext");
    const std::string ts(object.at("ts").as_string());
    EXPECT_EQ(ts.size(), 24u) << ts;  // 2026-11-21T14:03:07.123Z
    EXPECT_THAT(ts, EndsWith("Z"));
    EXPECT_FALSE(object.contains("trace_id")) << "no record, no trace id";
}

TEST(JsonLogFormat, CarriesTheTraceIdOfTheRecordBeingProcessed) {
    auto formatter = runtime::make_json_formatter("notification-service");
    const messaging::TraceScope trace(kTraceId);
    const auto object = boost::json::parse(format(*formatter, "notified")).as_object();
    EXPECT_EQ(object.at("trace_id").as_string(), kTraceId);
}

TEST(JsonLogFormat, EscapesControlCharactersOfAMalformedRecord) {
    auto formatter = runtime::make_json_formatter("payment-service");
    const std::string text("bad \x01 byte", 10);
    const auto object = boost::json::parse(format(*formatter, text)).as_object();
    EXPECT_EQ(object.at("msg").as_string(), text);
}

TEST(TextLogFormat, AppendsTheTraceIdOnlyOnLinesAboutARecord) {
    auto formatter = runtime::make_text_formatter();
    EXPECT_THAT(format(*formatter, "started"), Not(HasSubstr("trace_id=")));
    const messaging::TraceScope trace(kTraceId);
    const std::string line = format(*formatter, "paid");
    EXPECT_THAT(line, HasSubstr("payment-service: paid trace_id=" + std::string(kTraceId)));
}

}  // namespace
}  // namespace streamstore
