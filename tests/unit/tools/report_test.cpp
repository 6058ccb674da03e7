// The verifier's report (tools/verify report.hpp): verdict rules, summary text and JSON.

#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "streamstore/verify/report.hpp"

namespace streamstore::verify {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(Expectation, ParsesBothSpellingsAndNothingElse) {
    EXPECT_EQ(parse_expectation("exactly-once"), Expectation::exactly_once);
    EXPECT_EQ(parse_expectation("at-least-once"), Expectation::at_least_once);
    EXPECT_EQ(parse_expectation("exactly_once"), std::nullopt);
    EXPECT_EQ(to_string(Expectation::at_least_once), "at-least-once");
}

TEST(Verdict, LossesAlwaysFailDuplicatesOnlyUnderExactlyOnceTransactionsNever) {
    for (const auto e : {Expectation::exactly_once, Expectation::at_least_once}) {
        EXPECT_TRUE(fails(Category::lost_payments, e));
        EXPECT_TRUE(fails(Category::lost_notifications, e));
        EXPECT_TRUE(fails(Category::missing_dead_letters, e));
        EXPECT_TRUE(fails(Category::unknown_order_payments, e));
        EXPECT_FALSE(fails(Category::aborted_payments, e));
        EXPECT_FALSE(fails(Category::open_notifications, e));
        EXPECT_FALSE(fails(Category::duplicate_orders, e));
    }
    EXPECT_TRUE(fails(Category::duplicate_payments, Expectation::exactly_once));
    EXPECT_FALSE(fails(Category::duplicate_payments, Expectation::at_least_once));
    EXPECT_TRUE(fails(Category::duplicate_dead_letters, Expectation::exactly_once));
    EXPECT_FALSE(fails(Category::duplicate_dead_letters, Expectation::at_least_once));
}

TEST(Verdict, EveryCategoryHasAKeyAndALabel) {
    for (std::size_t i = 0; i < kCategoryCount; ++i) {
        const auto c = static_cast<Category>(i);
        EXPECT_FALSE(key(c).empty());
        EXPECT_FALSE(label(c).empty());
    }
    EXPECT_EQ(key(Category::lost_payments), "lost_payments");
    EXPECT_EQ(label(Category::good_record_dead_letters), "dead letters for good records");
}

Report failing_report() {
    Report r;
    r.totals.good_orders = 20;
    r.totals.distinct_orders = 20;
    r.totals.bad_orders = 2;
    r.expected_orders = 20;
    for (int i = 0; i < 25; ++i) r[Category::lost_payments].add("o-" + std::to_string(i));
    r.failures = {"25 lost payments"};
    return r;
}

TEST(Summary, OneLinePerCategoryWithExamplesAndTheVerdictLast) {
    const std::string text = format_summary(failing_report());
    EXPECT_THAT(text, HasSubstr("expect exactly-once, 20 orders (topics orders, payments, notifications, orders.dlq)\n"));
    EXPECT_THAT(text, HasSubstr("orders:"));
    EXPECT_THAT(text, HasSubstr("20 good (20 distinct ids), 2 bad\n"));
    EXPECT_THAT(text, HasSubstr("lost payments:"));
    EXPECT_THAT(text, HasSubstr("25 (e.g. o-0, o-1, o-2, ...)\n"));
    EXPECT_THAT(text, HasSubstr("duplicate payments:"));
    EXPECT_THAT(text, HasSubstr("lost notifications:"));
    EXPECT_THAT(text, EndsWith("\nFAIL: 25 lost payments\n"));
}

TEST(Summary, PassAndSkippedNotifications) {
    Report r;
    r.notifications_checked = false;
    const std::string text = format_summary(r);
    EXPECT_THAT(text, EndsWith("\nPASS\n"));
    EXPECT_THAT(text, HasSubstr("not checked (--no-notifications)"));
    EXPECT_THAT(text, Not(HasSubstr("lost notifications")));
}

TEST(Json, CarriesVerdictTotalsCategoriesAndExamples) {
    const boost::json::value doc = boost::json::parse(to_json(failing_report()));
    EXPECT_EQ(doc.at("verdict").as_string(), "fail");
    EXPECT_EQ(doc.at("expect").as_string(), "exactly-once");
    EXPECT_EQ(doc.at("expected_orders").as_int64(), 20);
    EXPECT_EQ(doc.at("totals").at("good_orders").to_number<std::uint64_t>(), 20u);
    const auto& lost = doc.at("categories").at("lost_payments");
    EXPECT_EQ(lost.at("count").to_number<std::uint64_t>(), 25u);
    EXPECT_EQ(lost.at("examples").as_array().size(), kMaxExamples);
    EXPECT_TRUE(lost.at("fails").as_bool());
    EXPECT_FALSE(doc.at("categories").at("aborted_payments").at("fails").as_bool());
    EXPECT_EQ(doc.at("failures").as_array().at(0).as_string(), "25 lost payments");
    EXPECT_EQ(doc.at("topics").at("dead_letters").as_string(), "orders.dlq");
}

TEST(Json, SkippedNotificationsAreLeftOut) {
    Report r;
    r.notifications_checked = false;
    const boost::json::value doc = boost::json::parse(to_json(r));
    EXPECT_EQ(doc.at("verdict").as_string(), "pass");
    EXPECT_TRUE(doc.at("expected_orders").is_null());
    EXPECT_FALSE(doc.at("categories").as_object().contains("lost_notifications"));
    EXPECT_TRUE(doc.at("categories").as_object().contains("lost_payments"));
    EXPECT_FALSE(doc.at("topics").as_object().contains("notifications"));
}

}  // namespace
}  // namespace streamstore::verify
