//===- ElementwiseView.cpp - elementwise ops seen through their form ------===//

#include "ElementwiseView.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace lowbit;

/// The element value of a splat float constant, seen through reshapes.
std::optional<double> lowbit::splatValue(Value v) {
  while (auto reshape = v.getDefiningOp<tosa::ReshapeOp>())
    v = reshape.getInput1();
  Attribute attr;
  if (auto constant = v.getDefiningOp<arith::ConstantOp>())
    attr = constant.getValue();
  else if (auto constant = v.getDefiningOp<tosa::ConstOp>())
    attr = constant.getValues();
  if (auto f = dyn_cast_or_null<FloatAttr>(attr))
    return f.getValueAsDouble();
  auto dense = dyn_cast_or_null<DenseFPElementsAttr>(attr);
  if (!dense || !dense.isSplat())
    return std::nullopt;
  return dense.getSplatValue<APFloat>().convertToDouble();
}

namespace {

bool isZeroShift(Value shift) {
  DenseIntElementsAttr attr;
  if (!matchPattern(shift, m_Constant(&attr)))
    return false;
  return llvm::all_of(attr.getValues<APInt>(),
                      [](const APInt &v) { return v.isZero(); });
}

EwOperand tensorOperand(Value v) { return {v, splatValue(v)}; }

/// Whether `map` reads an operand of `type` broadcast numpy-style into a
/// result of rank `rank` (trailing axes aligned, size-1 axes read at 0).
bool isBroadcastMap(AffineMap map, RankedTensorType type, int64_t rank) {
  int64_t offset = rank - type.getRank();
  if (offset < 0 || map.getNumResults() != type.getRank() ||
      map.getNumDims() != rank)
    return false;
  for (auto [i, expr] : llvm::enumerate(map.getResults())) {
    if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
      if (dim.getPosition() != offset + i)
        return false;
    } else if (auto c = dyn_cast<AffineConstantExpr>(expr)) {
      if (c.getValue() != 0 || type.getDimSize(i) != 1)
        return false;
    } else {
      return false;
    }
  }
  return true;
}

/// A linalg.generic computing one arith/math op per element of its
/// (broadcast) inputs and scalar constants.
std::optional<Elementwise> viewGeneric(linalg::GenericOp generic) {
  if (generic.getNumDpsInits() != 1 || generic.getNumResults() != 1 ||
      generic.getNumReductionLoops() != 0)
    return std::nullopt;
  auto resultType = dyn_cast<RankedTensorType>(generic.getResult(0).getType());
  if (!resultType)
    return std::nullopt;
  int64_t rank = resultType.getRank();
  auto maps = generic.getIndexingMapsArray();
  if (!maps.back().isIdentity())
    return std::nullopt;
  for (OpOperand *input : generic.getDpsInputOperands()) {
    auto type = dyn_cast<RankedTensorType>(input->get().getType());
    if (!type ||
        !isBroadcastMap(maps[input->getOperandNumber()], type, rank))
      return std::nullopt;
  }
  Block &body = generic.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  Operation *compute = yield.getOperand(0).getDefiningOp();
  if (!compute || compute->getBlock() != &body)
    return std::nullopt;
  for (Operation &op : body.without_terminator())
    if (&op != compute && !isa<arith::ConstantOp>(op))
      return std::nullopt;

  Elementwise view;
  if (isa<arith::AddFOp>(compute)) view.kind = EwKind::Add;
  else if (isa<arith::SubFOp>(compute)) view.kind = EwKind::Sub;
  else if (isa<arith::MulFOp>(compute)) view.kind = EwKind::Mul;
  else if (isa<arith::DivFOp>(compute)) view.kind = EwKind::Div;
  else if (isa<math::PowFOp>(compute)) view.kind = EwKind::Pow;
  else if (isa<math::SqrtOp>(compute)) view.kind = EwKind::Sqrt;
  else if (isa<math::RsqrtOp>(compute)) view.kind = EwKind::Rsqrt;
  else if (isa<arith::TruncFOp>(compute)) view.kind = EwKind::TruncF;
  else return std::nullopt;

  unsigned numInputs = generic.getNumDpsInputs();
  for (Value operand : compute->getOperands()) {
    if (auto arg = dyn_cast<BlockArgument>(operand)) {
      if (arg.getOwner() != &body || arg.getArgNumber() >= numInputs)
        return std::nullopt;
      view.operands.push_back(
          tensorOperand(generic.getDpsInputOperand(arg.getArgNumber())->get()));
      continue;
    }
    FloatAttr value;
    if (!matchPattern(operand, m_Constant(&value)))
      return std::nullopt;
    view.operands.push_back({Value(), value.getValueAsDouble()});
  }
  return view;
}

} // namespace

/// `v` as an elementwise op, whichever form the importer gave it.
std::optional<Elementwise> lowbit::viewElementwise(Value v) {
  Operation *op = v.getDefiningOp();
  if (!op || op->getNumResults() != 1 ||
      !isa<FloatType>(getElementTypeOrSelf(v.getType())))
    return std::nullopt;
  auto binary = [&](EwKind kind, Value a, Value b) {
    return Elementwise{kind, {tensorOperand(a), tensorOperand(b)}};
  };
  auto unary = [&](EwKind kind, Value a) {
    return Elementwise{kind, {tensorOperand(a)}};
  };
  if (auto add = dyn_cast<tosa::AddOp>(op))
    return binary(EwKind::Add, add.getInput1(), add.getInput2());
  if (auto sub = dyn_cast<tosa::SubOp>(op))
    return binary(EwKind::Sub, sub.getInput1(), sub.getInput2());
  if (auto mul = dyn_cast<tosa::MulOp>(op)) {
    if (!isZeroShift(mul.getShift()))
      return std::nullopt;
    return binary(EwKind::Mul, mul.getInput1(), mul.getInput2());
  }
  if (auto pow = dyn_cast<tosa::PowOp>(op))
    return binary(EwKind::Pow, pow.getInput1(), pow.getInput2());
  if (auto rsqrt = dyn_cast<tosa::RsqrtOp>(op))
    return unary(EwKind::Rsqrt, rsqrt.getInput1());
  if (auto reciprocal = dyn_cast<tosa::ReciprocalOp>(op))
    return unary(EwKind::Reciprocal, reciprocal.getInput1());
  if (auto generic = dyn_cast<linalg::GenericOp>(op))
    return viewGeneric(generic);
  return std::nullopt;
}

/// A view of `v` of the given kind, or nullopt.
std::optional<Elementwise> lowbit::viewAs(Value v, EwKind kind) {
  std::optional<Elementwise> view = viewElementwise(v);
  if (!view || view->kind != kind)
    return std::nullopt;
  return view;
}

/// A commutative binary op with one tensor operand and one scalar: the
/// tensor and the scalar.
std::optional<std::pair<Value, double>>
lowbit::tensorAndScalar(const Elementwise &e) {
  if (e.operands.size() != 2)
    return std::nullopt;
  for (int i = 0; i < 2; ++i) {
    const EwOperand &t = e.operands[i], &s = e.operands[1 - i];
    if (t.tensor && !t.scalar && s.scalar)
      return std::make_pair(t.tensor, *s.scalar);
  }
  return std::nullopt;
}
