// The verifier's checks (tools/verify checker.hpp): lost, duplicate, aborted and open payments
// and notifications, dead letter matching, and the verdict under each expectation.

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "records.hpp"
#include "streamstore/verify/checker.hpp"

namespace streamstore::verify {
namespace {

using events::NotificationKind;
using events::PaymentStatus;
using tools::Record;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using namespace tools::testing;

// The four topics' contents, fed to a Checker the way streamstore-verify reads them. Offsets are
// handed out per topic on partition 0 unless a test places a record itself.
struct Pipeline {
    std::vector<Record> orders;
    std::vector<Record> payments;                ///< committed
    std::vector<Record> payments_uncommitted;    ///< seen only with read_uncommitted
    std::vector<Record> notifications;           ///< committed
    std::vector<Record> notifications_uncommitted;
    std::vector<Record> dead_letters;
    /// Last stable offsets of the committed passes; by default one past the last committed or
    /// uncommitted record placed below them.
    std::map<std::int32_t, std::int64_t> payments_end;
    std::map<std::int32_t, std::int64_t> notifications_end;

    std::int64_t next_order = 0;
    std::int64_t next_payment = 0;
    std::int64_t next_notification = 0;
    std::int64_t next_dead_letter = 0;

    std::string order(const std::string& id) {
        orders.push_back(order_record(id, 0, next_order++));
        return id;
    }
    void bad_order(const std::string& payload) { orders.push_back(raw_record(payload, 0, next_order++)); }
    void pay(const std::string& id, PaymentStatus status = PaymentStatus::approved) {
        payments.push_back(payment_record(id, status, 0, next_payment++));
    }
    void pay_aborted(const std::string& id) {
        payments_uncommitted.push_back(payment_record(id, PaymentStatus::approved, 0, next_payment++));
    }
    void notify(const std::string& id, NotificationKind kind) {
        notifications.push_back(notification_record(id, kind, 0, next_notification++));
    }
    void notify_aborted(const std::string& id, NotificationKind kind) {
        notifications_uncommitted.push_back(notification_record(id, kind, 0, next_notification++));
    }
    void dead_letter(std::int64_t original_offset, const std::string& error_class, const std::string& payload) {
        dead_letters.push_back(dead_letter_record("orders", 0, original_offset, error_class, payload, 0,
                                                  next_dead_letter++));
    }
    /// An order that went through the whole pipeline.
    std::string processed(const std::string& id, PaymentStatus status = PaymentStatus::approved) {
        order(id);
        pay(id, status);
        notify(id, NotificationKind::order_received);
        notify(id, status == PaymentStatus::approved ? NotificationKind::payment_approved
                                                     : NotificationKind::payment_declined);
        return id;
    }

    [[nodiscard]] Report check(Settings settings = {}) const {
        Checker checker(std::move(settings));
        for (const auto& r : orders) checker.add_order(r);
        feed(checker, Stream::payments, payments, payments_uncommitted, payments_end, next_payment);
        feed(checker, Stream::notifications, notifications, notifications_uncommitted, notifications_end,
             next_notification);
        for (const auto& r : dead_letters) checker.add_dead_letter(r);
        return checker.report();
    }

    static void feed(Checker& checker, Stream stream, const std::vector<Record>& committed,
                     const std::vector<Record>& uncommitted_only, std::map<std::int32_t, std::int64_t> end,
                     std::int64_t next) {
        for (const auto& r : committed) checker.add_committed(stream, r);
        if (end.empty()) end[0] = next;
        checker.end_committed(stream, end);
        std::vector<Record> all = committed;
        all.insert(all.end(), uncommitted_only.begin(), uncommitted_only.end());
        std::sort(all.begin(), all.end(), [](const Record& a, const Record& b) { return a.position < b.position; });
        for (const auto& r : all) checker.add_uncommitted(stream, r);
    }
};

Settings at_least_once() {
    Settings s;
    s.expectation = Expectation::at_least_once;
    return s;
}

TEST(Checker, EveryOrderPaidAndNotifiedOncePasses) {
    Pipeline p;
    p.processed("o-1");
    p.processed("o-2", PaymentStatus::declined);
    p.processed("o-3");
    const Report r = p.check();
    EXPECT_TRUE(r.passed()) << ::testing::PrintToString(r.failures);
    EXPECT_EQ(r.totals.good_orders, 3u);
    EXPECT_EQ(r.totals.distinct_orders, 3u);
    EXPECT_EQ(r.totals.committed_payments, 3u);
    EXPECT_EQ(r.totals.uncommitted_payments, 3u);
    EXPECT_EQ(r.totals.committed_notifications, 6u);
    for (const Category c : r.checked_categories()) EXPECT_EQ(r[c].count, 0u) << key(c);
}

TEST(Checker, OrderWithoutCommittedPaymentIsLostUnderEitherExpectation) {
    Pipeline p;
    p.processed("o-1");
    p.order("o-2");
    p.notify("o-2", NotificationKind::order_received);
    for (const Settings& settings : {Settings{}, at_least_once()}) {
        const Report r = p.check(settings);
        EXPECT_EQ(r[Category::lost_payments].count, 1u);
        EXPECT_THAT(r[Category::lost_payments].examples, ElementsAre("o-2"));
        EXPECT_EQ(r[Category::lost_notifications].count, 1u);  // its outcome is missing too
        EXPECT_FALSE(r.passed());
        EXPECT_THAT(r.failures, ElementsAre("1 lost payments", "1 lost notifications"));
    }
}

TEST(Checker, DuplicatePaymentFailsExactlyOnceButOnlyReportedAtLeastOnce) {
    Pipeline p;
    p.processed("o-1");
    p.processed("o-2");
    p.pay("o-2");
    p.pay("o-2");

    const Report exactly = p.check();
    EXPECT_EQ(exactly[Category::duplicate_payments].count, 1u);
    EXPECT_THAT(exactly[Category::duplicate_payments].examples, ElementsAre("o-2"));
    EXPECT_EQ(exactly[Category::lost_payments].count, 0u);
    EXPECT_THAT(exactly.failures, ElementsAre("1 duplicate payments"));

    const Report at_least = p.check(at_least_once());
    EXPECT_EQ(at_least[Category::duplicate_payments].count, 1u);
    EXPECT_TRUE(at_least.passed()) << ::testing::PrintToString(at_least.failures);
}

TEST(Checker, ApprovedAndDeclinedPaymentsForOneOrderConflict) {
    Pipeline p;
    p.processed("o-1");
    p.pay("o-1", PaymentStatus::declined);
    const Report r = p.check(at_least_once());
    EXPECT_EQ(r[Category::conflicting_payments].count, 1u);
    EXPECT_FALSE(r.passed());
}

TEST(Checker, PaymentForAnOrderNotOnTheOrdersTopicIsUnknown) {
    Pipeline p;
    p.processed("o-1");
    p.pay("ghost");
    const Report r = p.check(at_least_once());
    EXPECT_THAT(r[Category::unknown_order_payments].examples, ElementsAre("ghost"));
    EXPECT_EQ(r.totals.distinct_orders, 1u);  // the ghost is not an order
    EXPECT_THAT(r.failures, ElementsAre("1 payments for unknown orders"));
}

TEST(Checker, UndecodableOrMiskeyedPaymentsAreBad) {
    Pipeline p;
    p.processed("o-1");
    p.payments.push_back(raw_record("not json", 1, 0));
    const std::string other_key = "o-9";
    p.payments.push_back(payment_record("o-1", PaymentStatus::approved, 1, 1, &other_key));
    const Report r = p.check(at_least_once());
    EXPECT_THAT(r[Category::bad_payments].examples, ElementsAre("payments[1]@0", "payments[1]@1"));
    EXPECT_EQ(r[Category::duplicate_payments].count, 1u);  // the mis-keyed one is still a payment of o-1
}

TEST(Checker, PaymentOnlyReadUncommittedBelowTheLastStableOffsetIsAbortedNotPaid) {
    Pipeline p;
    p.order("o-1");
    p.pay_aborted("o-1");  // offset 0: a transaction that was aborted
    p.pay("o-1");          // offset 1: the retry that committed
    p.notify("o-1", NotificationKind::order_received);
    p.notify("o-1", NotificationKind::payment_approved);
    const Report r = p.check();
    EXPECT_EQ(r[Category::aborted_payments].count, 1u);
    EXPECT_THAT(r[Category::aborted_payments].examples, ElementsAre("o-1"));
    EXPECT_EQ(r[Category::open_payments].count, 0u);
    EXPECT_EQ(r.totals.committed_payments, 1u);
    EXPECT_EQ(r.totals.uncommitted_payments, 2u);
    EXPECT_TRUE(r.passed()) << ::testing::PrintToString(r.failures);  // aborted records are expected

    Pipeline lost;
    lost.order("o-1");
    lost.pay_aborted("o-1");  // and never retried
    const Report l = lost.check(Settings{.expectation = Expectation::exactly_once,
                                         .expected_orders = {},
                                         .check_notifications = false,
                                         .topics = {}});
    EXPECT_EQ(l[Category::aborted_payments].count, 1u);
    EXPECT_EQ(l[Category::lost_payments].count, 1u);
}

TEST(Checker, RecordAtOrPastTheLastStableOffsetIsOpenNotAborted) {
    Pipeline p;
    p.processed("o-1");
    p.order("o-2");
    p.payments_end[0] = p.next_payment;  // the committed pass ended here...
    p.pay_aborted("o-2");                // ...and this was written past it, still uncommitted
    const Report r = p.check(Settings{.expectation = Expectation::exactly_once,
                                      .expected_orders = {},
                                      .check_notifications = false,
                                      .topics = {}});
    EXPECT_EQ(r[Category::open_payments].count, 1u);
    EXPECT_EQ(r[Category::aborted_payments].count, 0u);
    EXPECT_EQ(r[Category::lost_payments].count, 1u);
}

TEST(Checker, AbortedRecordThatDoesNotDecodeIsNamedByPosition) {
    Pipeline p;
    p.processed("o-1");
    p.payments_uncommitted.push_back(raw_record("garbage", 2, 5));
    p.payments_end[0] = p.next_payment;
    p.payments_end[2] = 6;
    const Report r = p.check();
    EXPECT_THAT(r[Category::aborted_payments].examples, ElementsAre("payments[2]@5"));
}

TEST(Checker, NotificationsMustBeOneReceivedAndOneOutcome) {
    Pipeline p;
    p.processed("ok");
    p.order("no-outcome");
    p.pay("no-outcome");
    p.notify("no-outcome", NotificationKind::order_received);
    p.order("twice");
    p.pay("twice");
    p.notify("twice", NotificationKind::order_received);
    p.notify("twice", NotificationKind::order_received);
    p.notify("twice", NotificationKind::payment_approved);
    const Report r = p.check();
    EXPECT_THAT(r[Category::lost_notifications].examples, ElementsAre("no-outcome"));
    EXPECT_THAT(r[Category::duplicate_notifications].examples, ElementsAre("twice"));
    EXPECT_THAT(r.failures, ElementsAre("1 lost notifications", "1 duplicate notifications"));

    const Report at_least = p.check(at_least_once());
    EXPECT_THAT(at_least.failures, ElementsAre("1 lost notifications"));
}

TEST(Checker, OutcomeNotificationWithoutAMatchingCommittedPaymentIsMismatched) {
    Pipeline p;
    p.order("wrong");
    p.pay("wrong", PaymentStatus::declined);
    p.notify("wrong", NotificationKind::order_received);
    p.notify("wrong", NotificationKind::payment_approved);
    p.order("aborted");
    p.pay_aborted("aborted");  // notified from a payment that was then aborted
    p.pay("aborted");
    p.notify("aborted", NotificationKind::order_received);
    p.notify("aborted", NotificationKind::payment_approved);
    p.order("unpaid");
    p.notify("unpaid", NotificationKind::order_received);
    p.notify("unpaid", NotificationKind::payment_declined);
    const Report r = p.check(at_least_once());
    EXPECT_THAT(r[Category::mismatched_notifications].examples, ElementsAre("wrong", "unpaid"));
    EXPECT_THAT(r[Category::lost_payments].examples, ElementsAre("unpaid"));
}

TEST(Checker, NotificationsForUnknownOrdersAndBadNotifications) {
    Pipeline p;
    p.processed("o-1");
    p.notify("ghost", NotificationKind::order_received);
    p.notifications.push_back(raw_record("{}", 1, 0));
    const Report r = p.check();
    EXPECT_THAT(r[Category::unknown_order_notifications].examples, ElementsAre("ghost"));
    EXPECT_THAT(r[Category::bad_notifications].examples, ElementsAre("notifications[1]@0"));
}

TEST(Checker, AbortedNotificationsAreCounted) {
    Pipeline p;
    p.processed("o-1");
    p.notify_aborted("o-1", NotificationKind::payment_approved);
    p.notify("o-1", NotificationKind::order_received);  // committed after the abort
    p.notifications_end[0] = p.next_notification;
    const Report r = p.check(at_least_once());
    EXPECT_EQ(r[Category::aborted_notifications].count, 1u);
    EXPECT_EQ(r[Category::duplicate_notifications].count, 1u);
}

TEST(Checker, WithoutNotificationChecksOnlyPaymentsAndDeadLettersCount) {
    Pipeline p;
    p.order("o-1");
    p.pay("o-1");  // no notifications at all
    Settings settings;
    settings.check_notifications = false;
    const Report r = p.check(settings);
    EXPECT_TRUE(r.passed()) << ::testing::PrintToString(r.failures);
    const auto categories = r.checked_categories();
    EXPECT_EQ(std::count(categories.begin(), categories.end(), Category::lost_notifications), 0);
    EXPECT_EQ(std::count(categories.begin(), categories.end(), Category::lost_payments), 1);
}

TEST(Checker, ExpectedOrderCountMustMatchGoodOrders) {
    Pipeline p;
    p.processed("o-1");
    p.processed("o-2");
    p.bad_order("not json");
    p.dead_letter(2, "malformed_json", "not json");
    Settings settings;
    settings.expected_orders = 2;
    EXPECT_TRUE(p.check(settings).passed());
    settings.expected_orders = 3;
    EXPECT_THAT(p.check(settings).failures, ElementsAre("expected 3 good orders, found 2"));
}

TEST(Checker, SameOrderIdOnTwoRecordsIsReportedNotFailed) {
    Pipeline p;
    p.processed("o-1");
    p.order("o-1");
    const Report r = p.check();
    EXPECT_THAT(r[Category::duplicate_orders].examples, ElementsAre("o-1"));
    EXPECT_EQ(r.totals.good_orders, 2u);
    EXPECT_EQ(r.totals.distinct_orders, 1u);
    EXPECT_TRUE(r.passed()) << ::testing::PrintToString(r.failures);
}

TEST(Checker, ExamplesAreCappedButCountsAreComplete) {
    Pipeline p;
    for (int i = 0; i < 50; ++i) p.order("o-" + std::to_string(i));
    const Report r = p.check();
    EXPECT_EQ(r[Category::lost_payments].count, 50u);
    ASSERT_EQ(r[Category::lost_payments].examples.size(), kMaxExamples);
    EXPECT_EQ(r[Category::lost_payments].examples.front(), "o-0");  // in reading order
    EXPECT_EQ(r[Category::lost_payments].examples.back(), "o-19");
}

TEST(Checker, CommittedRecordAfterTheCommittedPassEndedIsAnError) {
    Checker checker(Settings{});
    checker.end_committed(Stream::payments, {});
    EXPECT_THROW(checker.add_committed(Stream::payments, payment_record("o", PaymentStatus::approved, 0, 0)),
                 std::logic_error);
    EXPECT_THROW(checker.add_uncommitted(Stream::notifications,
                                         notification_record("o", NotificationKind::order_received, 0, 0)),
                 std::logic_error);
}

// --- dead letters ---

TEST(CheckerDeadLetters, EachBadOrderDeadLetteredOnceWithItsPayloadAndClassPasses) {
    Pipeline p;
    p.processed("o-1");
    p.bad_order("not json");                      // orders[0]@1
    p.bad_order(R"({"order_id":"x"})");           // orders[0]@2: missing_field
    p.dead_letter(1, "malformed_json", "not json");
    p.dead_letter(2, "missing_field", R"({"order_id":"x"})");
    const Report r = p.check();
    EXPECT_TRUE(r.passed()) << ::testing::PrintToString(r.failures);
    EXPECT_EQ(r.totals.bad_orders, 2u);
    EXPECT_EQ(r.totals.dead_letters, 2u);
}

TEST(CheckerDeadLetters, BadOrderWithoutDeadLetterIsMissing) {
    Pipeline p;
    p.processed("o-1");
    p.bad_order("not json");
    const Report r = p.check(at_least_once());
    EXPECT_THAT(r[Category::missing_dead_letters].examples, ElementsAre("orders[0]@1"));
    EXPECT_THAT(r.failures, ElementsAre("1 missing dead letters"));
}

TEST(CheckerDeadLetters, BadOrderDeadLetteredTwiceIsDuplicate) {
    Pipeline p;
    p.bad_order("not json");
    p.dead_letter(0, "malformed_json", "not json");
    p.dead_letter(0, "malformed_json", "not json");
    const Report r = p.check();
    EXPECT_THAT(r[Category::duplicate_dead_letters].examples, ElementsAre("orders[0]@0"));
    EXPECT_EQ(r[Category::missing_dead_letters].count, 0u);
    EXPECT_FALSE(r.passed());
    EXPECT_TRUE(p.check(at_least_once()).passed());
}

TEST(CheckerDeadLetters, DeadLetterForAGoodOrderIsReported) {
    Pipeline p;
    p.processed("o-1");
    p.dead_letter(0, "malformed_json", "whatever");
    const Report r = p.check();
    EXPECT_THAT(r[Category::good_record_dead_letters].examples, ElementsAre("orders.dlq[0]@0"));
    EXPECT_FALSE(r.passed());
}

TEST(CheckerDeadLetters, WrongHeadersAreReported) {
    Pipeline p;
    p.bad_order("not json");  // orders[0]@0
    p.dead_letter(0, "malformed_json", "not json");
    Record no_offset = dead_letter_record("orders", 0, 0, "malformed_json", "not json", 0, 1);
    remove_header(no_offset, "dlq.original.offset");
    p.dead_letters.push_back(no_offset);
    p.dead_letters.push_back(dead_letter_record("payments", 0, 0, "malformed_json", "not json", 0, 2));
    p.dead_letters.push_back(dead_letter_record("orders", 0, 99, "malformed_json", "not json", 0, 3));
    p.dead_letters.push_back(dead_letter_record("orders", 0, 0, "invalid_value", "not json", 0, 4));
    const Report r = p.check(at_least_once());
    EXPECT_THAT(r[Category::wrong_header_dead_letters].examples,
                ElementsAre("orders.dlq[0]@1", "orders.dlq[0]@2", "orders.dlq[0]@3", "orders.dlq[0]@4"));
    // The one with the wrong class still points at the record: it counts as its second letter.
    EXPECT_EQ(r[Category::duplicate_dead_letters].count, 1u);
    EXPECT_FALSE(r.passed());
}

TEST(CheckerDeadLetters, PayloadMustBeTheRecordsOrATruncatedStartOfIt) {
    const std::string big = "x" + std::string(100, 'y');  // not JSON
    Pipeline p;
    p.bad_order(big);          // orders[0]@0
    p.bad_order("not json");   // orders[0]@1
    p.bad_order("also bad");   // orders[0]@2
    Record truncated = dead_letter_record("orders", 0, 0, "malformed_json", big.substr(0, 10), 0, 0);
    set_header(truncated, "dlq.payload.truncated", "true");
    set_header(truncated, "dlq.payload.original.bytes", std::to_string(big.size()));
    p.dead_letters.push_back(truncated);
    p.dead_letters.push_back(dead_letter_record("orders", 0, 1, "malformed_json", "different", 0, 1));
    Record wrong_size = dead_letter_record("orders", 0, 2, "malformed_json", "also", 0, 2);
    set_header(wrong_size, "dlq.payload.truncated", "true");
    set_header(wrong_size, "dlq.payload.original.bytes", "5");
    p.dead_letters.push_back(wrong_size);
    const Report r = p.check();
    EXPECT_THAT(r[Category::wrong_payload_dead_letters].examples, ElementsAre("orders.dlq[0]@1", "orders.dlq[0]@2"));
    EXPECT_EQ(r[Category::missing_dead_letters].count, 0u);
    EXPECT_EQ(r[Category::wrong_header_dead_letters].count, 0u);
}

TEST(CheckerDeadLetters, TopicNamesComeFromTheSettings) {
    Pipeline p;
    p.bad_order("not json");
    p.dead_letters.push_back(dead_letter_record("my-orders", 0, 0, "malformed_json", "not json", 3, 7));
    Settings settings;
    settings.topics.orders = "my-orders";
    settings.topics.dead_letters = "my-dlq";
    EXPECT_TRUE(p.check(settings).passed());
    settings.topics.orders = "orders";
    const Report r = p.check(settings);
    EXPECT_THAT(r[Category::wrong_header_dead_letters].examples, ElementsAre("my-dlq[3]@7"));
    EXPECT_THAT(r[Category::missing_dead_letters].examples, ElementsAre("orders[0]@0"));
}

}  // namespace
}  // namespace streamstore::verify
