//===- HessianAccumulatorTest.cpp - X^T X accumulation for GPTQ -----------===//
//
// Closed-form H = 2 X^T X / n on hand-written rows, and a direct double
// product on random data split into batches.
//
//===----------------------------------------------------------------------===//

#include "GPTQReference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using namespace lowbit::numerics;
using namespace lowbit::numerics::test;

namespace {

TEST(HessianAccumulator, ClosedFormAndBatching) {
  // X = [[1, 2], [3, -1], [0, 4]]: X^T X = [[10, -1], [-1, 21]], n = 3.
  HessianAccumulator acc(2);
  ASSERT_EQ(acc.addBatch({1, 2, 3, -1}, 2), GPTQStatus::Ok);
  ASSERT_EQ(acc.addBatch({0, 4}, 1), GPTQStatus::Ok);
  EXPECT_EQ(acc.numSamples(), 3);
  std::vector<double> H;
  ASSERT_EQ(acc.hessian(H), GPTQStatus::Ok);
  const std::vector<double> want = {20.0 / 3, -2.0 / 3, -2.0 / 3, 42.0 / 3};
  for (int i = 0; i < 4; ++i)
    EXPECT_DOUBLE_EQ(H[i], want[i]);
  // Bad batches change nothing.
  EXPECT_EQ(acc.addBatch({1, 2, 3}, 2), GPTQStatus::SizeMismatch);
  EXPECT_EQ(acc.addBatch({1, NAN}, 1), GPTQStatus::NonFiniteValue);
  EXPECT_EQ(acc.addBatch({1, 2}, -1), GPTQStatus::InvalidShape);
  EXPECT_EQ(acc.numSamples(), 3);
  std::vector<double> H2;
  ASSERT_EQ(acc.hessian(H2), GPTQStatus::Ok);
  EXPECT_EQ(H2, H);
  acc.reset();
  EXPECT_EQ(acc.hessian(H2), GPTQStatus::NoSamples);
  EXPECT_EQ(H2, H);
  HessianAccumulator bad(-3);
  EXPECT_EQ(bad.addBatch({}, 0), GPTQStatus::InvalidShape);
  EXPECT_EQ(bad.hessian(H2), GPTQStatus::InvalidShape);
}

TEST(HessianAccumulator, MatchesDirectProductOnRandomData) {
  const int64_t M = 50, K = 12;
  const std::vector<float> X = correlatedInputs(M, K, 3);
  HessianAccumulator acc(K);
  for (int64_t m = 0; m < M; m += 10) // five batches of ten rows
    ASSERT_EQ(acc.addBatch(X.data() + m * K, 10), GPTQStatus::Ok);
  std::vector<double> H;
  ASSERT_EQ(acc.hessian(H), GPTQStatus::Ok);
  for (int64_t i = 0; i < K; ++i)
    for (int64_t j = 0; j < K; ++j) {
      double s = 0;
      for (int64_t m = 0; m < M; ++m)
        s += double(X[m * K + i]) * X[m * K + j];
      EXPECT_NEAR(H[i * K + j], 2 * s / M, 1e-12 * (1 + std::fabs(s)));
    }
}

} // namespace
