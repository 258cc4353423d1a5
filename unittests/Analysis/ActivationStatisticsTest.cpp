//===- ActivationStatisticsTest.cpp - calibration accumulators ------------===//
//
// Every statistic is recomputed here by brute force over all the values fed.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Analysis/ActivationStatistics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

using namespace lowbit;

namespace {

std::vector<float> sample(int64_t count, float scale, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, scale);
  std::vector<float> values(static_cast<size_t>(count));
  for (float &v : values)
    v = normal(rng);
  return values;
}

} // namespace

TEST(ActivationStatistics, ChannelsLastMatchBruteForce) {
  const int64_t rows = 7, K = 5;
  ActivationStatistics stats(K, /*withGram=*/true, 64);
  std::vector<std::vector<float>> all;
  // Later samples are wider, so the histogram must widen twice.
  for (int s = 0; s < 3; ++s) {
    all.push_back(sample(rows * K, 1.0f + 3.0f * s, 10 + s));
    stats.add(all.back().data(), rows, 1);
  }
  EXPECT_EQ(stats.samples(), 3);
  EXPECT_EQ(stats.valuesPerChannel(), 3 * rows);
  std::vector<float> lo(K, 1e30f), hi(K, -1e30f);
  std::vector<double> sumAbs(K, 0.0), gram(K * K, 0.0);
  std::vector<float> magnitudes;
  for (const std::vector<float> &x : all)
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < K; ++c) {
        float v = x[r * K + c];
        lo[c] = std::min(lo[c], v);
        hi[c] = std::max(hi[c], v);
        sumAbs[c] += std::fabs(v);
        magnitudes.push_back(std::fabs(v));
        for (int64_t d = 0; d < K; ++d)
          gram[c * K + d] += double(v) * x[r * K + d];
      }
  EXPECT_EQ(stats.channelMin(), lo);
  EXPECT_EQ(stats.channelMax(), hi);
  EXPECT_EQ(stats.min(), *std::min_element(lo.begin(), lo.end()));
  EXPECT_EQ(stats.max(), *std::max_element(hi.begin(), hi.end()));
  std::vector<float> mean = stats.channelMeanAbs();
  std::vector<float> meanGram = stats.meanGram();
  ASSERT_EQ(meanGram.size(), static_cast<size_t>(K * K));
  for (int64_t c = 0; c < K; ++c) {
    EXPECT_NEAR(mean[c], sumAbs[c] / (3 * rows), 1e-5);
    for (int64_t d = 0; d < K; ++d)
      EXPECT_NEAR(meanGram[c * K + d], gram[c * K + d] / (3 * rows),
                  1e-4 * (1.0 + std::fabs(gram[c * K + d])));
  }

  // Every |x| is counted once, in a bin whose range holds it.
  const std::vector<int64_t> &histogram = stats.histogram();
  int64_t total = 0;
  for (int64_t n : histogram)
    total += n;
  EXPECT_EQ(total, static_cast<int64_t>(magnitudes.size()));
  float top = *std::max_element(magnitudes.begin(), magnitudes.end());
  EXPECT_GE(stats.histogramMax(), top);
  EXPECT_LT(stats.histogramMax(), 4.0f * top);
  float width = stats.histogramMax() / histogram.size();
  std::sort(magnitudes.begin(), magnitudes.end());
  for (double fraction : {0.5, 0.9, 1.0}) {
    size_t rank = static_cast<size_t>(std::ceil(fraction * magnitudes.size()));
    float exact = magnitudes[std::max<size_t>(rank, 1) - 1];
    float estimate =
        histogramPercentile(histogram, stats.histogramMax(), fraction);
    EXPECT_GE(estimate, exact);
    EXPECT_LE(estimate, exact + width * 1.0001f);
  }
}

TEST(ActivationStatistics, ChannelsFirstAndNonFinite) {
  // [outer = 2, channels = 3, inner = 2]; one NaN and one infinity.
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> x = {1, -2, 3, 4, -5, 6, 7, 8, std::nanf(""), -10, inf, 12};
  ActivationStatistics stats(3, /*withGram=*/false, 16);
  stats.add(x.data(), 2, 2);
  EXPECT_EQ(stats.nonFinite(), 2);
  EXPECT_FALSE(stats.hasGram());
  EXPECT_TRUE(stats.meanGram().empty());
  EXPECT_EQ(stats.channelMin(), (std::vector<float>{-2, -10, -5}));
  EXPECT_EQ(stats.channelMax(), (std::vector<float>{8, 4, 12}));
  std::vector<float> mean = stats.channelMeanAbs();
  EXPECT_FLOAT_EQ(mean[0], (1 + 2 + 7 + 8) / 4.0f);
  EXPECT_FLOAT_EQ(mean[1], (3 + 4 + 10) / 4.0f);
  EXPECT_FLOAT_EQ(mean[2], (5 + 6 + 12) / 4.0f);
}

TEST(ActivationStatistics, ZerosThenValues) {
  ActivationStatistics stats(2, /*withGram=*/true, 8);
  std::vector<float> zeros(4, 0.0f), values = {1.0f, -2.0f, 0.5f, 0.25f};
  stats.add(zeros.data(), 2, 1);
  EXPECT_EQ(stats.histogramMax(), 0.0f);
  stats.add(values.data(), 2, 1);
  EXPECT_EQ(stats.histogramMax(), 2.0f);
  EXPECT_EQ(stats.histogram()[0], 4); // the zeros; bins are 0.25 wide
  EXPECT_EQ(stats.histogram()[1], 1); // 0.25
  EXPECT_EQ(histogramPercentile(stats.histogram(), stats.histogramMax(), 0.5),
            0.25f);
  EXPECT_EQ(histogramPercentile({}, 1.0f, 0.5), 0.0f);
}
