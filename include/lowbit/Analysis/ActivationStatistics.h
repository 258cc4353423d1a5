//===- ActivationStatistics.h - running statistics of one tensor -*- C++ -*-===//
//
// What calibration keeps of every probed activation, accumulated sample by
// sample so that memory does not grow with the number of samples:
//
//   * the range over the whole tensor and per channel (min / max);
//   * a histogram of |x| (for percentile and entropy clipping);
//   * mean |x| per channel (AWQ, SmoothQuant);
//   * X^T X over the rows of a linear's input, X [rows, K] (GPTQ's Hessian
//     H = 2 X^T X / rows, Hessian-trace sensitivity).
//
// The histogram has a fixed number of bins over [0, histogramMax]. The range
// starts at the first sample's largest |x| and doubles, merging bins
// pairwise, whenever a later sample exceeds it, so no value is ever dropped
// and the result does not depend on a guessed range. Its resolution is
// therefore histogramMax / bins, at most twice as coarse as a histogram
// over the exact final range.
//
// Plain C++: no MLIR, so the accumulators are usable and testable alone.
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_ANALYSIS_ACTIVATIONSTATISTICS_H
#define LOWBIT_ANALYSIS_ACTIVATIONSTATISTICS_H

#include <cstdint>
#include <vector>

namespace lowbit {

class ActivationStatistics {
public:
  /// `channels`: length of the channel axis; `withGram`: also accumulate
  /// X^T X (only meaningful when the channel axis is the last one).
  ActivationStatistics(int64_t channels, bool withGram, int64_t histogramBins);

  /// Adds one sample: a dense tensor viewed as [outer, channels, inner]
  /// (channel axis in the middle; inner = 1 when it is the last axis).
  /// Non-finite values are counted and otherwise ignored. X^T X takes the
  /// [outer, channels] rows and is only updated when inner == 1.
  void add(const float *data, int64_t outer, int64_t inner);

  int64_t channels() const { return channels_; }
  int64_t samples() const { return samples_; }
  /// Finite values seen per channel (outer * inner summed over samples).
  int64_t valuesPerChannel() const { return valuesPerChannel_; }
  int64_t nonFinite() const { return nonFinite_; }
  bool hasGram() const { return withGram_; }

  float min() const { return min_; }
  float max() const { return max_; }
  const std::vector<float> &channelMin() const { return channelMin_; }
  const std::vector<float> &channelMax() const { return channelMax_; }
  /// mean |x| per channel over every finite value seen.
  std::vector<float> channelMeanAbs() const;

  const std::vector<int64_t> &histogram() const { return histogram_; }
  float histogramMax() const { return histogramMax_; }

  /// X^T X / rows as a full symmetric row-major [K, K] matrix (rows =
  /// number of [K] rows seen). Empty without a Gram matrix or rows.
  std::vector<float> meanGram() const;

private:
  void widenHistogram(float absMax);

  int64_t channels_;
  int64_t samples_ = 0;
  int64_t valuesPerChannel_ = 0;
  int64_t nonFinite_ = 0;
  float min_, max_;
  std::vector<float> channelMin_, channelMax_;
  std::vector<double> channelSumAbs_;
  std::vector<int64_t> histogram_;
  float histogramMax_ = 0.0f;
  bool withGram_;
  int64_t gramRows_ = 0;
  /// Lower triangle (j <= i) of X^T X, [K, K], summed in double over
  /// samples; each sample's part is computed in float.
  std::vector<double> gram_;
  std::vector<float> transposed_;
};

/// The smallest bin edge below which at least `fraction` (in [0, 1]) of the
/// histogram's values lie: the |x| clip threshold of percentile
/// calibration. 0 for an empty histogram.
float histogramPercentile(const std::vector<int64_t> &histogram,
                          float histogramMax, double fraction);

} // namespace lowbit

#endif // LOWBIT_ANALYSIS_ACTIVATIONSTATISTICS_H
