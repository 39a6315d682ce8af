// File: unit/bench_histogram_test.cpp — wsecho-bench's latency histogram: bucket layout, percentiles within
// the stated 1/256 relative error, exact min and max, merging.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "bench/histogram.hpp"

using wsecho::bench::histogram;

namespace {

// The exact percentile by the histogram's definition: the smallest value with at least p % at or below it.
std::uint64_t exact_percentile(std::vector<std::uint64_t> values, double p)
{
    std::sort(values.begin(), values.end());
    auto rank = static_cast<std::size_t>(std::ceil(static_cast<double>(values.size()) * p / 100.0));
    rank = std::clamp<std::size_t>(rank, 1, values.size());
    return values[rank - 1];
}

double relative_error(std::uint64_t got, std::uint64_t want)
{
    return std::abs(static_cast<double>(got) - static_cast<double>(want)) / static_cast<double>(want);
}

}  // namespace

// Every value lands in a bucket whose range holds it, buckets tile the range without gaps, and a bucket is
// never wider than 1/128 of its lowest value (so its midpoint is within 1/256 of anything in it).
TEST(bench_histogram, buckets_hold_their_values_and_are_narrow)
{
    std::vector<std::uint64_t> probes = {
        0,
        1,
        127,
        128,
        255,
        256,
        257,
        511,
        512,
        1000,
        65535,
        65536,
        1'000'000,
        std::numeric_limits<std::uint64_t>::max() / 3,
        std::numeric_limits<std::uint64_t>::max()};
    for (auto v : probes)
    {
        const auto b = histogram::bucket_of(v);
        EXPECT_LE(histogram::lowest_in(b), v) << v;
        EXPECT_GE(histogram::highest_in(b), v) << v;
        const auto width = histogram::highest_in(b) - histogram::lowest_in(b) + 1;
        EXPECT_LE(
            static_cast<double>(width), std::max(1.0, static_cast<double>(histogram::lowest_in(b)) / 128.0)
        ) << v;
    }
    for (std::size_t b = 1; b < histogram::bucket_of(std::numeric_limits<std::uint64_t>::max()); ++b)
        ASSERT_EQ(histogram::lowest_in(b), histogram::highest_in(b - 1) + 1) << b;
}

// Small values are exact.
TEST(bench_histogram, small_values_are_exact)
{
    histogram h;
    for (std::uint64_t v = 1; v <= 200; ++v)
        h.record(v);
    EXPECT_EQ(h.count(), 200u);
    EXPECT_EQ(h.value_at_percentile(50), 100u);
    EXPECT_EQ(h.value_at_percentile(90), 180u);
    EXPECT_EQ(h.value_at_percentile(0), 1u);
    EXPECT_EQ(h.value_at_percentile(100), 200u);
    EXPECT_DOUBLE_EQ(h.mean(), 100.5);
}

// Latency-like data over six orders of magnitude: every reported percentile is within 1/256 of the exact one,
// and min, max and mean are exact.
TEST(bench_histogram, percentiles_within_stated_error)
{
    std::mt19937_64 random(42);
    std::lognormal_distribution<double> latency_ns(std::log(80'000.0), 1.2);
    std::vector<std::uint64_t> values;
    histogram h;
    double sum = 0;
    for (int i = 0; i < 100'000; ++i)
    {
        const auto v = static_cast<std::uint64_t>(latency_ns(random)) + 1;
        values.push_back(v);
        h.record(v);
        sum += static_cast<double>(v);
    }
    for (double p : {1.0, 10.0, 50.0, 90.0, 99.0, 99.9, 99.99})
        EXPECT_LE(relative_error(h.value_at_percentile(p), exact_percentile(values, p)), 1.0 / 256)
            << "p" << p;
    EXPECT_EQ(h.min(), *std::min_element(values.begin(), values.end()));
    EXPECT_EQ(h.max(), *std::max_element(values.begin(), values.end()));
    EXPECT_EQ(h.value_at_percentile(100), h.max());
    EXPECT_NEAR(h.mean(), sum / static_cast<double>(values.size()), 1e-6 * h.mean());
}

// One outlier is the max and p100, and does not move p99.
TEST(bench_histogram, max_is_exact_and_outliers_stay_in_the_tail)
{
    histogram h;
    for (int i = 0; i < 999; ++i)
        h.record(50'000);
    h.record(3'000'000'123);
    EXPECT_EQ(h.max(), 3'000'000'123u);
    EXPECT_EQ(h.value_at_percentile(100), 3'000'000'123u);
    EXPECT_LE(relative_error(h.value_at_percentile(99.9), 50'000u), 1.0 / 256);
    EXPECT_LE(relative_error(h.value_at_percentile(99.95), 3'000'000'123u), 1.0 / 256);
}

// Merging gives what recording everything in one histogram gives; merging an empty one changes nothing.
TEST(bench_histogram, merge_equals_recording_together)
{
    histogram a, b, together;
    for (std::uint64_t v = 1; v < 50'000; v += 7)
    {
        (v % 3 ? a : b).record(v * 13);
        together.record(v * 13);
    }
    a.merge(b);
    a.merge(histogram{});
    EXPECT_EQ(a.count(), together.count());
    EXPECT_EQ(a.min(), together.min());
    EXPECT_EQ(a.max(), together.max());
    EXPECT_DOUBLE_EQ(a.mean(), together.mean());
    for (double p : {0.0, 25.0, 50.0, 75.0, 99.0, 100.0})
        EXPECT_EQ(a.value_at_percentile(p), together.value_at_percentile(p)) << p;

    histogram empty;
    empty.merge(b);
    EXPECT_EQ(empty.min(), b.min());
    EXPECT_EQ(empty.count(), b.count());
}

// An empty histogram answers zeros; reset() empties a used one.
TEST(bench_histogram, empty_and_reset)
{
    histogram h;
    EXPECT_EQ(h.value_at_percentile(50), 0u);
    EXPECT_EQ(h.max(), 0u);
    h.record(12345);
    h.reset();
    EXPECT_EQ(h.count(), 0u);
    EXPECT_EQ(h.value_at_percentile(99), 0u);
    EXPECT_EQ(h.min(), 0u);
}
