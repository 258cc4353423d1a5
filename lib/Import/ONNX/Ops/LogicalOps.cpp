//===- LogicalOps.cpp - comparisons, boolean logic, Where, IsNaN, IsInf ---===//
//
// TOSA comparisons (ordered: false on NaN, as numpy) for floats and signed
// integers; unsigned integers compare in a linalg.generic since TOSA's
// integer comparisons are signed. Less and LessOrEqual swap operands.
//
//===----------------------------------------------------------------------===//

#include "ElementwiseCommon.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/APFloat.h"

#include <cmath>

using namespace mlir;
using namespace lowbit::onnx_import;

namespace {

Type boolType(NodeImporter &node) { return node.builder().getI1Type(); }

//===----------------------------------------------------------------------===//
// Comparisons
//===----------------------------------------------------------------------===//

enum class Compare { Equal, Greater, GreaterOrEqual, Less, LessOrEqual };

bool compareFold(Compare kind, const FoldValue &a, const FoldValue &b) {
  if (a.isFloat) {
    switch (kind) {
    case Compare::Equal: return a.f == b.f;
    case Compare::Greater: return a.f > b.f;
    case Compare::GreaterOrEqual: return a.f >= b.f;
    case Compare::Less: return a.f < b.f;
    case Compare::LessOrEqual: return a.f <= b.f;
    }
  }
  bool u = a.isUnsigned;
  switch (kind) {
  case Compare::Equal: return a.i == b.i;
  case Compare::Greater: return u ? a.i.ugt(b.i) : a.i.sgt(b.i);
  case Compare::GreaterOrEqual: return u ? a.i.uge(b.i) : a.i.sge(b.i);
  case Compare::Less: return u ? a.i.ult(b.i) : a.i.slt(b.i);
  case Compare::LessOrEqual: return u ? a.i.ule(b.i) : a.i.sle(b.i);
  }
  return false;
}

arith::CmpIPredicate unsignedPredicate(Compare kind) {
  switch (kind) {
  case Compare::Equal: return arith::CmpIPredicate::eq;
  case Compare::Greater: return arith::CmpIPredicate::ugt;
  case Compare::GreaterOrEqual: return arith::CmpIPredicate::uge;
  case Compare::Less: return arith::CmpIPredicate::ult;
  case Compare::LessOrEqual: return arith::CmpIPredicate::ule;
  }
  return arith::CmpIPredicate::eq;
}

template <Compare kind>
LogicalResult importCompare(NodeImporter &node) {
  unsigned allowed = kind == Compare::Equal ? kAnyTypes : kNumericTypes;
  if (failed(checkSameInputTypes(node, 0, 1)) ||
      failed(checkInputType(node, 0, allowed)))
    return failure();
  auto operands = binaryOperands(node);
  if (failed(operands))
    return failure();
  Operand lhs = operands->first, rhs = operands->second;
  Type i1 = boolType(node);
  int boolData = onnx::TensorProto::BOOL;
  auto fold = [](ArrayRef<FoldValue> v) -> std::optional<FoldValue> {
    return FoldValue::ofBool(compareFold(kind, v[0], v[1]));
  };
  if (lhs.isUnsigned && kind != Compare::Equal)
    return emitElementwise(
        node, {lhs, rhs}, i1, boolData, fold,
        [&](OpBuilder &b, Location loc, ValueRange v) -> Value {
          return arith::CmpIOp::create(b, loc, unsignedPredicate(kind), v[0],
                                       v[1]);
        });
  return emitWithBuilder(
      node, {lhs, rhs}, i1, boolData, fold,
      [&](ArrayRef<Value> values, ArrayRef<int64_t> shape) -> FailureOr<Value> {
        SmallVector<Value> v = equalizeRanks(node, values);
        auto type = RankedTensorType::get(shape, i1);
        OpBuilder &b = node.builder();
        Location loc = node.loc();
        switch (kind) {
        case Compare::Equal:
          return tosa::EqualOp::create(b, loc, type, v[0], v[1]).getResult();
        case Compare::Greater:
          return tosa::GreaterOp::create(b, loc, type, v[0], v[1]).getResult();
        case Compare::GreaterOrEqual:
          return tosa::GreaterEqualOp::create(b, loc, type, v[0], v[1])
              .getResult();
        case Compare::Less:
          return tosa::GreaterOp::create(b, loc, type, v[1], v[0]).getResult();
        case Compare::LessOrEqual:
          return tosa::GreaterEqualOp::create(b, loc, type, v[1], v[0])
              .getResult();
        }
        return failure();
      });
}

//===----------------------------------------------------------------------===//
// And, Or, Xor, Not
//===----------------------------------------------------------------------===//

enum class Logic { And, Or, Xor };

template <Logic kind>
LogicalResult importLogic(NodeImporter &node) {
  if (failed(checkSameInputTypes(node, 0, 1)) ||
      failed(checkInputType(node, 0, kBoolType)))
    return failure();
  auto operands = binaryOperands(node);
  if (failed(operands))
    return failure();
  Type i1 = boolType(node);
  auto fold = [](ArrayRef<FoldValue> v) -> std::optional<FoldValue> {
    bool a = v[0].isTrue(), b = v[1].isTrue();
    return FoldValue::ofBool(kind == Logic::And  ? (a && b)
                             : kind == Logic::Or ? (a || b)
                                                 : (a != b));
  };
  return emitWithBuilder(
      node, {operands->first, operands->second}, i1, onnx::TensorProto::BOOL,
      fold,
      [&](ArrayRef<Value> values, ArrayRef<int64_t> shape) -> FailureOr<Value> {
        SmallVector<Value> v = equalizeRanks(node, values);
        auto type = RankedTensorType::get(shape, i1);
        OpBuilder &b = node.builder();
        if (kind == Logic::And)
          return tosa::LogicalAndOp::create(b, node.loc(), type, v[0], v[1])
              .getResult();
        if (kind == Logic::Or)
          return tosa::LogicalOrOp::create(b, node.loc(), type, v[0], v[1])
              .getResult();
        return tosa::LogicalXorOp::create(b, node.loc(), type, v[0], v[1])
            .getResult();
      });
}

LogicalResult importNot(NodeImporter &node) {
  if (failed(checkInputType(node, 0, kBoolType)))
    return failure();
  Operand x = inputOperand(node, 0);
  return emitWithBuilder(
      node, {x}, boolType(node), onnx::TensorProto::BOOL,
      [](ArrayRef<FoldValue> v) -> std::optional<FoldValue> {
        return FoldValue::ofBool(!v[0].isTrue());
      },
      [&](ArrayRef<Value> v, ArrayRef<int64_t>) -> FailureOr<Value> {
        return tosa::LogicalNotOp::create(node.builder(), node.loc(),
                                          v[0].getType(), v[0])
            .getResult();
      });
}

//===----------------------------------------------------------------------===//
// Where
//===----------------------------------------------------------------------===//

/// tosa.select with the three operands broadcast numpy-style.
LogicalResult importWhere(NodeImporter &node) {
  if (failed(checkInputType(node, 0, kBoolType)) ||
      failed(checkSameInputTypes(node, 1, 2)) ||
      failed(checkInputType(node, 1, kAnyTypes)))
    return failure();
  Operand cond = inputOperand(node, 0), x = inputOperand(node, 1),
          y = inputOperand(node, 2);
  Type element = x.type.getElementType();
  return emitWithBuilder(
      node, {cond, x, y}, element, x.dataType,
      [](ArrayRef<FoldValue> v) -> std::optional<FoldValue> {
        return v[0].isTrue() ? v[1] : v[2];
      },
      [&](ArrayRef<Value> values, ArrayRef<int64_t> shape) -> FailureOr<Value> {
        SmallVector<Value> v = equalizeRanks(node, values);
        return tosa::SelectOp::create(node.builder(), node.loc(),
                                      RankedTensorType::get(shape, element),
                                      v[0], v[1], v[2])
            .getResult();
      });
}

//===----------------------------------------------------------------------===//
// IsNaN, IsInf
//===----------------------------------------------------------------------===//

LogicalResult importIsNaN(NodeImporter &node) {
  if (failed(checkInputType(node, 0, kFloatTypes)))
    return failure();
  Operand x = inputOperand(node, 0);
  return emitElementwise(
      node, {x}, boolType(node), onnx::TensorProto::BOOL,
      [](ArrayRef<FoldValue> v) -> std::optional<FoldValue> {
        return FoldValue::ofBool(std::isnan(v[0].f));
      },
      [&](OpBuilder &b, Location loc, ValueRange v) -> Value {
        return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, v[0],
                                     v[0]);
      });
}

LogicalResult importIsInf(NodeImporter &node) {
  if (failed(checkInputType(node, 0, kFloatTypes)))
    return failure();
  bool positive = node.attrInt("detect_positive", 1) != 0;
  bool negative = node.attrInt("detect_negative", 1) != 0;
  Operand x = inputOperand(node, 0);
  Type element = x.type.getElementType();
  return emitElementwise(
      node, {x}, boolType(node), onnx::TensorProto::BOOL,
      [&](ArrayRef<FoldValue> v) -> std::optional<FoldValue> {
        double f = v[0].f;
        return FoldValue::ofBool(std::isinf(f) &&
                                 (f > 0 ? positive : negative));
      },
      [&](OpBuilder &b, Location loc, ValueRange v) -> Value {
        const llvm::fltSemantics &sem = cast<FloatType>(element).getFloatSemantics();
        auto isValue = [&](bool isNegative) -> Value {
          Value inf = arith::ConstantOp::create(
              b, loc,
              b.getFloatAttr(element, APFloat::getInf(sem, isNegative)));
          return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, v[0],
                                       inf);
        };
        if (positive && negative) {
          Value isPositive = isValue(false);
          Value isNegative = isValue(true);
          return arith::OrIOp::create(b, loc, isPositive, isNegative);
        }
        if (positive)
          return isValue(false);
        if (negative)
          return isValue(true);
        return arith::ConstantOp::create(b, loc, b.getBoolAttr(false));
      });
}

} // namespace

void lowbit::onnx_import::registerLogicalOps(std::vector<OpHandler> &table) {
  const char *legacy = "before opset 7: 'broadcast'/'axis' attributes";
  table.push_back({"", "Equal", 1, importCompare<Compare::Equal>, legacy});
  table.push_back({"", "Equal", 7, importCompare<Compare::Equal>,
                   "not strings"});
  table.push_back({"", "Greater", 1, importCompare<Compare::Greater>, legacy});
  table.push_back({"", "Greater", 7, importCompare<Compare::Greater>});
  table.push_back({"", "Less", 1, importCompare<Compare::Less>, legacy});
  table.push_back({"", "Less", 7, importCompare<Compare::Less>});
  table.push_back({"", "GreaterOrEqual", 12,
                   importCompare<Compare::GreaterOrEqual>});
  table.push_back({"", "LessOrEqual", 12, importCompare<Compare::LessOrEqual>});
  table.push_back({"", "And", 1, importLogic<Logic::And>, legacy});
  table.push_back({"", "And", 7, importLogic<Logic::And>});
  table.push_back({"", "Or", 1, importLogic<Logic::Or>, legacy});
  table.push_back({"", "Or", 7, importLogic<Logic::Or>});
  table.push_back({"", "Xor", 1, importLogic<Logic::Xor>, legacy});
  table.push_back({"", "Xor", 7, importLogic<Logic::Xor>});
  table.push_back({"", "Not", 1, importNot});
  table.push_back({"", "Where", 9, importWhere});
  table.push_back({"", "IsNaN", 9, importIsNaN});
  table.push_back({"", "IsInf", 10, importIsInf});
}
