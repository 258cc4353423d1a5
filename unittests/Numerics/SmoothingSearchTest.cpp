//===- SmoothingSearchTest.cpp - SmoothQuant scales and alpha search ------===//

#include "lowbit/Numerics/SmoothingSearch.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>

using namespace lowbit::numerics;

TEST(SmoothingScales, ClosedForm) {
  // s = sqrt(xmax / wmax) at alpha 0.5; 1 where a maximum is 0.
  std::vector<float> s = smoothingScales({4, 1, 0, 9}, {1, 4, 2, 0}, 0.5);
  EXPECT_FLOAT_EQ(s[0], 2.0f);
  EXPECT_FLOAT_EQ(s[1], 0.5f);
  EXPECT_FLOAT_EQ(s[2], 1.0f);
  EXPECT_FLOAT_EQ(s[3], 1.0f);
  // alpha 1: s = xmax; alpha 0: s = 1 / wmax.
  EXPECT_FLOAT_EQ(smoothingScales({4}, {2}, 1.0)[0], 4.0f);
  EXPECT_FLOAT_EQ(smoothingScales({4}, {2}, 0.0)[0], 0.5f);
}

TEST(SmoothingErrorEstimate, ByHand) {
  SmoothingProblem p;
  p.channels = 2;
  p.xmax = {3, 1};
  p.meanSquare = {4, 1};
  p.weights = {{1, 2}};
  // dx = 3/127, ||W||^2 = 5; dw = 2/127, sum E[x^2] = 5.
  double expected = (4.0 + 9.0) * 5.0 / (12.0 * 127.0 * 127.0);
  EXPECT_NEAR(smoothingErrorEstimate(p, {1, 1}), expected, 1e-15);
  // Groups of one: dw_j = |w_j| / 127, each times its own E[x_j^2].
  p.groupSize = 1;
  double grouped = (1.0 * 4.0 + 4.0 * 1.0) / (12.0 * 127.0 * 127.0) +
                   9.0 * 5.0 / (12.0 * 127.0 * 127.0);
  EXPECT_NEAR(smoothingErrorEstimate(p, {1, 1}), grouped, 1e-15);
}

// The measured error of symmetric RTN on both factors (per-tensor inputs,
// per-row weights) of a product whose input has an outlier channel.
double measuredError(const std::vector<double> &x, int64_t rows, int64_t k,
                     const std::vector<float> &w, int64_t n,
                     const std::vector<float> &s, int bits) {
  double q = std::ldexp(1.0, bits - 1) - 1;
  double range = 0;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < k; ++j)
      range = std::max(range, std::fabs(x[r * k + j] / s[j]));
  std::vector<double> xq(x.size()), wq(w.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < k; ++j)
      xq[r * k + j] = std::nearbyint(x[r * k + j] / s[j] / range * q) * range / q;
  for (int64_t i = 0; i < n; ++i) {
    double m = 0;
    for (int64_t j = 0; j < k; ++j)
      m = std::max(m, std::fabs(static_cast<double>(w[i * k + j]) * s[j]));
    for (int64_t j = 0; j < k; ++j)
      wq[i * k + j] = std::nearbyint(w[i * k + j] * s[j] / m * q) * m / q;
  }
  double error = 0;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < n; ++i) {
      double exact = 0, quant = 0;
      for (int64_t j = 0; j < k; ++j) {
        exact += x[r * k + j] * w[i * k + j];
        quant += xq[r * k + j] * wq[i * k + j];
      }
      error += (exact - quant) * (exact - quant);
    }
  return error;
}

TEST(SearchSmoothingAlpha, PicksNearTheMeasuredBestOnOutliers) {
  const int64_t rows = 256, k = 64, n = 48;
  std::mt19937 rng(5);
  std::normal_distribution<double> normal;
  std::vector<double> x(rows * k);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < k; ++j)
      x[r * k + j] = normal(rng) * (j == 3 || j == 40 ? 40.0 : 1.0);
  std::vector<float> w(n * k);
  for (float &v : w)
    v = static_cast<float>(normal(rng) * 0.1);
  SmoothingProblem p;
  p.channels = k;
  p.xmax.assign(k, 0.0f);
  p.meanSquare.assign(k, 0.0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < k; ++j) {
      p.xmax[j] = std::max(p.xmax[j], static_cast<float>(std::fabs(x[r * k + j])));
      p.meanSquare[j] += x[r * k + j] * x[r * k + j] / rows;
    }
  p.weights = {w};
  p.weightBits = p.actBits = 4;
  std::vector<float> wmax(k, 0.0f);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < k; ++j)
      wmax[j] = std::max(wmax[j], std::fabs(w[i * k + j]));
  std::vector<double> grid;
  for (int a = 0; a <= 20; ++a)
    grid.push_back(a * 0.05);
  SmoothingChoice choice = searchSmoothingAlpha(p, wmax, grid);
  double best = INFINITY;
  for (double alpha : grid)
    best = std::min(best, measuredError(x, rows, k, w, n,
                                        smoothingScales(p.xmax, wmax, alpha), 4));
  double chosen = measuredError(x, rows, k, w, n,
                                smoothingScales(p.xmax, wmax, choice.alpha), 4);
  double none = measuredError(x, rows, k, w, n, std::vector<float>(k, 1.0f), 4);
  EXPECT_LT(choice.error, choice.unsmoothedError);
  EXPECT_LT(chosen, 0.7 * none) << "alpha " << choice.alpha << ", best " << best;
  EXPECT_LT(chosen, 1.5 * best) << "alpha " << choice.alpha;
  std::printf("alpha %.2f: measured %.4g, best on the grid %.4g, unsmoothed %.4g\n", choice.alpha, chosen, best, none);
}
