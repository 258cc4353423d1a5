//===- MicrosoftOps.cpp - onnxruntime's com.microsoft fused ops -----------===//
//
// What onnxruntime's transformer optimizer and quantization tools emit: the
// GELU variants, the (skip-)layer/RMS norms, and MatMulNBits, which is
// already a block-quantized weight and is imported as lowbit.qlinear
// directly (its packing is lowbit's k_major bitstream).
//
//===----------------------------------------------------------------------===//

#include "NNBuilders.h"

#include "../ConstantTransforms.h"

#include "lowbit/Dialect/LowBit/LowBitOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>

using namespace mlir;
using namespace lowbit::onnx_import;

namespace {

constexpr const char *kMicrosoft = "com.microsoft";

/// 0.5 * x * (1 + erf(x / sqrt(2))).
Value geluErf(OpBuilder &b, Location loc, Value x) {
  Type t = x.getType();
  Value scaled = mulF(b, loc, x, scalarFloat(b, loc, t, M_SQRT1_2));
  Value erf = math::ErfOp::create(b, loc, scaled);
  Value onePlus = addF(b, loc, scalarFloat(b, loc, t, 1.0), erf);
  return mulF(b, loc, mulF(b, loc, scalarFloat(b, loc, t, 0.5), x), onePlus);
}

/// 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 x^3))), written as
/// onnxruntime evaluates it: tanh(x * (a + b * x * x)), b = 0.044715 * a.
Value geluTanh(OpBuilder &b, Location loc, Value x) {
  Type t = x.getType();
  const double alpha = M_2_SQRTPI * M_SQRT1_2;
  const double beta = 0.044715 * alpha;
  Value xx = mulF(b, loc, x, x);
  Value inner = addF(b, loc, scalarFloat(b, loc, t, alpha),
                     mulF(b, loc, scalarFloat(b, loc, t, beta), xx));
  Value tanh = math::TanhOp::create(b, loc, mulF(b, loc, x, inner));
  Value onePlus = addF(b, loc, scalarFloat(b, loc, t, 1.0), tanh);
  return mulF(b, loc, mulF(b, loc, scalarFloat(b, loc, t, 0.5), x), onePlus);
}

/// An elementwise activation of input 0, plus input `biasInput` (broadcast)
/// when present.
template <Value (*activation)(OpBuilder &, Location, Value)>
LogicalResult importBiasedActivation(NodeImporter &node, int biasInput) {
  if (!node.hasInput(0))
    return node.fail("missing input");
  RankedTensorType type = node.inputType(0);
  Type element = type.getElementType();
  if (!isa<FloatType>(element))
    return node.fail("the input must be a float tensor");
  SmallVector<Value> inputs = {node.input(0)};
  if (biasInput >= 0 && node.hasInput(biasInput)) {
    RankedTensorType biasType = node.inputType(biasInput);
    if (biasType.getElementType() != element ||
        !broadcastsTo(biasType.getShape(), type.getShape()))
      return node.fail("the bias must broadcast to the input and share its "
                       "element type");
    inputs.push_back(node.input(biasInput));
  }
  Value y = buildElementwise(
      node.builder(), node.loc(), type.getShape(), element, inputs,
      [&](OpBuilder &b, Location loc, ValueRange v) {
        Value x = v.size() > 1 ? addF(b, loc, v[0], v[1]) : v[0];
        return activation(b, loc, x);
      });
  return node.setResult(0, y);
}

LogicalResult importGelu(NodeImporter &node) {
  return importBiasedActivation<geluErf>(node, -1);
}
LogicalResult importBiasGelu(NodeImporter &node) {
  if (!node.hasInput(1))
    return node.fail("missing input B (the bias)");
  return importBiasedActivation<geluErf>(node, 1);
}
LogicalResult importFastGelu(NodeImporter &node) {
  return importBiasedActivation<geluTanh>(node, 1);
}

/// x * sigmoid(alpha * x).
LogicalResult importQuickGelu(NodeImporter &node) {
  if (!node.hasInput(0))
    return node.fail("missing input");
  RankedTensorType type = node.inputType(0);
  Type element = type.getElementType();
  if (!isa<FloatType>(element))
    return node.fail("the input must be a float tensor");
  float alpha = node.attrFloat("alpha", 1.702f);
  Value y = mapElements(
      node.builder(), node.loc(), node.input(0),
      [&](OpBuilder &b, Location loc, ValueRange v) {
        Value z = mulF(b, loc, scalarFloat(b, loc, element, alpha), v[0]);
        Value negExp = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, z));
        Value sigmoid =
            divF(b, loc, scalarFloat(b, loc, element, 1.0),
                 addF(b, loc, scalarFloat(b, loc, element, 1.0), negExp));
        return mulF(b, loc, v[0], sigmoid);
      });
  return node.setResult(0, y);
}

/// onnxruntime's SimplifiedLayerNormalization: RMS norm over [axis, rank);
/// output 1 is the inverse RMS.
LogicalResult importSimplifiedLayerNormalization(NodeImporter &node) {
  if (!node.hasInput(0) || !node.hasInput(1))
    return node.fail("expects inputs X and scale");
  RankedTensorType type = node.inputType(0);
  Type element = type.getElementType();
  if (!isa<FloatType>(element) || type.getRank() == 0)
    return node.fail("X must be a float tensor of rank >= 1");
  FailureOr<int64_t> axis =
      normalizeAxis(node, node.attrInt("axis", -1), type.getRank());
  if (failed(axis))
    return failure();
  float epsilon = node.attrFloat("epsilon", 1e-5f);
  FailureOr<Type> statsType = stashElementType(node, element);
  if (failed(statsType))
    return failure();
  Type resultElement = node.inputType(1).getElementType();
  FailureOr<Value> y = buildNorm(node, /*rms=*/true, node.input(0),
                                 node.input(1), Value(), *axis, epsilon,
                                 *statsType, resultElement);
  if (failed(y) || failed(node.setResult(0, *y)))
    return failure();
  if (node.hasOutput(1)) {
    auto stats = buildNormStatistics(node, /*rms=*/true, node.input(0), *axis,
                                     epsilon, *statsType);
    return node.setResult(1, stats.second);
  }
  return success();
}

/// SkipLayerNormalization and SkipSimplifiedLayerNormalization: the norm
/// (over the last axis, statistics in float32) of input + skip (+ bias);
/// output 3 is that sum, outputs 1 and 2 the mean and inverse deviation.
template <bool rms>
LogicalResult importSkipNormalization(NodeImporter &node) {
  if (!node.hasInput(0) || !node.hasInput(1) || !node.hasInput(2))
    return node.fail("expects inputs input, skip and gamma");
  RankedTensorType type = node.inputType(0);
  Type element = type.getElementType();
  if (!isa<FloatType>(element) || type.getRank() < 1)
    return node.fail("input must be a float tensor of rank >= 1");
  int64_t hidden = type.getShape().back();
  int betaInput = rms ? -1 : 3, biasInput = rms ? 3 : 4;
  for (int i : {1, 2, betaInput, biasInput}) {
    if (i < 0 || !node.hasInput(i))
      continue;
    RankedTensorType t = node.inputType(i);
    if (t.getElementType() != element)
      return node.emitError() << "input " << i
                              << " has another element type than input";
    if (i >= 2 && t.getNumElements() != hidden)
      return node.emitError() << "input " << i << " must hold " << hidden
                              << " values (the hidden size)";
    if (i == 1 && !broadcastsTo(t.getShape(), type.getShape()))
      return node.fail("skip does not broadcast to the input shape");
  }
  if (rms && node.hasOutput(1))
    return node.fail("the mean output is not defined for the RMS norm");
  float epsilon = node.attrFloat("epsilon", 1e-12f);
  OpBuilder &b = node.builder();
  FailureOr<Value> sum =
      buildTosaBinary<tosa::AddOp>(node, node.input(0), node.input(1));
  if (failed(sum))
    return failure();
  Value x = *sum;
  if (node.hasInput(biasInput)) {
    FailureOr<Value> biased =
        buildTosaBinary<tosa::AddOp>(node, x, node.input(biasInput));
    if (failed(biased))
      return failure();
    x = *biased;
  }
  int64_t axis = type.getRank() - 1;
  Type statsType = b.getF32Type();
  if (element.isF64())
    statsType = element;
  Value beta = (!rms && node.hasInput(betaInput)) ? node.input(betaInput)
                                                  : Value();
  FailureOr<Value> y = buildNorm(node, rms, x, node.input(2), beta, axis,
                                 epsilon, statsType, element);
  if (failed(y) || failed(node.setResult(0, *y)))
    return failure();
  if (node.hasOutput(1) || node.hasOutput(2)) {
    auto [mean, invStdDev] =
        buildNormStatistics(node, rms, x, axis, epsilon, statsType);
    if (failed(node.setResult(1, mean)) || failed(node.setResult(2, invStdDev)))
      return failure();
  }
  return node.setResult(3, x);
}

/// Codes of `bits` bits read from row-wise little-endian bitstreams
/// (`rowBytes` per row), `count` per row.
SmallVector<int8_t> unpackRows(ArrayRef<char> bytes, int64_t rows,
                               int64_t rowBytes, int64_t count, int bits) {
  SmallVector<int8_t> codes;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t i = 0; i < count; ++i) {
      unsigned value = 0;
      for (int bit = 0; bit < bits; ++bit) {
        int64_t pos = i * bits + bit;
        uint8_t byte = static_cast<uint8_t>(bytes[r * rowBytes + pos / 8]);
        value |= ((byte >> (pos % 8)) & 1u) << bit;
      }
      codes.push_back(static_cast<int8_t>(value));
    }
  }
  return codes;
}

/// MatMulNBits: A [..., K] times the block-quantized weight [N, K] given as
/// B [N, K / block_size, block_size * bits / 8] (uint8, codes packed low bits
/// first along K), scales [N * blocks], optional packed uint8 zero points
/// (default 2^(bits - 1)) and bias [N].
LogicalResult importMatMulNBits(NodeImporter &node) {
  if (!node.hasInput(0) || !node.hasInput(1) || !node.hasInput(2))
    return node.fail("expects inputs A, B and scales");
  for (const char *name : {"K", "N", "block_size"})
    if (!node.hasAttr(name))
      return node.emitError() << "attribute '" << name << "' is required";
  int64_t k = node.attrInt("K", 0), n = node.attrInt("N", 0);
  int64_t bits = node.attrInt("bits", 4);
  int64_t blockSize = node.attrInt("block_size", 0);
  if (node.hasFailed())
    return failure();
  // The layouts of 4 and 8 bits are onnxruntime's documented ones; other
  // widths are not settled.
  if (bits != 4 && bits != 8)
    return node.emitError() << "bits = " << bits
                            << " is not supported (only 4 and 8)";
  if (k <= 0 || n <= 0)
    return node.fail("K and N must be positive");
  if (blockSize < 16 || !llvm::isPowerOf2_64(blockSize))
    return node.emitError() << "block_size " << blockSize
                            << " must be a power of two >= 16";
  if (k % blockSize != 0)
    return node.emitError() << "K = " << k << " is not a multiple of "
                            << "block_size " << blockSize
                            << " (a partial last block is not supported)";
  if (node.hasInput(4))
    return node.fail("g_idx (act-order) is not supported");
  int64_t blocks = k / blockSize, blobSize = blockSize * bits / 8;

  RankedTensorType aType = node.inputType(0);
  Type element = aType.getElementType();
  if (!isa<FloatType>(element) || aType.getRank() < 1)
    return node.fail("A must be a float tensor of rank >= 1");
  if (aType.getShape().back() != k)
    return node.emitError() << "A has " << aType.getShape().back()
                            << " features, K is " << k;
  RankedTensorType bType = node.inputType(1);
  if (!bType.getElementType().isInteger(8) ||
      bType.getShape() != ArrayRef<int64_t>{n, blocks, blobSize})
    return node.emitError() << "B must be uint8 [" << n << ", " << blocks
                            << ", " << blobSize << "]";
  ElementsAttr packed = node.constantInput(1);
  if (!packed)
    return node.fail("B must be a constant");
  RankedTensorType sType = node.inputType(2);
  if (!isa<FloatType>(sType.getElementType()) ||
      sType.getNumElements() != n * blocks)
    return node.emitError() << "scales must hold " << n * blocks << " floats";

  OpBuilder &b = node.builder();
  Location loc = node.loc();
  MLIRContext *ctx = node.context();
  std::string name = node.node().input(1);
  Value packedValue = createConstant(
      b, loc, reshapeConstant(packed, {n, blocks * blobSize}, name));
  Value scales;
  if (ElementsAttr s = node.constantInput(2))
    scales = createConstant(
        b, loc, reshapeConstant(s, {n, blocks}, node.node().input(2)));
  else
    scales = reshapeTo(b, loc, node.input(2), {n, blocks});

  Value zeroPoints;
  if (node.hasInput(3)) {
    RankedTensorType zType = node.inputType(3);
    int64_t rowBytes = (blocks * bits + 7) / 8;
    if (!zType.getElementType().isInteger(8) || !node.inputIsUnsigned(3))
      return node.fail("zero_points of a float type are not supported (only "
                       "packed uint8)");
    if (zType.getNumElements() != n * rowBytes)
      return node.emitError() << "zero_points must hold " << n * rowBytes
                              << " bytes";
    ElementsAttr zp = node.constantInput(3);
    if (!zp)
      return node.fail("zero_points must be a constant");
    ArrayRef<char> raw = getRawData(zp);
    if (static_cast<int64_t>(raw.size()) != n * rowBytes)
      return node.fail("cannot read the constant zero_points");
    SmallVector<int8_t> codes = unpackRows(raw, n, rowBytes, blocks, bits);
    zeroPoints = createConstant(
        b, loc,
        DenseElementsAttr::get(
            RankedTensorType::get({n, blocks}, b.getI8Type()),
            ArrayRef<int8_t>(codes)));
  }
  Value bias;
  if (node.hasInput(5)) {
    RankedTensorType biasType = node.inputType(5);
    if (biasType.getElementType() != element ||
        biasType.getNumElements() != n)
      return node.emitError() << "bias must hold " << n
                              << " values of A's element type";
    bias = reshapeTo(b, loc, node.input(5), {n});
  }
  auto config = lowbit::QConfigAttr::get(
      ctx, static_cast<unsigned>(bits), lowbit::Granularity::Group, blockSize,
      /*symmetric=*/!zeroPoints, lowbit::NumberFormat::Int);
  SmallVector<int64_t> shape(aType.getShape());
  shape.back() = n;
  Value y = lowbit::QLinearOp::create(
      b, loc, RankedTensorType::get(shape, element), node.input(0), packedValue,
      scales, zeroPoints, bias, b.getI64IntegerAttr(k), config,
      /*act_qconfig=*/nullptr,
      lowbit::PackingLayoutAttr::get(ctx, lowbit::PackingLayout::KMajor));
  return node.setResult(0, y);
}

} // namespace

void lowbit::onnx_import::registerMicrosoftOps(std::vector<OpHandler> &table) {
  table.push_back({kMicrosoft, "Gelu", 1, importGelu});
  table.push_back({kMicrosoft, "BiasGelu", 1, importBiasGelu});
  table.push_back({kMicrosoft, "FastGelu", 1, importFastGelu,
                   "tanh approximation"});
  table.push_back({kMicrosoft, "QuickGelu", 1, importQuickGelu});
  table.push_back({kMicrosoft, "SkipLayerNormalization", 1,
                   importSkipNormalization<false>, "-> lowbit.layer_norm"});
  table.push_back({kMicrosoft, "SkipSimplifiedLayerNormalization", 1,
                   importSkipNormalization<true>, "-> lowbit.rms_norm"});
  // LayerNormalization and SimplifiedLayerNormalization are onnxruntime
  // contrib ops of the default domain; some models name them com.microsoft.
  table.push_back({"", "SimplifiedLayerNormalization", 1,
                   importSimplifiedLayerNormalization, "-> lowbit.rms_norm"});
  table.push_back({kMicrosoft, "SimplifiedLayerNormalization", 1,
                   importSimplifiedLayerNormalization, "-> lowbit.rms_norm"});
  table.push_back({kMicrosoft, "LayerNormalization", 1,
                   importLayerNormalization, "-> lowbit.layer_norm"});
  table.push_back({kMicrosoft, "MatMulNBits", 1, importMatMulNBits,
                   "-> lowbit.qlinear; 4 or 8 bits; K a multiple of "
                   "block_size; packed uint8 zero points; no g_idx"});
}
