//===- ResizeOps.cpp - Resize as tables of taps known at import -----------===//
//
// Shapes are static, so for every resized axis the source positions and
// weights of each output position are computed here, in double precision,
// exactly as ONNX's reference does it (coordinate transformation, n nearest
// neighbours of an edge-padded axis, nearest/linear/cubic coefficients,
// exclude_outside renormalization). Resizing is separable: the result is
// one linalg.generic whose body sums, over every combination of the axes'
// taps, the product of their weights and the input element there. Nearest
// mode copies the selected element (no arithmetic, any element type).
// Not supported: tf_crop_and_resize, antialias, keep_aspect_ratio_policy
// other than stretch.
//
//===----------------------------------------------------------------------===//

#include "NNBuilders.h"
#include "ElementwiseCommon.h"
#include "../TensorConversion.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace lowbit::onnx_import;

namespace {

enum class Mode { Nearest, Linear, Cubic };

/// Largest number of tap combinations per output element.
constexpr int64_t kMaxTapCombinations = 256;

struct ResizeParams {
  Mode mode;
  std::string transform;
  std::string nearestMode;
  double cubicA;
  bool excludeOutside;
};

/// The taps of one axis: for output position o, `taps` source indices
/// (in range) and weights.
struct AxisTaps {
  int64_t taps = 0;
  SmallVector<int64_t> index;  // [out][taps]
  SmallVector<double> weight;  // [out][taps]
};

SmallVector<double> coefficients(const ResizeParams &p, double ratio,
                                 bool isInteger) {
  switch (p.mode) {
  case Mode::Nearest: {
    if (isInteger)
      return {0, 1};
    const std::string &m = p.nearestMode;
    if (m == "round_prefer_ceil")
      return {double(ratio < 0.5), double(ratio >= 0.5)};
    if (m == "floor")
      return {1, 0};
    if (m == "ceil")
      return {0, 1};
    return {double(ratio <= 0.5), double(ratio > 0.5)};
  }
  case Mode::Linear:
    return {1 - ratio, ratio};
  case Mode::Cubic: {
    double a = p.cubicA, r = ratio, s = 1 - ratio;
    return {((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a,
            ((a + 2) * r - (a + 3)) * r * r + 1,
            ((a + 2) * s - (a + 3)) * s * s + 1,
            ((a * (s + 1) - 5 * a) * (s + 1) + 8 * a) * (s + 1) - 4 * a};
  }
  }
  return {};
}

/// The n integers of [0, limit) nearest to x (ties to the smaller), sorted.
SmallVector<int64_t> nearestIndices(double x, int64_t n, int64_t limit) {
  int64_t base = static_cast<int64_t>(std::floor(x));
  int64_t lo = std::clamp<int64_t>(base - n, 0, limit - 1);
  int64_t hi = std::clamp<int64_t>(base + n + 1, 0, limit - 1);
  if (hi - lo + 1 < 2 * n + 2) {
    lo = std::max<int64_t>(0, std::min(lo, hi - 2 * n - 1));
    hi = std::min<int64_t>(limit - 1, lo + 2 * n + 1);
  }
  SmallVector<int64_t> candidates;
  for (int64_t i = lo; i <= hi; ++i)
    candidates.push_back(i);
  std::stable_sort(candidates.begin(), candidates.end(),
                   [&](int64_t a, int64_t b) {
                     double da = std::fabs(x - a), db = std::fabs(x - b);
                     return da != db ? da < db : a < b;
                   });
  candidates.resize(std::min<size_t>(n, candidates.size()));
  llvm::sort(candidates);
  return candidates;
}

AxisTaps computeTaps(const ResizeParams &p, int64_t inSize, int64_t outSize,
                     double scale) {
  AxisTaps axis;
  double outWidth = scale * static_cast<double>(inSize);
  int64_t n = p.mode == Mode::Cubic ? 4 : 2;
  int64_t pad = (n + 1) / 2;
  axis.taps = n;
  for (int64_t o = 0; o < outSize; ++o) {
    double x = static_cast<double>(o), xo;
    const std::string &t = p.transform;
    if (t == "align_corners")
      xo = outWidth == 1 ? 0.0 : x * (inSize - 1) / (outWidth - 1);
    else if (t == "asymmetric")
      xo = x / scale;
    else if (t == "pytorch_half_pixel")
      xo = outWidth == 1 ? -0.5 : (x + 0.5) / scale - 0.5;
    else if (t == "tf_half_pixel_for_nn")
      xo = (x + 0.5) / scale;
    else if (t == "half_pixel_symmetric") {
      double adjustment = static_cast<double>(outSize) / outWidth;
      double center = static_cast<double>(inSize) / 2;
      double offset = center * (1 - adjustment);
      xo = offset + (x + 0.5) / scale - 0.5;
    } else
      xo = (x + 0.5) / scale - 0.5;
    double floorX = std::floor(xo);
    bool isInteger = xo == floorX;
    double ratio = isInteger ? 1.0 : xo - floorX;
    SmallVector<double> coeffs = coefficients(p, ratio, isInteger);
    SmallVector<int64_t> idx = nearestIndices(xo + pad, n, inSize + 2 * pad);
    for (int64_t &i : idx)
      i -= pad;
    if (p.excludeOutside) {
      double sum = 0;
      for (int64_t k = 0; k < n; ++k) {
        if (idx[k] < 0 || idx[k] >= inSize)
          coeffs[k] = 0;
        sum += coeffs[k];
      }
      for (double &c : coeffs)
        c /= sum;
    }
    if (p.mode == Mode::Nearest) {
      // One tap: the neighbour whose coefficient is 1.
      int64_t k = coeffs[0] != 0 ? 0 : 1;
      axis.index.push_back(std::clamp<int64_t>(idx[k], 0, inSize - 1));
      axis.weight.push_back(1);
      continue;
    }
    for (int64_t k = 0; k < n; ++k) {
      axis.index.push_back(std::clamp<int64_t>(idx[k], 0, inSize - 1));
      axis.weight.push_back(coeffs[k]);
    }
  }
  if (p.mode == Mode::Nearest) {
    axis.taps = 1;
    return axis;
  }
  // Drop taps whose weight is zero at every position (nearest keeps one).
  SmallVector<int64_t> kept;
  for (int64_t k = 0; k < n; ++k) {
    bool used = false;
    for (int64_t o = 0; o < outSize && !used; ++o)
      used = axis.weight[o * n + k] != 0;
    if (used)
      kept.push_back(k);
  }
  if (kept.empty())
    kept.push_back(0);
  AxisTaps pruned;
  pruned.taps = kept.size();
  for (int64_t o = 0; o < outSize; ++o)
    for (int64_t k : kept) {
      pruned.index.push_back(axis.index[o * n + k]);
      pruned.weight.push_back(axis.weight[o * n + k]);
    }
  return pruned;
}

/// Whether the taps read position o with weight 1 for every o.
bool isIdentity(const AxisTaps &taps, int64_t inSize, int64_t outSize) {
  if (taps.taps != 1 || inSize != outSize)
    return false;
  for (int64_t o = 0; o < outSize; ++o)
    if (taps.index[o] != o || taps.weight[o] != 1)
      return false;
  return true;
}

LogicalResult importResize(NodeImporter &node) {
  if (!node.hasInput(0))
    return node.fail("input 0 (X) is missing");
  auto xType = node.inputType(0);
  int64_t rank = xType.getRank();
  std::string modeName = node.attrString("mode", "nearest");
  ResizeParams p;
  p.transform = node.attrString("coordinate_transformation_mode", "half_pixel");
  p.nearestMode = node.attrString("nearest_mode", "round_prefer_floor");
  p.cubicA = node.attrFloat("cubic_coeff_a", -0.75f);
  p.excludeOutside = node.attrInt("exclude_outside", 0) != 0;
  int64_t antialias = node.attrInt("antialias", 0);
  std::string policy = node.attrString("keep_aspect_ratio_policy", "stretch");
  SmallVector<int64_t> axesAttr = node.attrInts("axes");
  if (node.hasFailed())
    return failure();
  if (modeName == "nearest")
    p.mode = Mode::Nearest;
  else if (modeName == "linear")
    p.mode = Mode::Linear;
  else if (modeName == "cubic")
    p.mode = Mode::Cubic;
  else
    return node.emitError() << "mode '" << modeName
                            << "' is not nearest, linear or cubic";
  static const char *kTransforms[] = {
      "half_pixel", "half_pixel_symmetric", "pytorch_half_pixel",
      "align_corners", "asymmetric", "tf_half_pixel_for_nn"};
  if (p.transform == "tf_crop_and_resize")
    return node.fail("coordinate_transformation_mode 'tf_crop_and_resize' is "
                     "not supported");
  if (!llvm::is_contained(kTransforms, p.transform))
    return node.emitError() << "coordinate_transformation_mode '"
                            << p.transform << "' is unknown";
  static const char *kNearestModes[] = {"round_prefer_floor",
                                        "round_prefer_ceil", "floor", "ceil"};
  if (!llvm::is_contained(kNearestModes, p.nearestMode))
    return node.emitError() << "nearest_mode '" << p.nearestMode
                            << "' is unknown";
  if (antialias)
    return node.fail("antialias = 1 is not supported");
  if (policy != "stretch")
    return node.emitError() << "keep_aspect_ratio_policy '" << policy
                            << "' is not supported (only stretch)";
  Type element = xType.getElementType();
  if (p.mode != Mode::Nearest && !isa<FloatType>(element))
    return node.fail("linear and cubic modes need a float input");

  SmallVector<int64_t> axes;
  for (int64_t a : axesAttr) {
    FailureOr<int64_t> axis = normalizeAxis(node, a, rank);
    if (failed(axis))
      return failure();
    axes.push_back(*axis);
  }
  if (axes.empty())
    for (int64_t a = 0; a < rank; ++a)
      axes.push_back(a);

  // Inputs (X, roi, scales, sizes); roi only matters to tf_crop_and_resize.
  int scalesInput = 2, sizesInput = 3;
  auto nonEmpty = [&](int i) {
    return node.hasInput(i) && node.inputType(i).getNumElements() > 0;
  };
  SmallVector<int64_t> outShape(xType.getShape());
  SmallVector<double> scales(rank, 1.0);
  if (nonEmpty(sizesInput)) {
    FailureOr<SmallVector<int64_t>> sizes = node.constantInts(sizesInput, "sizes");
    if (failed(sizes))
      return failure();
    if (sizes->size() != axes.size())
      return node.emitError() << "sizes has " << sizes->size()
                              << " values for " << axes.size() << " axes";
    for (auto [a, s] : llvm::zip(axes, *sizes)) {
      if (s < 1 || s > kMaxElements)
        return node.emitError() << "size " << s << " on axis " << a
                                << " is not a positive size";
      if (xType.getDimSize(a) == 0)
        return node.fail("X has an empty axis");
      outShape[a] = s;
      scales[a] = static_cast<double>(s) / xType.getDimSize(a);
    }
  } else if (nonEmpty(scalesInput)) {
    FailureOr<SmallVector<double>> given =
        node.constantFloats(scalesInput, "scales");
    if (failed(given))
      return failure();
    if (given->size() != axes.size())
      return node.emitError() << "scales has " << given->size()
                              << " values for " << axes.size() << " axes";
    for (auto [a, s] : llvm::zip(axes, *given)) {
      double scale = static_cast<float>(s); // scales are float32
      double out = scale * xType.getDimSize(a);
      if (!(scale > 0) || !std::isfinite(scale) || !(out >= 1) ||
          out > static_cast<double>(kMaxElements))
        return node.emitError() << "scale " << s << " on axis " << a
                                << " gives no valid output size";
      outShape[a] = static_cast<int64_t>(out);
      scales[a] = scale;
    }
  } else {
    return node.fail("neither scales nor sizes is given");
  }

  // Taps of the axes that change.
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  SmallVector<int64_t> resized;
  SmallVector<AxisTaps> taps(rank);
  int64_t combinations = 1;
  for (int64_t a = 0; a < rank; ++a) {
    if (xType.getDimSize(a) == 0 || outShape[a] == 0)
      continue;
    taps[a] = computeTaps(p, xType.getDimSize(a), outShape[a], scales[a]);
    if (isIdentity(taps[a], xType.getDimSize(a), outShape[a]))
      continue;
    resized.push_back(a);
    combinations *= taps[a].taps;
  }
  if (combinations > kMaxTapCombinations)
    return node.emitError() << "resizing " << resized.size()
                            << " axes needs " << combinations
                            << " taps per element; lowbit handles up to "
                            << kMaxTapCombinations;
  auto resultType = RankedTensorType::get(outShape, element);
  if (resized.empty() || resultType.getNumElements() == 0)
    return node.forwardInput(0, 0);

  // Tables: [out, taps] indices (index type) and weights (the compute type).
  Type compute = isa<FloatType>(element) ? computeType(element) : Type();
  SmallVector<Value> indexTables(rank), weightTables(rank);
  for (int64_t a : resized) {
    auto shape = SmallVector<int64_t>{outShape[a], taps[a].taps};
    indexTables[a] = createConstant(
        b, loc,
        DenseElementsAttr::get(RankedTensorType::get(shape, b.getIndexType()),
                               llvm::to_vector(llvm::map_range(
                                   taps[a].index, [&](int64_t v) {
                                     return APInt(64, v, /*isSigned=*/true);
                                   }))));
    if (p.mode == Mode::Nearest)
      continue;
    auto floatType = cast<FloatType>(compute);
    SmallVector<APFloat> weights;
    for (double w : taps[a].weight) {
      APFloat v(w);
      bool lost;
      v.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                &lost);
      weights.push_back(v);
    }
    weightTables[a] = createConstant(
        b, loc, DenseElementsAttr::get(RankedTensorType::get(shape, compute),
                                       weights));
  }

  Value x = node.input(0);
  Value init = tensor::EmptyOp::create(b, loc, outShape, element);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, ValueRange{}, ValueRange{init},
      SmallVector<AffineMap>{AffineMap::getMultiDimIdentityMap(rank, b.getContext())},
      iterators, [&](OpBuilder &nb, Location nl, ValueRange) {
        SmallVector<Value> position;
        for (int64_t a = 0; a < rank; ++a)
          position.push_back(linalg::IndexOp::create(nb, nl, a));
        auto tableAt = [&](Value table, int64_t a, int64_t k) -> Value {
          Value kv = arith::ConstantIndexOp::create(nb, nl, k);
          return tensor::ExtractOp::create(nb, nl, table,
                                           ValueRange{position[a], kv});
        };
        Value sum;
        SmallVector<int64_t> k(resized.size(), 0);
        for (int64_t c = 0; c < combinations; ++c) {
          SmallVector<Value> source(position);
          Value weight;
          for (auto [j, a] : llvm::enumerate(resized)) {
            source[a] = tableAt(indexTables[a], a, k[j]);
            if (p.mode == Mode::Nearest)
              continue;
            Value w = tableAt(weightTables[a], a, k[j]);
            weight = weight ? arith::MulFOp::create(nb, nl, weight, w).getResult()
                            : w;
          }
          Value v = tensor::ExtractOp::create(nb, nl, x, source);
          if (p.mode == Mode::Nearest) {
            sum = v;
          } else {
            Value term = arith::MulFOp::create(nb, nl, promote(nb, nl, v), weight);
            sum = sum ? arith::AddFOp::create(nb, nl, sum, term).getResult() : term;
          }
          // Next combination (odometer over the axes' taps).
          for (int64_t j = resized.size() - 1; j >= 0; --j) {
            if (++k[j] < taps[resized[j]].taps)
              break;
            k[j] = 0;
          }
        }
        if (p.mode != Mode::Nearest)
          sum = demote(nb, nl, sum, element);
        linalg::YieldOp::create(nb, nl, sum);
      });
  return node.setResult(0, generic.getResult(0));
}

} // namespace

void lowbit::onnx_import::registerResizeOps(std::vector<OpHandler> &table) {
  table.push_back({"", "Resize", 11, importResize,
                   "scales or sizes known at import; nearest, linear, cubic; "
                   "not tf_crop_and_resize or antialias"});
}
