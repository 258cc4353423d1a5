//===- SmoothingSearch.cpp - SmoothQuant scales and the alpha search ------===//

#include "lowbit/Numerics/SmoothingSearch.h"

#include <algorithm>
#include <cmath>

namespace lowbit::numerics {

std::vector<float> smoothingScales(const std::vector<float> &xmax,
                                   const std::vector<float> &wmax,
                                   double alpha) {
  std::vector<float> s(xmax.size(), 1.0f);
  for (size_t j = 0; j < xmax.size() && j < wmax.size(); ++j) {
    if (!(xmax[j] > 0) || !(wmax[j] > 0))
      continue;
    double value = std::pow(static_cast<double>(xmax[j]), alpha) /
                   std::pow(static_cast<double>(wmax[j]), 1.0 - alpha);
    s[j] = static_cast<float>(std::clamp(value, 1e-5, 1e5));
  }
  return s;
}

double smoothingErrorEstimate(const SmoothingProblem &p,
                              const std::vector<float> &s) {
  const int64_t k = p.channels;
  const double qw = std::ldexp(1.0, p.weightBits - 1) - 1.0;
  const double qa = std::ldexp(1.0, p.actBits - 1) - 1.0;
  const int64_t group = p.groupSize > 0 ? p.groupSize : k;
  double range = 0.0;
  for (int64_t j = 0; j < k; ++j)
    range = std::max(range, static_cast<double>(p.xmax[j]) / s[j]);
  const double dx = range / qa;
  double weightTerm = 0.0, norm = 0.0;
  for (const std::vector<float> &w : p.weights) {
    const int64_t rows = static_cast<int64_t>(w.size()) / k;
    for (int64_t i = 0; i < rows; ++i) {
      for (int64_t g0 = 0; g0 < k; g0 += group) {
        double wmax = 0.0, energy = 0.0;
        for (int64_t j = g0; j < std::min(k, g0 + group); ++j) {
          double v = static_cast<double>(w[i * k + j]) * s[j];
          wmax = std::max(wmax, std::fabs(v));
          norm += v * v;
          energy += p.meanSquare[j] / (static_cast<double>(s[j]) * s[j]);
        }
        double dw = wmax / qw;
        weightTerm += dw * dw / 12.0 * energy;
      }
    }
  }
  return weightTerm + dx * dx / 12.0 * norm;
}

SmoothingChoice searchSmoothingAlpha(const SmoothingProblem &p,
                                     const std::vector<float> &wmax,
                                     const std::vector<double> &grid) {
  SmoothingChoice best;
  best.unsmoothedError =
      smoothingErrorEstimate(p, std::vector<float>(p.channels, 1.0f));
  bool first = true;
  for (double alpha : grid) {
    double error = smoothingErrorEstimate(p, smoothingScales(p.xmax, wmax, alpha));
    if (first || error < best.error) {
      best.alpha = alpha;
      best.error = error;
      first = false;
    }
  }
  return best;
}

} // namespace lowbit::numerics
