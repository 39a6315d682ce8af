// File: bench/histogram.hpp — a compact log-linear latency histogram (HDR-style buckets) for wsecho-bench.
//
// Debian 12 packages no C/C++ HDR histogram (only Java and Go ones), so this is the small equivalent:
// values below 256 are exact; above, each power of two is split into 128 equal buckets, so a percentile
// is reported as its bucket's midpoint within 1/256 (0.4 %) of a recorded value. 7424 counters (58 KiB)
// cover the whole uint64 range, recording is a few instructions, and histograms merge by addition.
#pragma once

#include <cstdint>
#include <vector>

namespace wsecho::bench {

class histogram
{
public:
    histogram();

    void record(std::uint64_t value);
    // Adds every value `other` recorded, as if they had been recorded here.
    void merge(const histogram& other);
    void reset();

    std::uint64_t count() const noexcept { return count_; }
    // Exact; 0 when empty.
    std::uint64_t min() const noexcept { return count_ ? min_ : 0; }
    std::uint64_t max() const noexcept { return max_; }
    double mean() const noexcept
    {
        return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0;
    }

    // The smallest recorded value v such that at least `percentile` % of the values are <= v, within the
    // stated error (exact at 0 and 100: min and max). 0 when empty. `percentile` is clamped to [0, 100].
    std::uint64_t value_at_percentile(double percentile) const;

    // The bucket layout, public for the tests: index of a value, and the range [lowest, highest] it holds.
    static std::size_t bucket_of(std::uint64_t value) noexcept;
    static std::uint64_t lowest_in(std::size_t bucket) noexcept;
    static std::uint64_t highest_in(std::size_t bucket) noexcept;
    static constexpr unsigned sub_bucket_bits = 7;

private:
    std::vector<std::uint64_t> counts_;
    std::uint64_t count_ = 0;
    std::uint64_t min_ = 0;
    std::uint64_t max_ = 0;
    std::uint64_t sum_ = 0;  // of nanoseconds: overflows only after 584 years of summed latency
};

}  // namespace wsecho::bench
