// File: bench/histogram.cpp — bucket arithmetic and percentile walk of the log-linear histogram.
#include "bench/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace wsecho::bench {

namespace {

constexpr std::uint64_t sub_buckets = std::uint64_t{1} << histogram::sub_bucket_bits;  // 128
// Values < 2 * sub_buckets are exact (index = value); each later power of two adds sub_buckets buckets.
constexpr std::size_t bucket_count = (64 - histogram::sub_bucket_bits + 1) * sub_buckets;

}  // namespace

histogram::histogram() : counts_(bucket_count, 0) {}

std::size_t histogram::bucket_of(std::uint64_t value) noexcept
{
    if (value < 2 * sub_buckets)
        return static_cast<std::size_t>(value);
    const auto magnitude = static_cast<unsigned>(std::bit_width(value)) - 1;  // floor(log2(value)) >= 8
    const auto shift = magnitude - sub_bucket_bits;                           // >= 1
    const auto sub = value >> shift;                                          // in [128, 256)
    return static_cast<std::size_t>((shift + 1) * sub_buckets + (sub - sub_buckets));
}

std::uint64_t histogram::lowest_in(std::size_t bucket) noexcept
{
    if (bucket < 2 * sub_buckets)
        return bucket;
    const auto shift = bucket / sub_buckets - 1;
    const auto sub = bucket % sub_buckets + sub_buckets;
    return static_cast<std::uint64_t>(sub) << shift;
}

std::uint64_t histogram::highest_in(std::size_t bucket) noexcept
{
    if (bucket < 2 * sub_buckets)
        return bucket;
    const auto shift = bucket / sub_buckets - 1;
    return lowest_in(bucket) + ((std::uint64_t{1} << shift) - 1);
}

void histogram::record(std::uint64_t value)
{
    ++counts_[bucket_of(value)];
    min_ = count_ ? std::min(min_, value) : value;
    max_ = std::max(max_, value);
    ++count_;
    sum_ += value;
}

void histogram::merge(const histogram& other)
{
    if (other.count_ == 0)
        return;
    for (std::size_t i = 0; i < counts_.size(); ++i)
        counts_[i] += other.counts_[i];
    min_ = count_ ? std::min(min_, other.min_) : other.min_;
    max_ = std::max(max_, other.max_);
    count_ += other.count_;
    sum_ += other.sum_;
}

void histogram::reset()
{
    std::fill(counts_.begin(), counts_.end(), 0);
    count_ = min_ = max_ = 0;
    sum_ = 0;
}

std::uint64_t histogram::value_at_percentile(double percentile) const
{
    if (count_ == 0)
        return 0;
    percentile = std::clamp(percentile, 0.0, 100.0);
    // The rank of the value asked for, counted from 1: at least one value, at most all of them.
    const auto wanted = static_cast<double>(count_) * percentile / 100.0;
    const auto rank = std::clamp<std::uint64_t>(static_cast<std::uint64_t>(std::ceil(wanted)), 1, count_);
    if (rank == count_)
        return max_;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i)
    {
        seen += counts_[i];
        if (seen >= rank)
        {
            const auto low = lowest_in(i);
            const auto middle = low + (highest_in(i) - low) / 2;
            return std::clamp(middle, min_, max_);
        }
    }
    return max_;
}

}  // namespace wsecho::bench
