// order-generator's progress figures, progress line and summary (services/order-generator
// progress.hpp, status_line.hpp).

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../../services/order-generator/src/progress.hpp"
#include "../../services/order-generator/src/status_line.hpp"

namespace streamstore::order_generator {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------------------------
// LatencyHistogram

TEST(LatencyHistogram, BucketsAreContiguousAndWithinThreePercent) {
    EXPECT_EQ(LatencyHistogram::lowest_in(0), 0U);
    for (std::size_t i = 0; i + 1 < LatencyHistogram::kBuckets; ++i) {
        const std::uint64_t low = LatencyHistogram::lowest_in(i);
        const std::uint64_t high = LatencyHistogram::highest_in(i);
        ASSERT_LE(low, high) << i;
        ASSERT_EQ(LatencyHistogram::lowest_in(i + 1), high + 1) << i;
        ASSERT_EQ(LatencyHistogram::bucket_of(low), i);
        ASSERT_EQ(LatencyHistogram::bucket_of(high), i);
        ASSERT_LE(static_cast<double>(high - low + 1), static_cast<double>(low) / 32 + 1) << i;
    }
    EXPECT_EQ(LatencyHistogram::highest_in(LatencyHistogram::kBuckets - 1), LatencyHistogram::kMaxTrackable);
}

TEST(LatencyHistogram, ValuesUpTo64MicrosecondsAreExact) {
    for (std::uint64_t us = 0; us < 64; ++us) {
        EXPECT_EQ(LatencyHistogram::lowest_in(LatencyHistogram::bucket_of(us)), us);
        EXPECT_EQ(LatencyHistogram::highest_in(LatencyHistogram::bucket_of(us)), us);
    }
}

TEST(LatencyHistogram, PercentilesOfAUniformSpreadAreWithinThreePercent) {
    LatencyHistogram histogram;
    for (int ms = 1; ms <= 1000; ++ms) histogram.record(std::chrono::milliseconds(ms));
    const LatencySnapshot s = histogram.snapshot();
    EXPECT_EQ(s.count(), 1000U);
    EXPECT_DOUBLE_EQ(s.mean_us(), 500'500.0);
    EXPECT_EQ(s.max_us(), 1'000'000U);
    const auto near = [](std::uint64_t actual, double expected) {
        EXPECT_GE(static_cast<double>(actual), expected) << actual;
        EXPECT_LE(static_cast<double>(actual), expected * 1.0313) << actual;
    };
    near(s.percentile_us(0.50), 500'000);
    near(s.percentile_us(0.95), 950'000);
    near(s.percentile_us(0.99), 990'000);
    near(s.percentile_us(0.999), 999'000);
    EXPECT_EQ(s.percentile_us(1.0), 1'000'000U) << "never above the largest value";
}

TEST(LatencyHistogram, PercentilesFollowTheTail) {
    LatencySnapshot s;
    for (int i = 0; i < 990; ++i) s.record(2ms);
    for (int i = 0; i < 10; ++i) s.record(100ms);
    EXPECT_LE(s.percentile_us(0.50), 2'063U);
    EXPECT_LE(s.percentile_us(0.99), 2'063U) << "990 of 1000 are 2 ms";
    EXPECT_GE(s.percentile_us(0.995), 100'000U);
    EXPECT_EQ(s.max_us(), 100'000U);
}

TEST(LatencyHistogram, EmptyGivesZeros) {
    const LatencySnapshot s = LatencyHistogram{}.snapshot();
    EXPECT_EQ(s.count(), 0U);
    EXPECT_EQ(s.mean_us(), 0.0);
    EXPECT_EQ(s.max_us(), 0U);
    EXPECT_EQ(s.percentile_us(0.99), 0U);
}

TEST(LatencyHistogram, OneValueIsEveryPercentile) {
    LatencySnapshot s;
    s.record(3'210us);
    EXPECT_EQ(s.percentile_us(0.0), 3'210U);
    EXPECT_EQ(s.percentile_us(0.5), 3'210U);
    EXPECT_EQ(s.percentile_us(0.999), 3'210U);
}

TEST(LatencyHistogram, HugeAndNegativeValuesAreKeptInBounds) {
    LatencyHistogram histogram;
    histogram.record(std::chrono::hours(24 * 365));
    histogram.record(-5ms);  // a clock step
    const LatencySnapshot s = histogram.snapshot();
    EXPECT_EQ(s.count(), 2U);
    EXPECT_EQ(s.percentile_us(0.5), 0U);
    EXPECT_EQ(s.percentile_us(1.0), LatencyHistogram::kMaxTrackable);
    EXPECT_EQ(s.max_us(), static_cast<std::uint64_t>(std::chrono::microseconds(std::chrono::hours(24 * 365)).count()));
}

TEST(LatencyHistogram, SinceCountsOnlyTheWindow) {
    LatencyHistogram histogram;
    for (int i = 0; i < 100; ++i) histogram.record(1ms);
    const LatencySnapshot before = histogram.snapshot();
    for (int i = 0; i < 10; ++i) histogram.record(50ms);
    const LatencySnapshot window = histogram.snapshot().since(before);
    EXPECT_EQ(window.count(), 10U);
    EXPECT_DOUBLE_EQ(window.mean_us(), 50'000.0);
    EXPECT_EQ(window.percentile_us(0.5), 50'000U);
    EXPECT_EQ(histogram.snapshot().since(histogram.snapshot()).count(), 0U);
}

TEST(LatencyHistogram, RecordsFromManyThreads) {
    LatencyHistogram histogram;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&histogram, t] {
            for (int i = 0; i < 10'000; ++i) histogram.record(std::chrono::microseconds(t * 1000 + i % 100));
        });
    }
    for (auto& thread : threads) thread.join();
    const LatencySnapshot s = histogram.snapshot();
    EXPECT_EQ(s.count(), 40'000U);
    EXPECT_EQ(s.max_us(), 3'099U);
}

// ---------------------------------------------------------------------------------------------
// ETA and the progress meter

TEST(Eta, IsWhatIsLeftAtTheCurrentRate) {
    EXPECT_EQ(estimate_eta(1000, 400, 100.0, std::nullopt), 6s);
    EXPECT_EQ(estimate_eta(1000, 999, 100.0, std::nullopt), 1s) << "rounded up";
    EXPECT_EQ(estimate_eta(1000, 1000, 0.0, std::nullopt), 0s) << "all sent";
}

TEST(Eta, IsUnknownWithoutACountOrARate) {
    EXPECT_EQ(estimate_eta(std::nullopt, 400, 100.0, std::nullopt), std::nullopt);
    EXPECT_EQ(estimate_eta(1000, 400, 0.0, std::nullopt), std::nullopt);
}

TEST(Eta, IsCappedByWhatRemainsOfTheDuration) {
    EXPECT_EQ(estimate_eta(1000, 0, 10.0, Clock::duration(30s)), 30s);
    EXPECT_EQ(estimate_eta(1000, 900, 10.0, Clock::duration(30s)), 10s);
    EXPECT_EQ(estimate_eta(std::nullopt, 0, 0.0, Clock::duration(2500ms)), 3s);
    EXPECT_EQ(estimate_eta(std::nullopt, 0, 0.0, Clock::duration(-1s)), 0s);
}

TEST(ProgressMeter, GivesTheRateOfTheLastIntervalAndAnEta) {
    const Clock::time_point t0{};
    ProgressMeter meter(t0, 10'000, 0ms);
    LatencySnapshot latency;
    for (int i = 0; i < 900; ++i) latency.record(2ms);

    ProgressLine line = meter.update(t0 + 500ms, {1000, 900, 0}, latency);
    EXPECT_DOUBLE_EQ(line.rate, 2000.0);
    EXPECT_EQ(line.total, 10'000U);
    EXPECT_EQ(line.counts.acknowledged, 900U);
    ASSERT_TRUE(line.p99_us);
    EXPECT_EQ(*line.p99_us, 2000U);
    EXPECT_EQ(line.eta, 5s);  // 9,000 left at 2,000/s: 4.5 s, rounded up

    line = meter.update(t0 + 1000ms, {1500, 1400, 1}, latency);
    EXPECT_DOUBLE_EQ(line.rate, 1000.0) << "over the last interval only";
    EXPECT_EQ(line.eta, 6s) << "8,500 left at the window's 1,500/s";
    EXPECT_EQ(line.elapsed, 1s);
}

TEST(ProgressMeter, ShowsTheRecentP99AndFallsBackToTheOverallOne) {
    const Clock::time_point t0{};
    ProgressMeter meter(t0, std::nullopt, 0ms, /*window=*/2);
    LatencyHistogram histogram;
    for (int i = 0; i < 100; ++i) histogram.record(100ms);
    (void)meter.update(t0 + 500ms, {100, 100, 0}, histogram.snapshot());
    for (int i = 0; i < 100; ++i) histogram.record(1ms);
    (void)meter.update(t0 + 1000ms, {200, 200, 0}, histogram.snapshot());
    ProgressLine line = meter.update(t0 + 1500ms, {200, 200, 0}, histogram.snapshot());
    ASSERT_TRUE(line.p99_us);
    EXPECT_GE(*line.p99_us, 1000U);
    EXPECT_LE(*line.p99_us, 1031U) << "the 100 ms values are out of the window";
    EXPECT_EQ(line.eta, std::nullopt) << "no count, no duration";

    line = meter.update(t0 + 2000ms, {200, 200, 0}, histogram.snapshot());
    ASSERT_TRUE(line.p99_us) << "nothing new: the overall p99";
    EXPECT_EQ(*line.p99_us, 100'000U);
}

TEST(ProgressMeter, NoAcknowledgementYetMeansNoP99) {
    const Clock::time_point t0{};
    ProgressMeter meter(t0, 10, 0ms);
    const ProgressLine line = meter.update(t0 + 500ms, {3, 0, 0}, LatencySnapshot{});
    EXPECT_EQ(line.p99_us, std::nullopt);
}

TEST(ProgressMeter, EtaFollowsTheDuration) {
    const Clock::time_point t0{};
    ProgressMeter meter(t0, std::nullopt, 30s);
    EXPECT_EQ(meter.update(t0 + 10s, {100, 100, 0}, LatencySnapshot{}).eta, 20s);
}

// ---------------------------------------------------------------------------------------------
// Formatting

TEST(Format, Eta) {
    EXPECT_EQ(format_eta(0s), "0s");
    EXPECT_EQ(format_eta(42s), "42s");
    EXPECT_EQ(format_eta(65s), "1m05s");
    EXPECT_EQ(format_eta(3725s), "1h02m");
    EXPECT_EQ(format_eta(-3s), "0s");
}

TEST(Format, Latency) {
    EXPECT_EQ(format_latency_ms(840), "0.84 ms");
    EXPECT_EQ(format_latency_ms(4'210), "4.21 ms");
    EXPECT_EQ(format_latency_ms(12'340), "12.3 ms");
    EXPECT_EQ(format_latency_ms(250'000), "250 ms");
}

ProgressLine sample_line() {
    ProgressLine line;
    line.counts = {12'000, 11'950, 0};
    line.total = 20'000;
    line.rate = 2001.3;
    line.p99_us = 4'210;
    line.eta = 4s;
    line.elapsed = 6s;
    return line;
}

TEST(Format, ProgressLineWithACount) {
    EXPECT_EQ(format_progress_line(sample_line()),
              "[ 60%] sent 12000/20000, acked 11950, failed 0, 2001 orders/s, p99 4.21 ms, ETA 4s");
}

TEST(Format, ProgressLineWithoutACountShowsTheElapsedTime) {
    ProgressLine line = sample_line();
    line.total.reset();
    line.eta.reset();
    line.p99_us.reset();
    line.rate = 2.0;
    EXPECT_EQ(format_progress_line(line), "sent 12000, acked 11950, failed 0, 2.0 orders/s, p99 -, 6s elapsed");
}

TEST(Format, ProgressLineWithAnUnknownEta) {
    ProgressLine line = sample_line();
    line.eta.reset();
    EXPECT_THAT(format_progress_line(line), testing::EndsWith(", ETA ?"));
}

TEST(Format, ProgressLineIsCutToTheWidth) {
    EXPECT_EQ(format_progress_line(sample_line(), 20), "[ 60%] sent 12000/20");
}

TEST(Format, ProgressLogLine) {
    EXPECT_EQ(format_progress_log(sample_line()),
              "progress: sent 12000 of 20000, acknowledged 11950, failed 0, 2001 orders/s, p99 4.21 ms, ETA 4s");
}

RunSummary sample_summary() {
    RunSummary s;
    s.sent = 1000;
    s.delivered = 1000;
    s.failed = 0;
    s.seconds = 0.41;
    s.bytes = 1000 * 1024;
    for (int i = 0; i < 500; ++i) s.latency.record(2ms);
    for (int i = 0; i < 498; ++i) s.latency.record(4ms);
    s.latency.record(12ms);
    s.latency.record(12ms);
    return s;
}

TEST(Format, TotalsLineKeepsItsShape) {
    RunSummary s = sample_summary();
    EXPECT_EQ(format_totals_line(s), "order-generator: sent 1000, delivered 1000, failed 0 in 0.41 s (2439 orders/s)");
    s = RunSummary{};
    s.sent = 3;
    s.failed = 3;
    EXPECT_EQ(format_totals_line(s), "order-generator: sent 3, delivered 0, failed 3 in 0.00 s (0 orders/s)");
}

TEST(Format, PerfLineLikeKafkaProducerPerfTest) {
    EXPECT_EQ(format_perf_line(sample_summary()),
              "1000 records sent, 2439.0 records/sec (2.38 MB/sec), 3.02 ms avg latency, 12.00 ms max latency, "
              "2 ms 50th, 4 ms 95th, 4 ms 99th, 12 ms 99.9th.");
}

TEST(Format, SummaryJsonHasTheSameFigures) {
    const boost::json::value v = boost::json::parse(format_summary_json(sample_summary()));
    const auto& o = v.as_object();
    EXPECT_EQ(o.at("sent").to_number<std::uint64_t>(), 1000U);
    EXPECT_EQ(o.at("delivered").to_number<std::uint64_t>(), 1000U);
    EXPECT_EQ(o.at("failed").to_number<std::uint64_t>(), 0U);
    EXPECT_EQ(o.at("bytes").to_number<std::uint64_t>(), 1'024'000U);
    EXPECT_DOUBLE_EQ(o.at("seconds").to_number<double>(), 0.41);
    EXPECT_DOUBLE_EQ(o.at("records_per_sec").to_number<double>(), 2439.0);
    EXPECT_DOUBLE_EQ(o.at("mb_per_sec").to_number<double>(), 2.38);
    const auto& latency = o.at("latency_ms").as_object();
    EXPECT_DOUBLE_EQ(latency.at("max").to_number<double>(), 12.0);
    EXPECT_DOUBLE_EQ(latency.at("avg").to_number<double>(), 3.016);
    EXPECT_NEAR(latency.at("p50").to_number<double>(), 2.0, 0.07);
    EXPECT_NEAR(latency.at("p99").to_number<double>(), 4.0, 0.13);
    EXPECT_DOUBLE_EQ(latency.at("p999").to_number<double>(), 12.0);
    EXPECT_TRUE(latency.contains("p95"));
}

TEST(Format, SummaryJsonOfAnEmptyRunIsValid) {
    const boost::json::value v = boost::json::parse(format_summary_json(RunSummary{}));
    EXPECT_EQ(v.at("records_per_sec").to_number<double>(), 0.0);
}

// ---------------------------------------------------------------------------------------------
// StatusLine

class StatusLineTest : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_EQ(::pipe(fds_), 0); }
    void TearDown() override {
        ::close(fds_[0]);
        ::close(fds_[1]);
    }
    std::string written() {
        ::close(fds_[1]);
        fds_[1] = ::dup(fds_[0]);  // keep TearDown's close harmless
        std::string out;
        char buffer[256];
        for (ssize_t n; (n = ::read(fds_[0], buffer, sizeof buffer)) > 0;) out.append(buffer, static_cast<std::size_t>(n));
        return out;
    }
    int fds_[2] = {-1, -1};
};

TEST_F(StatusLineTest, RedrawsInPlaceCutToTheWidth) {
    StatusLine line(fds_[1], true, 10);
    line.draw("hello");
    line.draw("0123456789abc");
    EXPECT_EQ(written(), "\r\x1b[Khello\r\r\x1b[K012345678\r");
}

TEST_F(StatusLineTest, ErasesItselfForLinesAboveAndForGoodOnClose) {
    StatusLine line(fds_[1], true, 80);
    line.draw("50%");
    line.above([&] { ASSERT_EQ(::write(fds_[1], "log\n", 4), 4); });
    line.above([&] { ASSERT_EQ(::write(fds_[1], "log\n", 4), 4); });  // nothing drawn: nothing to erase
    line.draw("60%");
    line.close();
    line.draw("70%");
    line.close();
    EXPECT_EQ(written(), "\r\x1b[K50%\r\r\x1b[Klog\nlog\n\r\x1b[K60%\r\r\x1b[K");
}

TEST_F(StatusLineTest, DisabledWritesNothing) {
    StatusLine line(fds_[1], false, 80);
    line.draw("hello");
    line.above([] {});
    line.close();
    EXPECT_FALSE(line.enabled());
    EXPECT_EQ(written(), "");
}

TEST_F(StatusLineTest, APipeIsNotATerminal) {
    EXPECT_FALSE(StatusLine(fds_[1]).enabled());
}

}  // namespace
}  // namespace streamstore::order_generator
