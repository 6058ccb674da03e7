// Order-to-notification latency histogram (services/notification-service latency_recorder.hpp).

#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "latency_recorder.hpp"

namespace streamstore::notification {
namespace {

// Neither copyable nor movable: each test holds its own on the heap.
std::unique_ptr<LatencyRecorder> make_recorder() { return std::make_unique<LatencyRecorder>(); }

TEST(LatencyRecorder, IsEmptyAtFirst) {
    const auto recorder = make_recorder();
    EXPECT_EQ(recorder->count(), 0U);
    EXPECT_EQ(recorder->max_ms(), 0);
    EXPECT_EQ(recorder->percentile_ms(0.5), 0);
    EXPECT_EQ(recorder->percentile_ms(0.99), 0);
}

TEST(LatencyRecorder, GivesExactPercentilesBelowTenSeconds) {
    const auto recorder = make_recorder();
    for (std::int64_t ms = 1; ms <= 100; ++ms) recorder->record(ms);
    EXPECT_EQ(recorder->count(), 100U);
    EXPECT_EQ(recorder->max_ms(), 100);
    EXPECT_EQ(recorder->percentile_ms(0.50), 50);
    EXPECT_EQ(recorder->percentile_ms(0.90), 90);
    EXPECT_EQ(recorder->percentile_ms(0.99), 99);
    EXPECT_EQ(recorder->percentile_ms(1.0), 100);
    EXPECT_EQ(recorder->percentile_ms(0.001), 1);
}

TEST(LatencyRecorder, DoesNotDependOnRecordingOrder) {
    const auto recorder = make_recorder();
    for (std::int64_t ms = 100; ms >= 1; --ms) recorder->record(ms);
    EXPECT_EQ(recorder->percentile_ms(0.50), 50);
    EXPECT_EQ(recorder->percentile_ms(0.99), 99);
    EXPECT_EQ(recorder->max_ms(), 100);
}

TEST(LatencyRecorder, CountsRepeatedSamples) {
    const auto recorder = make_recorder();
    for (int i = 0; i < 90; ++i) recorder->record(3);
    for (int i = 0; i < 10; ++i) recorder->record(700);
    EXPECT_EQ(recorder->count(), 100U);
    EXPECT_EQ(recorder->percentile_ms(0.50), 3);
    EXPECT_EQ(recorder->percentile_ms(0.90), 3);
    EXPECT_EQ(recorder->percentile_ms(0.91), 700);
    EXPECT_EQ(recorder->max_ms(), 700);
}

TEST(LatencyRecorder, KeepsOneMillisecondResolutionUpToTenSeconds) {
    const auto recorder = make_recorder();
    recorder->record(9'999);
    EXPECT_EQ(recorder->percentile_ms(1.0), 9'999);
}

TEST(LatencyRecorder, PutsLargeValuesInHundredMillisecondBuckets) {
    const auto recorder = make_recorder();
    recorder->record(12'345);
    // The bucket [12300, 12400): reported by its upper bound.
    EXPECT_EQ(recorder->percentile_ms(0.5), 12'400);
    EXPECT_EQ(recorder->max_ms(), 12'345);

    const auto at_boundary = make_recorder();
    at_boundary->record(10'000);
    EXPECT_EQ(at_boundary->percentile_ms(1.0), 10'100);
}

TEST(LatencyRecorder, SeparatesFastAndSlowSamples) {
    const auto recorder = make_recorder();
    for (int i = 0; i < 99; ++i) recorder->record(20);
    recorder->record(45'050);
    EXPECT_EQ(recorder->percentile_ms(0.50), 20);
    EXPECT_EQ(recorder->percentile_ms(0.99), 20);
    EXPECT_EQ(recorder->percentile_ms(1.0), 45'100);
    EXPECT_EQ(recorder->max_ms(), 45'050);
}

TEST(LatencyRecorder, TracksTheMaximumExactly) {
    const auto recorder = make_recorder();
    recorder->record(5);
    recorder->record(123'456);
    recorder->record(7);
    EXPECT_EQ(recorder->max_ms(), 123'456);
    EXPECT_EQ(recorder->count(), 3U);
}

TEST(LatencyRecorder, CountsNegativeSamplesAsZero) {
    const auto recorder = make_recorder();
    recorder->record(-5);
    EXPECT_EQ(recorder->count(), 1U);
    EXPECT_EQ(recorder->percentile_ms(1.0), 0);
    EXPECT_EQ(recorder->max_ms(), 0);
}

// Past the last coarse bucket (10 min) everything shares one overflow bucket. The percentile is
// documented as a bound below which the samples fall, so it must not be smaller than the samples.
TEST(LatencyRecorder, NeverReportsAPercentileBelowSamplesPastTenMinutes) {
    const auto recorder = make_recorder();
    recorder->record(3'600'000);  // one hour
    EXPECT_EQ(recorder->max_ms(), 3'600'000);
    EXPECT_GE(recorder->percentile_ms(1.0), 3'600'000);
    EXPECT_GE(recorder->percentile_ms(0.5), 3'600'000);
}

TEST(LatencyRecorder, RecordsFromSeveralThreads) {
    const auto recorder = make_recorder();
    constexpr int kThreads = 4;
    constexpr int kPerThread = 10'000;
    {
        std::vector<std::jthread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&recorder, t] {
                for (int i = 0; i < kPerThread; ++i) recorder->record(1 + (i + t) % 100);
            });
        }
    }
    EXPECT_EQ(recorder->count(), static_cast<std::uint64_t>(kThreads * kPerThread));
    EXPECT_EQ(recorder->max_ms(), 100);
    EXPECT_EQ(recorder->percentile_ms(0.5), 50);
}

}  // namespace
}  // namespace streamstore::notification
