//===- LinearOps.cpp - MatMul and Gemm ------------------------------------===//
//
// A product with a constant 2-D weight becomes lowbit.linear with the weight
// rewritten once into [N, K] layout, whatever layout the exporter chose
// (MatMul's [K, N], Gemm with or without transB, alpha folded in, a constant
// C of size N folded into the bias). Products of two activations become
// tosa.matmul (floats) or linalg.batch_matmul (integers).
//
//===----------------------------------------------------------------------===//

#include "NNBuilders.h"
#include "../ConstantTransforms.h"

#include "lowbit/Dialect/LowBit/LowBitOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace lowbit::onnx_import;

namespace {

std::string weightName(NodeImporter &node, int input) {
  return node.node().input(input);
}

/// y = x W^T + b with x [..., K], W [N, K].
Value buildLinear(NodeImporter &node, Value x, ElementsAttr weight,
                  ElementsAttr bias) {
  OpBuilder &b = node.builder();
  auto xType = cast<RankedTensorType>(x.getType());
  auto wType = cast<RankedTensorType>(weight.getType());
  SmallVector<int64_t> shape(xType.getShape());
  shape.back() = wType.getDimSize(0);
  Value w = createConstant(b, node.loc(), weight);
  Value bv = bias ? createConstant(b, node.loc(), bias) : Value();
  return lowbit::LinearOp::create(
      b, node.loc(), RankedTensorType::get(shape, xType.getElementType()), x,
      w, bv, /*weight_qconfig=*/nullptr, /*act_qconfig=*/nullptr);
}

/// Batched product of two activations, numpy matmul semantics for rank >= 2
/// operands (rank-1 operands are expanded by the caller).
FailureOr<Value> buildBatchMatmul(NodeImporter &node, Value a, Value bMat) {
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  auto aType = cast<RankedTensorType>(a.getType());
  auto bType = cast<RankedTensorType>(bMat.getType());
  int64_t m = aType.getDimSize(aType.getRank() - 2);
  int64_t k = aType.getDimSize(aType.getRank() - 1);
  int64_t k2 = bType.getDimSize(bType.getRank() - 2);
  int64_t n = bType.getDimSize(bType.getRank() - 1);
  if (k != k2)
    return node.emitError() << "inner dimensions differ: " << k << " and "
                            << k2;
  auto batch = broadcastShapes(node, {aType.getShape().drop_back(2),
                                      bType.getShape().drop_back(2)});
  if (failed(batch))
    return failure();
  int64_t batchCount = 1;
  for (int64_t d : *batch)
    batchCount *= d;

  // Broadcast each operand to the full batch, then flatten it to 3-D.
  auto toBatch3D = [&](Value v, RankedTensorType type, int64_t rows,
                       int64_t cols) -> Value {
    SmallVector<int64_t> full(*batch);
    full.push_back(rows);
    full.push_back(cols);
    v = expandRank(b, loc, v, full.size());
    auto expanded = cast<RankedTensorType>(v.getType());
    if (expanded.getShape() != ArrayRef<int64_t>(full)) {
      SmallVector<int64_t> multiples;
      for (auto [have, want] : llvm::zip(expanded.getShape(), full))
        multiples.push_back(have == want ? 1 : want);
      v = tosa::TileOp::create(
          b, loc, RankedTensorType::get(full, type.getElementType()), v,
          createTosaShape(b, loc, multiples));
    }
    return reshapeTo(b, loc, v, {batchCount, rows, cols});
  };
  Value a3 = toBatch3D(a, aType, m, k);
  Value b3 = toBatch3D(bMat, bType, k, n);
  Type element = aType.getElementType();
  auto resultType3 = RankedTensorType::get({batchCount, m, n}, element);
  Value product;
  if (isa<FloatType>(element)) {
    Value zp = createTosaZeroPoint(b, loc, element);
    product = tosa::MatMulOp::create(b, loc, resultType3, a3, b3, zp, zp);
  } else {
    Value zero = createSplat(b, loc, element, {batchCount, m, n}, 0);
    product = linalg::BatchMatmulOp::create(b, loc, TypeRange{resultType3},
                                            ValueRange{a3, b3}, ValueRange{zero})
                  .getResult(0);
  }
  SmallVector<int64_t> shape(*batch);
  shape.push_back(m);
  shape.push_back(n);
  return reshapeTo(b, loc, product, shape);
}

} // namespace

FailureOr<Value> lowbit::onnx_import::buildNumpyMatMul(NodeImporter &node,
                                                       Value a, Value bMat) {
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  auto aType = cast<RankedTensorType>(a.getType());
  auto bType = cast<RankedTensorType>(bMat.getType());
  // numpy semantics: a rank-1 operand gains an axis that is dropped again.
  bool vectorA = aType.getRank() == 1, vectorB = bType.getRank() == 1;
  if (vectorA)
    a = reshapeTo(b, loc, a, {1, aType.getDimSize(0)});
  if (vectorB)
    bMat = reshapeTo(b, loc, bMat, {bType.getDimSize(0), 1});
  FailureOr<Value> product = buildBatchMatmul(node, a, bMat);
  if (failed(product))
    return failure();
  auto shape = llvm::to_vector(
      cast<RankedTensorType>(product->getType()).getShape());
  if (vectorB)
    shape.erase(shape.end() - 1);
  if (vectorA)
    shape.erase(shape.end() - (vectorB ? 1 : 2));
  return reshapeTo(b, loc, *product, shape);
}

namespace {

LogicalResult importMatMul(NodeImporter &node) {
  Value a = node.input(0), bMat = node.input(1);
  if (!a || !bMat)
    return node.fail("MatMul needs two inputs");
  auto aType = node.inputType(0), bType = node.inputType(1);
  if (aType.getElementType() != bType.getElementType())
    return node.fail("the two inputs have different element types");
  if (aType.getRank() == 0 || bType.getRank() == 0)
    return node.fail("MatMul inputs must have rank >= 1");

  // Constant [K, N] weight with a float activation: lowbit.linear.
  ElementsAttr weight = node.constantInput(1);
  if (weight && bType.getRank() == 2 && isa<FloatType>(aType.getElementType())) {
    int64_t k = bType.getDimSize(0);
    if (aType.getShape().back() != k)
      return node.emitError() << "inner dimensions differ: "
                              << aType.getShape().back() << " and " << k;
    ElementsAttr wNK = transpose2D(weight, weightName(node, 1));
    return node.setResult(0, buildLinear(node, a, wNK, {}));
  }

  FailureOr<Value> product = buildNumpyMatMul(node, a, bMat);
  if (failed(product))
    return failure();
  return node.setResult(0, *product);
}

LogicalResult importGemm(NodeImporter &node) {
  Value a = node.input(0), bMat = node.input(1);
  if (!a || !bMat)
    return node.fail("Gemm needs inputs A and B");
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  float alpha = node.attrFloat("alpha", 1.0f);
  float beta = node.attrFloat("beta", 1.0f);
  bool transA = node.attrInt("transA", 0) != 0;
  bool transB = node.attrInt("transB", 0) != 0;
  auto aType = node.inputType(0), bType = node.inputType(1);
  if (aType.getRank() != 2 || bType.getRank() != 2)
    return node.fail("Gemm inputs A and B must be matrices");
  if (transA)
    a = transpose(b, loc, a, {1, 0});
  int64_t m = cast<RankedTensorType>(a.getType()).getDimSize(0);
  int64_t k = cast<RankedTensorType>(a.getType()).getDimSize(1);
  int64_t kB = bType.getDimSize(transB ? 1 : 0);
  int64_t n = bType.getDimSize(transB ? 0 : 1);
  if (k != kB)
    return node.emitError() << "inner dimensions differ: " << k << " and "
                            << kB;
  Type element = aType.getElementType();
  bool isFloat = isa<FloatType>(element);

  ElementsAttr weight = node.constantInput(1);
  ElementsAttr cConst = node.constantInput(2);
  Value result;
  bool cFolded = false;
  if (weight && isFloat) {
    ElementsAttr wNK = transB ? weight : transpose2D(weight, weightName(node, 1));
    if (alpha != 1.0f)
      wNK = scaleFloat(wNK, alpha, weightName(node, 1));
    ElementsAttr bias;
    auto cType = node.hasInput(2) ? node.inputType(2) : RankedTensorType();
    // A constant C that broadcasts along rows ([N] or [1, N]) is the bias.
    if (cConst && beta != 0.0f && cType.getNumElements() == n &&
        cType.getShape().back() == n) {
      bias = reshapeConstant(cConst, {n}, node.node().input(2));
      if (beta != 1.0f)
        bias = scaleFloat(bias, beta, node.node().input(2));
      cFolded = true;
    }
    result = buildLinear(node, a, wNK, bias);
  } else {
    if (transB)
      bMat = transpose(b, loc, bMat, {1, 0});
    FailureOr<Value> product = buildBatchMatmul(node, a, bMat);
    if (failed(product))
      return failure();
    result = *product;
    if (alpha != 1.0f) {
      Value scale = createSplat(b, loc, element, {1, 1}, alpha);
      FailureOr<Value> scaled =
          buildMul(node, result, scale);
      if (failed(scaled))
        return failure();
      result = *scaled;
    }
  }
  (void)m;
  if (node.hasInput(2) && beta != 0.0f && !cFolded) {
    Value c = node.input(2);
    if (beta != 1.0f) {
      Value scale = createSplat(b, loc, element, {1}, beta);
      auto scaled = buildElementwise(
          b, loc, cast<RankedTensorType>(c.getType()).getShape(), element,
          ValueRange{c, scale}, [&](OpBuilder &nb, Location nl, ValueRange v) {
            return isFloat ? arith::MulFOp::create(nb, nl, v[0], v[1]).getResult()
                           : arith::MulIOp::create(nb, nl, v[0], v[1]).getResult();
          });
      c = scaled;
    }
    FailureOr<Value> sum = buildTosaBinary<tosa::AddOp>(node, result, c);
    if (failed(sum))
      return failure();
    result = *sum;
  }
  return node.setResult(0, result);
}

} // namespace

void lowbit::onnx_import::registerLinearOps(std::vector<OpHandler> &table) {
  table.push_back({"", "MatMul", 1, importMatMul,
                   "constant 2-D weight -> lowbit.linear"});
  table.push_back({"", "Gemm", 1, importGemm,
                   "constant B -> lowbit.linear (alpha, beta and C folded)"});
}
