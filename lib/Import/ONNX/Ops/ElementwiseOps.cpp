//===- ElementwiseOps.cpp - arithmetic, math and activation ops -----------===//
//
// TOSA where it has a faithful op; otherwise a linalg.generic with
// arith/math scalar bodies. Both broadcast numpy-style.
//
//===----------------------------------------------------------------------===//

#include "../IRBuilders.h"
#include "../OpRegistry.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace lowbit::onnx_import;

namespace {

template <typename TosaOp>
LogicalResult importTosaBinary(NodeImporter &node) {
  if (!node.hasInput(0) || !node.hasInput(1))
    return node.fail("expects two inputs");
  if (node.inputType(0).getElementType() != node.inputType(1).getElementType())
    return node.fail("the two inputs have different element types");
  FailureOr<Value> result =
      buildTosaBinary<TosaOp>(node, node.input(0), node.input(1));
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

LogicalResult importMul(NodeImporter &node) {
  if (!node.hasInput(0) || !node.hasInput(1))
    return node.fail("expects two inputs");
  if (node.inputType(0).getElementType() != node.inputType(1).getElementType())
    return node.fail("the two inputs have different element types");
  FailureOr<Value> result = buildMul(node, node.input(0), node.input(1));
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

/// Division: floats divide exactly (TOSA has no float division); integers
/// truncate toward zero (signed) or divide unsigned.
LogicalResult importDiv(NodeImporter &node) {
  if (!node.hasInput(0) || !node.hasInput(1))
    return node.fail("expects two inputs");
  auto lhsType = node.inputType(0), rhsType = node.inputType(1);
  Type element = lhsType.getElementType();
  if (element != rhsType.getElementType())
    return node.fail("the two inputs have different element types");
  auto shape = broadcastShapes(node, {lhsType.getShape(), rhsType.getShape()});
  if (failed(shape))
    return failure();
  bool isUnsigned = node.inputIsUnsigned(0);
  Value result = buildElementwise(
      node.builder(), node.loc(), *shape, element,
      ValueRange{node.input(0), node.input(1)},
      [&](OpBuilder &b, Location loc, ValueRange v) -> Value {
        if (isa<FloatType>(element))
          return arith::DivFOp::create(b, loc, v[0], v[1]);
        if (isUnsigned)
          return arith::DivUIOp::create(b, loc, v[0], v[1]);
        return arith::DivSIOp::create(b, loc, v[0], v[1]);
      });
  return node.setResult(0, result);
}

} // namespace

void lowbit::onnx_import::registerElementwiseOps(std::vector<OpHandler> &table) {
  table.push_back({"", "Add", 1, importTosaBinary<tosa::AddOp>});
  table.push_back({"", "Sub", 1, importTosaBinary<tosa::SubOp>});
  table.push_back({"", "Mul", 1, importMul});
  table.push_back({"", "Div", 1, importDiv});
}
