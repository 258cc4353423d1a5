//===- FuseImportedPatterns.cpp - biases and norms that exporters decompose ===//
//
// Exporters write layer norms, RMS norms and biases as chains of elementwise
// ops; the importer turns each into a TOSA op or a one-op linalg.generic.
// The patterns below look at those ops through one view (kind, tensor and
// scalar operands), so that either form matches, and check every constant
// (epsilon, exponent, the mean's divisor, axes) before rewriting.
//
// A norm is recognized in two steps: the normalization itself becomes a norm
// with a unit gamma, then a multiplication by a per-feature gamma (and, for
// the layer norm, the addition of a beta) is absorbed into it. Whichever
// order the rewrite driver visits the ops in, the result is the same.
//
//===----------------------------------------------------------------------===//

#include "ElementwiseView.h"

#include "lowbit/Dialect/LowBit/LowBitOps.h"
#include "lowbit/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>
#include <cstring>
#include <optional>

namespace lowbit {
#define GEN_PASS_DEF_FUSEIMPORTEDPATTERNSPASS
#include "lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

RankedTensorType rankedType(Value v) {
  return dyn_cast<RankedTensorType>(v.getType());
}

//===----------------------------------------------------------------------===//
// Building blocks of the norms
//===----------------------------------------------------------------------===//

/// `v` = the mean of some `x` over its last axis, kept as a size-1 axis:
/// tosa.reduce_sum divided by the axis length (or multiplied by its
/// reciprocal). Returns x.
std::optional<Value> matchMeanLastAxis(Value v) {
  std::optional<Elementwise> e = viewElementwise(v);
  if (!e || (e->kind != EwKind::Div && e->kind != EwKind::Mul) ||
      e->operands.size() != 2)
    return std::nullopt;
  Value sum;
  double factor;
  if (e->kind == EwKind::Div) {
    if (!e->operands[0].tensor || e->operands[0].scalar ||
        !e->operands[1].scalar)
      return std::nullopt;
    sum = e->operands[0].tensor;
    factor = 1.0 / *e->operands[1].scalar;
  } else {
    auto ts = tensorAndScalar(*e);
    if (!ts)
      return std::nullopt;
    sum = ts->first;
    factor = ts->second;
  }
  auto reduce = sum.getDefiningOp<tosa::ReduceSumOp>();
  if (!reduce || rankedType(v) != rankedType(sum))
    return std::nullopt;
  RankedTensorType inType = rankedType(reduce.getInput());
  if (!inType || reduce.getAxis() != inType.getRank() - 1)
    return std::nullopt;
  double n = static_cast<double>(inType.getShape().back());
  if (std::fabs(factor * n - 1.0) > 1e-6)
    return std::nullopt;
  return reduce.getInput();
}

/// `v` = x * x or x ^ 2. Returns x.
std::optional<Value> matchSquare(Value v) {
  std::optional<Elementwise> e = viewElementwise(v);
  if (!e || e->operands.size() != 2)
    return std::nullopt;
  const EwOperand &a = e->operands[0], &b = e->operands[1];
  if (e->kind == EwKind::Mul && a.tensor && a.tensor == b.tensor)
    return a.tensor;
  if (e->kind == EwKind::Pow && a.tensor && !a.scalar && b.scalar &&
      *b.scalar == 2.0)
    return a.tensor;
  return std::nullopt;
}

/// `v` = sqrt(t) (or t ^ 0.5). Returns t.
std::optional<Value> matchSqrt(Value v) {
  std::optional<Elementwise> e = viewElementwise(v);
  if (!e)
    return std::nullopt;
  if (e->kind == EwKind::Sqrt && e->operands[0].tensor)
    return e->operands[0].tensor;
  if (e->kind == EwKind::Pow && e->operands[0].tensor &&
      !e->operands[0].scalar && e->operands[1].scalar &&
      *e->operands[1].scalar == 0.5)
    return e->operands[0].tensor;
  return std::nullopt;
}

/// `v` = 1 / sqrt(t): rsqrt(t), reciprocal(sqrt(t)) or 1 / sqrt(t).
std::optional<Value> matchInverseSqrt(Value v) {
  std::optional<Elementwise> e = viewElementwise(v);
  if (!e)
    return std::nullopt;
  if (e->kind == EwKind::Rsqrt && e->operands[0].tensor)
    return e->operands[0].tensor;
  if (e->kind == EwKind::Reciprocal && e->operands[0].tensor)
    return matchSqrt(e->operands[0].tensor);
  if (e->kind == EwKind::Div && e->operands[0].scalar &&
      *e->operands[0].scalar == 1.0 && e->operands[1].tensor &&
      !e->operands[1].scalar)
    return matchSqrt(e->operands[1].tensor);
  return std::nullopt;
}

/// `v` = n / sqrt(t) or n * (1 / sqrt(t)) in any of its forms.
std::optional<std::pair<Value, Value>> matchScaledByInverseSqrt(Value v) {
  std::optional<Elementwise> e = viewElementwise(v);
  if (!e || e->operands.size() != 2 || !e->operands[0].tensor ||
      !e->operands[1].tensor || e->operands[0].scalar || e->operands[1].scalar)
    return std::nullopt;
  if (e->kind == EwKind::Div) {
    if (auto t = matchSqrt(e->operands[1].tensor))
      return std::make_pair(e->operands[0].tensor, *t);
    return std::nullopt;
  }
  if (e->kind != EwKind::Mul)
    return std::nullopt;
  for (int i = 0; i < 2; ++i)
    if (auto t = matchInverseSqrt(e->operands[1 - i].tensor))
      return std::make_pair(e->operands[i].tensor, *t);
  return std::nullopt;
}

/// `t` = mean(square(n)) + eps over the last axis of `n`, with a
/// non-negative scalar eps. Returns (the squared value, eps).
std::optional<std::pair<Value, double>> matchMeanSquarePlusEps(Value t) {
  std::optional<Elementwise> add = viewAs(t, EwKind::Add);
  if (!add)
    return std::nullopt;
  auto ts = tensorAndScalar(*add);
  if (!ts || ts->second < 0.0 || !std::isfinite(ts->second))
    return std::nullopt;
  std::optional<Value> squares = matchMeanLastAxis(ts->first);
  if (!squares)
    return std::nullopt;
  std::optional<Value> base = matchSquare(*squares);
  if (!base)
    return std::nullopt;
  return std::make_pair(*base, ts->second);
}

bool isSplatOne(Value v) {
  std::optional<double> value = splatValue(v);
  return value && *value == 1.0;
}

Value createOnes(PatternRewriter &rewriter, Location loc,
                 RankedTensorType type) {
  auto element = cast<FloatType>(type.getElementType());
  return arith::ConstantOp::create(
      rewriter, loc,
      DenseElementsAttr::get(type, rewriter.getFloatAttr(element, 1.0)));
}

/// The normalized shape of a norm over its trailing axes.
SmallVector<int64_t> normalizedShape(Value input, int64_t axis) {
  RankedTensorType type = rankedType(input);
  int64_t rank = type.getRank();
  if (axis < 0)
    axis += rank;
  return SmallVector<int64_t>(type.getShape().drop_front(axis));
}

/// `param` in exactly `shape`, when it holds one value per normalized
/// element (leading size-1 axes aside) or is a splat constant; null
/// otherwise.
Value asNormParameter(PatternRewriter &rewriter, Location loc, Value param,
                      ArrayRef<int64_t> shape, Type element) {
  while (auto reshape = param.getDefiningOp<tosa::ReshapeOp>())
    param = reshape.getInput1();
  RankedTensorType type = rankedType(param);
  if (!type || type.getElementType() != element)
    return {};
  auto targetType = RankedTensorType::get(shape, element);
  if (std::optional<double> splat = splatValue(param))
    return arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(targetType, rewriter.getFloatAttr(element,
                                                                 *splat)));
  ArrayRef<int64_t> given = type.getShape();
  while (!given.empty() && given.size() > shape.size() && given.front() == 1)
    given = given.drop_front();
  if (given != shape)
    return {};
  if (type.getShape() == shape)
    return param;
  if (auto constant = param.getDefiningOp<arith::ConstantOp>()) {
    if (auto dense = dyn_cast<DenseElementsAttr>(constant.getValue()))
      return arith::ConstantOp::create(rewriter, loc,
                                       dense.reshape(targetType));
    if (auto resource =
            dyn_cast<DenseResourceElementsAttr>(constant.getValue()))
      return arith::ConstantOp::create(
          rewriter, loc,
          DenseResourceElementsAttr::get(targetType,
                                         resource.getRawHandle()));
  }
  auto shapeType = tosa::shapeType::get(rewriter.getContext(), shape.size());
  auto shapeAttr = DenseIntElementsAttr::get(
      RankedTensorType::get({static_cast<int64_t>(shape.size())},
                            rewriter.getIndexType()),
      shape);
  Value shapeValue = tosa::ConstShapeOp::create(rewriter, loc, shapeType,
                                                shapeAttr);
  return tosa::ReshapeOp::create(rewriter, loc, targetType, param, shapeValue);
}

/// A float constant converted to another float type (exactly when widening).
Value convertFloatConstant(PatternRewriter &rewriter, Location loc,
                           Value value, FloatType to) {
  auto constant = value.getDefiningOp<arith::ConstantOp>();
  if (!constant)
    return {};
  auto type = cast<RankedTensorType>(value.getType());
  auto from = dyn_cast<FloatType>(type.getElementType());
  if (!from)
    return {};
  auto toType = RankedTensorType::get(type.getShape(), to);
  auto convert = [&](APFloat v) {
    bool lost;
    v.convert(to.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
    return v;
  };
  if (auto dense = dyn_cast<DenseFPElementsAttr>(constant.getValue())) {
    SmallVector<APFloat> values;
    for (const APFloat &v : dense.getValues<APFloat>())
      values.push_back(convert(v));
    return arith::ConstantOp::create(rewriter, loc,
                                     DenseElementsAttr::get(toType, values));
  }
  auto resource = dyn_cast<DenseResourceElementsAttr>(constant.getValue());
  AsmResourceBlob *blob = resource ? resource.getRawHandle().getBlob() : nullptr;
  if (!blob)
    return {};
  ArrayRef<char> raw = blob->getData();
  size_t inBytes = from.getWidth() / 8, outBytes = to.getWidth() / 8;
  int64_t count = type.getNumElements();
  if (raw.size() != static_cast<size_t>(count) * inBytes)
    return {};
  std::vector<char> out(count * outBytes);
  for (int64_t i = 0; i < count; ++i) {
    APInt bits(from.getWidth(), 0);
    std::memcpy(const_cast<uint64_t *>(bits.getRawData()),
                raw.data() + i * inBytes, inBytes);
    APInt converted =
        convert(APFloat(from.getFloatSemantics(), bits)).bitcastToAPInt();
    std::memcpy(out.data() + i * outBytes, converted.getRawData(), outBytes);
  }
  AsmResourceBlob newBlob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      ArrayRef<char>(out.data(), out.size()), outBytes);
  return arith::ConstantOp::create(
      rewriter, loc,
      DenseResourceElementsAttr::get(toType, "norm_gamma", std::move(newBlob)));
}

//===----------------------------------------------------------------------===//
// The rewrites
//===----------------------------------------------------------------------===//

/// (x - mean(x)) / sqrt(mean((x - mean(x))^2) + eps) -> layer_norm(x, 1).
LogicalResult fuseLayerNorm(Operation *root, PatternRewriter &rewriter) {
  Value v = root->getResult(0);
  auto scaled = matchScaledByInverseSqrt(v);
  if (!scaled)
    return failure();
  auto [centered, t] = *scaled;
  std::optional<Elementwise> sub = viewAs(centered, EwKind::Sub);
  if (!sub || !sub->operands[0].tensor || !sub->operands[1].tensor)
    return failure();
  Value x = sub->operands[0].tensor;
  std::optional<Value> meanOf = matchMeanLastAxis(sub->operands[1].tensor);
  if (!meanOf || *meanOf != x || rankedType(x) != rankedType(v))
    return failure();
  auto varianceOf = matchMeanSquarePlusEps(t);
  if (!varianceOf)
    return failure();
  // The squared deviation: the same Sub, or another one of the same values.
  Value squared = varianceOf->first;
  if (squared != centered) {
    std::optional<Elementwise> other = viewAs(squared, EwKind::Sub);
    if (!other || other->operands[0].tensor != x ||
        other->operands[1].tensor != sub->operands[1].tensor)
      return failure();
  }
  RankedTensorType type = rankedType(x);
  int64_t axis = type.getRank() - 1;
  auto gammaType = RankedTensorType::get({type.getShape().back()},
                                         type.getElementType());
  Location loc = root->getLoc();
  Value gamma = createOnes(rewriter, loc, gammaType);
  rewriter.replaceOpWithNewOp<LayerNormOp>(
      root, type, x, gamma, Value(),
      rewriter.getF32FloatAttr(static_cast<float>(varianceOf->second)),
      rewriter.getI64IntegerAttr(axis));
  return success();
}

/// x / sqrt(mean(x^2) + eps), x * rsqrt(...), ... -> rms_norm(x, 1).
LogicalResult fuseRMSNorm(Operation *root, PatternRewriter &rewriter) {
  Value v = root->getResult(0);
  auto scaled = matchScaledByInverseSqrt(v);
  if (!scaled)
    return failure();
  auto [x, t] = *scaled;
  auto meanSquare = matchMeanSquarePlusEps(t);
  if (!meanSquare || meanSquare->first != x || rankedType(x) != rankedType(v))
    return failure();
  RankedTensorType type = rankedType(x);
  auto gammaType = RankedTensorType::get({type.getShape().back()},
                                         type.getElementType());
  Value gamma = createOnes(rewriter, root->getLoc(), gammaType);
  rewriter.replaceOpWithNewOp<RMSNormOp>(
      root, type, x, gamma,
      rewriter.getF32FloatAttr(static_cast<float>(meanSquare->second)),
      rewriter.getI64IntegerAttr(type.getRank() - 1));
  return success();
}

/// A norm with a unit gamma (and no beta) whose only use is `user`.
Operation *unitGammaNorm(Value v, Operation *user) {
  Operation *op = v.getDefiningOp();
  if (!op || !v.hasOneUse() || *v.getUsers().begin() != user)
    return nullptr;
  if (auto ln = dyn_cast<LayerNormOp>(op))
    return !ln.getBeta() && isSplatOne(ln.getGamma()) ? op : nullptr;
  if (auto rms = dyn_cast<RMSNormOp>(op))
    return isSplatOne(rms.getGamma()) ? op : nullptr;
  return nullptr;
}

int64_t normAxis(Operation *norm) {
  if (auto ln = dyn_cast<LayerNormOp>(norm))
    return ln.getAxis();
  return cast<RMSNormOp>(norm).getAxis();
}

/// A copy of `norm` with another gamma, built at the rewriter's insertion
/// point (where gamma is available).
Value rebuildNorm(PatternRewriter &rewriter, Operation *norm, Value gamma) {
  if (auto ln = dyn_cast<LayerNormOp>(norm))
    return LayerNormOp::create(rewriter, ln.getLoc(), ln.getType(),
                               ln.getInput(), gamma, ln.getBeta(),
                               ln.getEpsilonAttr(), ln.getAxisAttr());
  auto rms = cast<RMSNormOp>(norm);
  return RMSNormOp::create(rewriter, rms.getLoc(), rms.getType(),
                           rms.getInput(), gamma, rms.getEpsilonAttr(),
                           rms.getAxisAttr());
}

/// norm(x, 1) * gamma -> norm(x, gamma).
LogicalResult absorbGamma(Operation *root, PatternRewriter &rewriter) {
  Value v = root->getResult(0);
  std::optional<Elementwise> mul = viewAs(v, EwKind::Mul);
  if (!mul || mul->operands.size() != 2)
    return failure();
  for (int i = 0; i < 2; ++i) {
    Value normValue = mul->operands[i].tensor, gammaValue =
                                                  mul->operands[1 - i].tensor;
    if (!normValue || !gammaValue || normValue.getType() != v.getType())
      continue;
    Operation *norm = unitGammaNorm(normValue, root);
    if (!norm)
      continue;
    Value x = norm->getOperand(0);
    Type element = rankedType(x).getElementType();
    Value gamma =
        asNormParameter(rewriter, root->getLoc(), gammaValue,
                        normalizedShape(x, normAxis(norm)), element);
    if (!gamma)
      continue;
    rewriter.replaceOp(root, rebuildNorm(rewriter, norm, gamma));
    rewriter.eraseOp(norm);
    return success();
  }
  return failure();
}

/// layer_norm(x, gamma) + beta -> layer_norm(x, gamma, beta).
LogicalResult absorbBeta(Operation *root, PatternRewriter &rewriter) {
  Value v = root->getResult(0);
  std::optional<Elementwise> add = viewAs(v, EwKind::Add);
  if (!add || add->operands.size() != 2)
    return failure();
  for (int i = 0; i < 2; ++i) {
    Value normValue = add->operands[i].tensor, betaValue =
                                                  add->operands[1 - i].tensor;
    if (!normValue || !betaValue || normValue.getType() != v.getType())
      continue;
    auto ln = normValue.getDefiningOp<LayerNormOp>();
    if (!ln || ln.getBeta() || !normValue.hasOneUse())
      continue;
    Value x = ln.getInput();
    Value beta = asNormParameter(rewriter, root->getLoc(), betaValue,
                                 normalizedShape(x, ln.getAxis()),
                                 rankedType(x).getElementType());
    if (!beta)
      continue;
    auto fused = LayerNormOp::create(rewriter, ln.getLoc(), ln.getType(), x,
                                     ln.getGamma(), beta, ln.getEpsilonAttr(),
                                     ln.getAxisAttr());
    rewriter.replaceOp(root, fused.getResult());
    rewriter.eraseOp(ln);
    return success();
  }
  return failure();
}

/// cast(norm(x, 1)) * gamma with a constant gamma -> cast(norm(x, gamma')),
/// gamma' converted to x's (wider) type: the LLaMA-style RMS norm computed
/// in float32 and cast back before the weight.
LogicalResult absorbGammaThroughCast(Operation *root,
                                     PatternRewriter &rewriter) {
  Value v = root->getResult(0);
  std::optional<Elementwise> mul = viewAs(v, EwKind::Mul);
  if (!mul || mul->operands.size() != 2)
    return failure();
  for (int i = 0; i < 2; ++i) {
    Value castValue = mul->operands[i].tensor,
          gammaValue = mul->operands[1 - i].tensor;
    if (!castValue || !gammaValue || castValue.getType() != v.getType() ||
        !castValue.hasOneUse())
      continue;
    auto castOp = castValue.getDefiningOp<linalg::GenericOp>();
    std::optional<Elementwise> trunc = viewAs(castValue, EwKind::TruncF);
    if (!castOp || !trunc || !trunc->operands[0].tensor ||
        rankedType(trunc->operands[0].tensor).getShape() !=
            rankedType(v).getShape())
      continue;
    Value normValue = trunc->operands[0].tensor;
    Operation *norm = unitGammaNorm(normValue, castOp);
    if (!norm)
      continue;
    Value base = gammaValue;
    while (auto reshape = base.getDefiningOp<tosa::ReshapeOp>())
      base = reshape.getInput1();
    if (!base.getDefiningOp<arith::ConstantOp>())
      continue;
    Value x = norm->getOperand(0);
    auto wide = cast<FloatType>(rankedType(x).getElementType());
    SmallVector<int64_t> shape = normalizedShape(x, normAxis(norm));
    Value narrowGamma = asNormParameter(rewriter, root->getLoc(), gammaValue,
                                        shape,
                                        rankedType(v).getElementType());
    if (!narrowGamma)
      continue;
    Value gamma =
        convertFloatConstant(rewriter, root->getLoc(), narrowGamma, wide);
    if (!gamma)
      continue;
    // The norm and the cast move to the root, where gamma is available.
    Value fused = rebuildNorm(rewriter, norm, gamma);
    Operation *newCast = rewriter.clone(*castOp);
    newCast->setOperand(0, fused);
    rewriter.replaceOp(root, newCast->getResult(0));
    rewriter.eraseOp(castOp);
    rewriter.eraseOp(norm);
    return success();
  }
  return failure();
}

/// linear(x, w) + c, c a constant with one value per output feature ->
/// linear(x, w, c).
LogicalResult fuseLinearBias(Operation *root, PatternRewriter &rewriter) {
  Value v = root->getResult(0);
  std::optional<Elementwise> add = viewAs(v, EwKind::Add);
  if (!add || add->operands.size() != 2)
    return failure();
  for (int i = 0; i < 2; ++i) {
    Value linearValue = add->operands[i].tensor,
          biasValue = add->operands[1 - i].tensor;
    if (!linearValue || !biasValue || linearValue.getType() != v.getType())
      continue;
    auto linear = linearValue.getDefiningOp<LinearOp>();
    if (!linear || linear.getBias() || !linearValue.hasOneUse())
      continue;
    Value base = biasValue;
    while (auto reshape = base.getDefiningOp<tosa::ReshapeOp>())
      base = reshape.getInput1();
    if (!base.getDefiningOp<arith::ConstantOp>())
      continue;
    int64_t n = linear.getOutFeatures();
    Type element = rankedType(v).getElementType();
    Value bias =
        asNormParameter(rewriter, root->getLoc(), base, {n}, element);
    if (!bias)
      continue;
    auto fused = LinearOp::create(
        rewriter, linear.getLoc(), linear.getType(), linear.getInput(),
        linear.getWeight(), bias, linear.getWeightQconfigAttr(),
        linear.getActQconfigAttr());
    rewriter.replaceOp(root, fused.getResult());
    rewriter.eraseOp(linear);
    return success();
  }
  return failure();
}

struct FuseImportedPattern : RewritePattern {
  explicit FuseImportedPattern(MLIRContext *context)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, context) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (op->getNumResults() != 1 ||
        !isa<tosa::AddOp, tosa::MulOp, linalg::GenericOp>(op))
      return failure();
    // The layer norm first: it is also an RMS norm of x - mean(x).
    for (auto rewrite : {fuseLinearBias, absorbBeta, absorbGamma,
                         absorbGammaThroughCast, fuseLayerNorm, fuseRMSNorm})
      if (succeeded(rewrite(op, rewriter)))
        return success();
    return failure();
  }
};

struct FuseImportedPatternsPass
    : lowbit::impl::FuseImportedPatternsPassBase<FuseImportedPatternsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseImportedPattern>(&getContext());
    // Only these rewrites: no folding or constant CSE of the rest of the IR.
    GreedyRewriteConfig config;
    config.enableFolding(false).enableConstantCSE(false);
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    // Not converging within the iteration limit leaves valid IR; no error.
    (void)applyPatternsGreedily(getOperation(), std::move(patterns), config);
  }
};

} // namespace
