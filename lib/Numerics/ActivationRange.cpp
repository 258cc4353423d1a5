//===- ActivationRange.cpp - Static activation clipping from a histogram --===//

#include "lowbit/Numerics/ActivationRange.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace lowbit::numerics;

std::optional<RangeMethod>
lowbit::numerics::parseRangeMethod(std::string_view name) {
  if (name == "minmax")
    return RangeMethod::MinMax;
  if (name == "percentile")
    return RangeMethod::Percentile;
  if (name == "entropy")
    return RangeMethod::Entropy;
  if (name == "mse")
    return RangeMethod::MSE;
  return std::nullopt;
}

namespace {

/// Makes every entry positive: zeros get `eps`, taken evenly from the
/// non-zero entries (MXNet's smoothing, so that KL stays finite). False
/// when the non-zero entries cannot give that much.
bool smooth(std::vector<double> &dist, double eps) {
  size_t zeros = 0;
  for (double v : dist)
    zeros += v == 0;
  size_t nonZeros = dist.size() - zeros;
  if (zeros == 0)
    return true;
  if (nonZeros == 0)
    return false;
  double take = eps * static_cast<double>(zeros) /
                static_cast<double>(nonZeros);
  for (double &v : dist) {
    v = v == 0 ? eps : v - take;
    if (v <= 0)
      return false;
  }
  return true;
}

} // namespace

double lowbit::numerics::entropyCalibrationDivergence(
    const std::vector<int64_t> &counts, size_t cut, size_t levels) {
  const double inf = std::numeric_limits<double>::infinity();
  if (cut == 0 || cut > counts.size() || levels == 0)
    return inf;
  // P: the first `cut` bins with everything beyond folded into the last.
  std::vector<double> p(counts.begin(), counts.begin() + cut);
  double outliers = 0;
  for (size_t i = cut; i < counts.size(); ++i)
    outliers += static_cast<double>(counts[i]);
  p[cut - 1] += outliers;
  // Q: the first `cut` bins WITHOUT the outliers, merged into `levels`
  // levels (level j covers bins [j cut / levels, (j + 1) cut / levels)),
  // each level's mass spread evenly over its bins that are non-empty in P.
  // Clipped mass is thus missing from Q, which is what makes a cut that
  // clips much worse than one that does not.
  std::vector<double> q(cut, 0.0);
  for (size_t j = 0; j < levels; ++j) {
    size_t begin = j * cut / levels, end = (j + 1) * cut / levels;
    if (j + 1 == levels)
      end = cut;
    double mass = 0;
    size_t nonEmpty = 0;
    for (size_t i = begin; i < end; ++i) {
      mass += static_cast<double>(counts[i]);
      nonEmpty += p[i] > 0;
    }
    if (nonEmpty == 0)
      continue;
    for (size_t i = begin; i < end; ++i)
      if (p[i] > 0)
        q[i] = mass / static_cast<double>(nonEmpty);
  }
  auto normalize = [](std::vector<double> &d) {
    double total = 0;
    for (double v : d)
      total += v;
    if (total <= 0)
      return false;
    for (double &v : d)
      v /= total;
    return true;
  };
  if (!normalize(p) || !normalize(q))
    return inf;
  // Only bins where P has mass contribute. Where Q has none there (a level
  // whose only mass was clipped), Q is smoothed.
  bool gap = false;
  for (size_t i = 0; i < cut; ++i)
    gap |= p[i] > 0 && q[i] == 0;
  if (gap && (!smooth(q, 1e-4) || !normalize(q)))
    return inf;
  double divergence = 0;
  for (size_t i = 0; i < cut; ++i)
    if (p[i] > 0)
      divergence += p[i] * std::log(p[i] / q[i]);
  return divergence;
}

float lowbit::numerics::activationClipThreshold(
    const std::vector<int64_t> &counts, float histMax, float maxAbs,
    const RangeOptions &options) {
  size_t bins = counts.size();
  int64_t total = 0;
  for (int64_t c : counts)
    total += c;
  if (options.method == RangeMethod::MinMax)
    return maxAbs > 0 && std::isfinite(maxAbs) ? maxAbs : 0.0f;
  if (bins == 0 || total <= 0 || !(histMax > 0))
    return 0.0f;
  double width = static_cast<double>(histMax) / static_cast<double>(bins);
  auto clampToMax = [&](double t) {
    return static_cast<float>(maxAbs > 0 ? std::min<double>(t, maxAbs) : t);
  };
  // The last bin that holds a value: no threshold needs to go beyond it.
  size_t used = bins;
  while (used > 0 && counts[used - 1] == 0)
    --used;
  if (used == 0)
    return 0.0f;

  switch (options.method) {
  case RangeMethod::MinMax:
    break;
  case RangeMethod::Percentile: {
    double fraction = std::clamp(options.percentile, 0.0, 100.0) / 100.0;
    double need = fraction * static_cast<double>(total);
    int64_t seen = 0;
    for (size_t i = 0; i < bins; ++i) {
      seen += counts[i];
      if (static_cast<double>(seen) >= need)
        return clampToMax(width * static_cast<double>(i + 1));
    }
    return clampToMax(width * static_cast<double>(used));
  }
  case RangeMethod::Entropy: {
    size_t levels = size_t(1) << (options.bits - 1);
    if (used <= levels)
      return clampToMax(width * static_cast<double>(used));
    size_t best = used;
    double bestDivergence = std::numeric_limits<double>::infinity();
    for (size_t cut = levels; cut <= used; ++cut) {
      double d = entropyCalibrationDivergence(counts, cut, levels);
      if (d <= bestDivergence) {
        bestDivergence = d;
        best = cut;
      }
    }
    return clampToMax(width * static_cast<double>(best));
  }
  case RangeMethod::MSE: {
    double qmax = static_cast<double>((1 << (options.bits - 1)) - 1);
    size_t best = used;
    double bestError = std::numeric_limits<double>::infinity();
    for (size_t cut = 1; cut <= used; ++cut) {
      double t = width * static_cast<double>(cut);
      double step = t / qmax;
      double noise = step * step / 12.0;
      double error = 0;
      for (size_t i = 0; i < used; ++i) {
        if (counts[i] == 0)
          continue;
        double center = width * (static_cast<double>(i) + 0.5);
        double e = center > t ? (center - t) * (center - t) : noise;
        error += static_cast<double>(counts[i]) * e;
      }
      if (error < bestError) {
        bestError = error;
        best = cut;
      }
    }
    return clampToMax(width * static_cast<double>(best));
  }
  }
  return 0.0f;
}
