//===- ActivationRangeTest.cpp - static activation clipping ---------------===//
//
// Percentile against the sorted samples, MSE against the real quantization
// error of the samples at every candidate threshold, the entropy divergence
// against hand-computed closed forms.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Numerics/ActivationRange.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using namespace lowbit::numerics;

namespace {

/// N(0, 1) samples plus `outliers` values at +-50.
std::vector<float> samples(int count, int outliers, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> values;
  for (int i = 0; i < count; ++i)
    values.push_back(normal(rng));
  for (int i = 0; i < outliers; ++i)
    values.push_back(i % 2 ? 50.0f : -50.0f);
  return values;
}

struct Histogram {
  std::vector<int64_t> counts;
  float max = 0;
  float maxAbs = 0;
};

Histogram histogramOf(const std::vector<float> &values, size_t bins) {
  Histogram h;
  for (float v : values)
    h.maxAbs = std::max(h.maxAbs, std::fabs(v));
  h.max = h.maxAbs;
  h.counts.assign(bins, 0);
  for (float v : values) {
    size_t bin = static_cast<size_t>(std::fabs(v) / h.max * bins);
    h.counts[std::min(bin, bins - 1)]++;
  }
  return h;
}

/// Mean squared error of symmetric signed quantization with threshold t.
double quantizationMSE(const std::vector<float> &values, double t, int bits) {
  double qmax = (1 << (bits - 1)) - 1, qmin = -(1 << (bits - 1));
  double s = t / qmax, sum = 0;
  for (float v : values) {
    double q = std::clamp(std::nearbyint(v / s), qmin, qmax);
    sum += (v - q * s) * (v - q * s);
  }
  return sum / values.size();
}

} // namespace

TEST(ActivationRange, ParsesMethods) {
  EXPECT_EQ(parseRangeMethod("minmax"), RangeMethod::MinMax);
  EXPECT_EQ(parseRangeMethod("percentile"), RangeMethod::Percentile);
  EXPECT_EQ(parseRangeMethod("entropy"), RangeMethod::Entropy);
  EXPECT_EQ(parseRangeMethod("mse"), RangeMethod::MSE);
  EXPECT_FALSE(parseRangeMethod("kl").has_value());
}

TEST(ActivationRange, MinMaxIsTheLargestMagnitude) {
  Histogram h = histogramOf(samples(1000, 4, 1), 512);
  EXPECT_EQ(activationClipThreshold(h.counts, h.max, h.maxAbs, {}), 50.0f);
}

TEST(ActivationRange, EmptyHistogramGivesZero) {
  RangeOptions options;
  for (RangeMethod m : {RangeMethod::Percentile, RangeMethod::Entropy,
                        RangeMethod::MSE}) {
    options.method = m;
    EXPECT_EQ(activationClipThreshold({0, 0, 0}, 1.0f, 0.0f, options), 0.0f);
    EXPECT_EQ(activationClipThreshold({}, 0.0f, 0.0f, options), 0.0f);
  }
}

TEST(ActivationRange, PercentileIsTheBinEdgeAboveTheSampleQuantile) {
  std::vector<float> values = samples(20000, 10, 2);
  Histogram h = histogramOf(values, 2048);
  std::vector<float> sorted;
  for (float v : values)
    sorted.push_back(std::fabs(v));
  std::sort(sorted.begin(), sorted.end());
  double width = h.max / 2048.0;
  for (double p : {50.0, 99.0, 99.9, 99.99}) {
    RangeOptions options{RangeMethod::Percentile, 8, p};
    float t = activationClipThreshold(h.counts, h.max, h.maxAbs, options);
    size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * sorted.size()));
    float quantile = sorted[std::max<size_t>(rank, 1) - 1];
    EXPECT_GE(t, quantile) << p;
    EXPECT_LE(t, quantile + width + 1e-6) << p;
  }
}

TEST(ActivationRange, MSEChoosesANearlyBestThreshold) {
  std::vector<float> values = samples(20000, 10, 3);
  Histogram h = histogramOf(values, 1024);
  for (int bits : {8, 4}) {
    RangeOptions options{RangeMethod::MSE, bits, 0};
    float t = activationClipThreshold(h.counts, h.max, h.maxAbs, options);
    // The real error of the samples at every bin edge.
    double best = INFINITY;
    for (int i = 1; i <= 1024; ++i)
      best = std::min(best, quantizationMSE(values, h.max * i / 1024.0, bits));
    double chosen = quantizationMSE(values, t, bits);
    EXPECT_LE(chosen, best * 1.10) << bits;
    EXPECT_LE(chosen, 1.01 * quantizationMSE(values, h.maxAbs, bits)) << bits;
  }
  // At 8 bits the rare outliers cost more clipped than the finer grid
  // saves; at 4 bits the grid's noise dominates and they are clipped.
  RangeOptions eight{RangeMethod::MSE, 8, 0}, four{RangeMethod::MSE, 4, 0};
  EXPECT_GT(activationClipThreshold(h.counts, h.max, h.maxAbs, eight), 45.0f);
  EXPECT_LT(activationClipThreshold(h.counts, h.max, h.maxAbs, four), 45.0f);
}

TEST(ActivationRange, EntropyDivergenceClosedForms) {
  // Level 0 = bins {0, 1}: mass 4 on one non-empty bin; level 1 = bins
  // {2, 3}: mass 4 spread evenly. Q equals P: no divergence.
  EXPECT_DOUBLE_EQ(entropyCalibrationDivergence({4, 0, 2, 2}, 4, 2), 0.0);
  // P = {1, 3, 2, 2} / 8, Q = {2, 2, 2, 2} / 8.
  EXPECT_NEAR(entropyCalibrationDivergence({1, 3, 2, 2}, 4, 2),
              1.0 / 8 * std::log(0.5) + 3.0 / 8 * std::log(1.5), 1e-12);
  // The fifth bin folds into P's fourth, P = {1, 3, 2, 6} / 12, but not
  // into Q, which merges {1, 3 | 2, 2}: Q = {2, 2, 2, 2} / 8.
  EXPECT_NEAR(entropyCalibrationDivergence({1, 3, 2, 2, 4}, 4, 2),
              1.0 / 12 * std::log(1.0 / 3) + 2.0 / 12 * std::log(2.0 / 3) +
                  6.0 / 12 * std::log(2.0),
              1e-12);
  // A cut of one bin per level reproduces P exactly only without outliers.
  EXPECT_DOUBLE_EQ(entropyCalibrationDivergence({5, 1, 7, 2}, 4, 4), 0.0);
  EXPECT_GT(entropyCalibrationDivergence({5, 1, 7, 2, 9}, 4, 4), 0.1);
}

TEST(ActivationRange, EntropyClipsOutliers) {
  std::vector<float> values = samples(20000, 10, 4);
  Histogram h = histogramOf(values, 2048);
  RangeOptions options{RangeMethod::Entropy, 8, 0};
  float t = activationClipThreshold(h.counts, h.max, h.maxAbs, options);
  // Between the bulk of the Gaussian and the outliers.
  EXPECT_GT(t, 2.0f);
  EXPECT_LT(t, 25.0f);
  // The divergence at the chosen cut is the smallest of all cuts.
  size_t cut = static_cast<size_t>(std::lround(t / (h.max / 2048.0)));
  double chosen = entropyCalibrationDivergence(h.counts, cut, 128);
  for (size_t c = 128; c <= 2048; c += 7)
    EXPECT_LE(chosen, entropyCalibrationDivergence(h.counts, c, 128) + 1e-12);
}
