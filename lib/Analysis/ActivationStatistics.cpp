//===- ActivationStatistics.cpp - running statistics of one tensor --------===//

#include "lowbit/Analysis/ActivationStatistics.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace lowbit;

ActivationStatistics::ActivationStatistics(int64_t channels, bool withGram,
                                           int64_t histogramBins)
    : channels_(channels), min_(std::numeric_limits<float>::infinity()),
      max_(-std::numeric_limits<float>::infinity()),
      channelMin_(channels, std::numeric_limits<float>::infinity()),
      channelMax_(channels, -std::numeric_limits<float>::infinity()),
      channelSumAbs_(channels, 0.0), histogram_(histogramBins, 0),
      withGram_(withGram) {
  if (withGram_)
    gram_.assign(static_cast<size_t>(channels * channels), 0.0);
}

namespace {

/// sum_r a[r] * b[r] in float with eight independent partial sums, which
/// the compiler keeps in one vector register.
float dot(const float *a, const float *b, int64_t n) {
  float partial[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t r = 0;
  for (; r + 8 <= n; r += 8)
    for (int l = 0; l < 8; ++l)
      partial[l] += a[r + l] * b[r + l];
  float sum = 0.0f;
  for (; r < n; ++r)
    sum += a[r] * b[r];
  for (int l = 0; l < 8; ++l)
    sum += partial[l];
  return sum;
}

} // namespace

void ActivationStatistics::widenHistogram(float absMax) {
  if (histogramMax_ == 0.0f) {
    // Until now every value was 0 and sits in bin 0, which stays right.
    histogramMax_ = absMax;
    return;
  }
  int64_t bins = static_cast<int64_t>(histogram_.size());
  while (histogramMax_ < absMax) {
    for (int64_t i = 0; i < bins / 2; ++i)
      histogram_[i] = histogram_[2 * i] + histogram_[2 * i + 1];
    if (bins % 2)
      histogram_[bins / 2] = histogram_[bins - 1];
    std::fill(histogram_.begin() + (bins + 1) / 2, histogram_.end(), 0);
    histogramMax_ *= 2.0f;
  }
}

void ActivationStatistics::add(const float *data, int64_t outer,
                               int64_t inner) {
  ++samples_;
  valuesPerChannel_ += outer * inner;
  int64_t count = outer * channels_ * inner;
  float absMax = 0.0f;
  for (int64_t i = 0; i < count; ++i)
    if (std::isfinite(data[i]))
      absMax = std::max(absMax, std::fabs(data[i]));
  if (absMax > histogramMax_)
    widenHistogram(absMax);

  int64_t bins = static_cast<int64_t>(histogram_.size());
  float binScale = histogramMax_ > 0.0f ? bins / histogramMax_ : 0.0f;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t c = 0; c < channels_; ++c) {
      const float *values = data + (o * channels_ + c) * inner;
      float lo = channelMin_[c], hi = channelMax_[c];
      double sumAbs = 0.0;
      for (int64_t i = 0; i < inner; ++i) {
        float v = values[i];
        if (!std::isfinite(v)) {
          ++nonFinite_;
          continue;
        }
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        float a = std::fabs(v);
        sumAbs += a;
        int64_t bin = static_cast<int64_t>(a * binScale);
        ++histogram_[std::min(bin, bins - 1)];
      }
      channelMin_[c] = lo;
      channelMax_[c] = hi;
      channelSumAbs_[c] += sumAbs;
      min_ = std::min(min_, lo);
      max_ = std::max(max_, hi);
    }

  if (!withGram_ || inner != 1)
    return;
  // Rows holding a non-finite value are left out of X^T X. The kept rows
  // are transposed so that every entry is a dot product of two contiguous
  // columns.
  std::vector<int64_t> kept;
  for (int64_t o = 0; o < outer; ++o) {
    const float *row = data + o * channels_;
    if (std::all_of(row, row + channels_,
                    [](float v) { return std::isfinite(v); }))
      kept.push_back(o);
  }
  int64_t rows = static_cast<int64_t>(kept.size());
  transposed_.resize(static_cast<size_t>(rows * channels_));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < channels_; ++c)
      transposed_[c * rows + r] = data[kept[r] * channels_ + c];
  for (int64_t i = 0; i < channels_; ++i) {
    const float *column = transposed_.data() + i * rows;
    for (int64_t j = 0; j <= i; ++j)
      gram_[i * channels_ + j] +=
          dot(column, transposed_.data() + j * rows, rows);
  }
  gramRows_ += rows;
}

std::vector<float> ActivationStatistics::channelMeanAbs() const {
  std::vector<float> mean(channels_, 0.0f);
  if (valuesPerChannel_ == 0)
    return mean;
  for (int64_t c = 0; c < channels_; ++c)
    mean[c] = static_cast<float>(channelSumAbs_[c] / valuesPerChannel_);
  return mean;
}

std::vector<float> ActivationStatistics::meanGram() const {
  if (!withGram_ || gramRows_ == 0)
    return {};
  std::vector<float> gram(gram_.size());
  for (int64_t i = 0; i < channels_; ++i)
    for (int64_t j = 0; j <= i; ++j) {
      float mean = static_cast<float>(gram_[i * channels_ + j] / gramRows_);
      gram[i * channels_ + j] = mean;
      gram[j * channels_ + i] = mean;
    }
  return gram;
}

float lowbit::histogramPercentile(const std::vector<int64_t> &histogram,
                                  float histogramMax, double fraction) {
  int64_t total = 0;
  for (int64_t n : histogram)
    total += n;
  if (total == 0)
    return 0.0f;
  double needed = fraction * static_cast<double>(total);
  int64_t seen = 0;
  int64_t bins = static_cast<int64_t>(histogram.size());
  for (int64_t i = 0; i < bins; ++i) {
    seen += histogram[i];
    if (static_cast<double>(seen) >= needed)
      return histogramMax * static_cast<float>(i + 1) / bins;
  }
  return histogramMax;
}
