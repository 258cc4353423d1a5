//===- GemvEpilogue.cpp - elementwise ops fused into a GEMV's store -------===//
//
// The elementwise TOSA ops that follow a product taken out as a generated
// kernel (a residual add, SiLU, the gate times up product of a SwiGLU) are
// computed by that kernel on each output before it stores it, instead of by
// kernels of their own that read and write the whole tensor again.
//
//===----------------------------------------------------------------------===//

#include "GemvKernel.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/xxhash.h"

using namespace mlir;
using lowbit::gpu::GemvEpilogue;

namespace {

/// The value of a one-valued f32 constant (a splat, seen through reshapes),
/// or nothing.
std::optional<float> splatValue(Value value) {
  while (auto reshape = value.getDefiningOp<tosa::ReshapeOp>())
    value = reshape.getInput1();
  DenseElementsAttr attr;
  if (!matchPattern(value, m_Constant(&attr)) || !attr.isSplat() ||
      !attr.getElementType().isF32())
    return std::nullopt;
  return attr.getSplatValue<APFloat>().convertToFloat();
}

bool isZeroShift(Value shift) {
  DenseElementsAttr attr;
  return matchPattern(shift, m_Constant(&attr)) && attr.isSplat() &&
         attr.getElementType().isInteger() &&
         attr.getSplatValue<APInt>().isZero();
}

/// Whether `op` is an elementwise op the epilogue computes.
bool isFusible(Operation *op) {
  if (isa<tosa::AddOp, tosa::SubOp, tosa::MaximumOp, tosa::MinimumOp,
          tosa::SigmoidOp, tosa::TanhOp, tosa::ExpOp, tosa::AbsOp>(op))
    return true;
  if (auto mul = dyn_cast<tosa::MulOp>(op))
    return isZeroShift(mul.getShift());
  if (isa<tosa::ClampOp>(op))
    return op->getAttrOfType<FloatAttr>("min_val") &&
           op->getAttrOfType<FloatAttr>("max_val");
  return false;
}

} // namespace

GemvEpilogue lowbit::gpu::collectGemvEpilogue(Operation *product) {
  GemvEpilogue epilogue;
  Value root = product->getResult(0);
  auto type = root.getType();
  epilogue.root = root;
  // Values the kernel computes: the product, then the ops' results.
  llvm::DenseSet<Value> computed = {root};
  llvm::DenseSet<Operation *> taken;
  // The data operands of op (a mul's shift is a constant checked above).
  auto dataOperands = [](Operation *op) {
    if (auto mul = dyn_cast<tosa::MulOp>(op))
      return SmallVector<Value>{mul.getInput1(), mul.getInput2()};
    return SmallVector<Value>(op->getOperands());
  };
  // Whether `op` can join: fusible, of the product's type, in the
  // product's block, reading computed values, tensors of the product's
  // type or one-valued constants.
  auto canJoin = [&](Operation *op) {
    if (taken.contains(op) || !isFusible(op) ||
        op->getBlock() != product->getBlock() ||
        op->getResult(0).getType() != type)
      return false;
    for (Value operand : dataOperands(op))
      if (!computed.contains(operand) && operand.getType() != type &&
          !splatValue(operand))
        return false;
    return true;
  };
  // Grow by the first user (in program order) of a computed value that can
  // join, while there is one.
  auto nextJoining = [&]() -> Operation * {
    Operation *next = nullptr;
    for (Value value : computed)
      for (Operation *user : value.getUsers())
        if (canJoin(user) && (!next || user->isBeforeInBlock(next)))
          next = user;
    return next;
  };
  while (Operation *next = nextJoining()) {
    epilogue.ops.push_back(next);
    taken.insert(next);
    computed.insert(next->getResult(0));
  }
  // Keep the longest prefix that ends in the one value read outside: every
  // other computed value is read only by the ops taken, and the last op
  // comes last in the block (the launch replaces it there).
  while (!epilogue.ops.empty()) {
    Operation *last = epilogue.ops.back();
    llvm::DenseSet<Operation *> inside(epilogue.ops.begin(),
                                       epilogue.ops.end());
    bool valid = true;
    SmallVector<Value> values = {root};
    for (Operation *op : epilogue.ops)
      values.push_back(op->getResult(0));
    for (Value value : values) {
      if (value == last->getResult(0))
        continue;
      for (Operation *user : value.getUsers())
        valid &= inside.contains(user);
    }
    for (Operation *op : epilogue.ops)
      valid &= op == last || op->isBeforeInBlock(last);
    if (valid)
      break;
    epilogue.ops.pop_back();
  }
  // The tensors read from outside, each once, in order of first use.
  llvm::DenseSet<Value> inside = {root};
  for (Operation *op : epilogue.ops)
    inside.insert(op->getResult(0));
  for (Operation *op : epilogue.ops)
    for (Value operand : dataOperands(op))
      if (!inside.contains(operand) && operand.getType() == type &&
          !llvm::is_contained(epilogue.operands, operand))
        epilogue.operands.push_back(operand);
  return epilogue;
}

std::string GemvEpilogue::key() const {
  // The ops and where each operand comes from: the product or op i, an
  // outside tensor, or a constant's bits.
  std::string text;
  llvm::raw_string_ostream os(text);
  for (Operation *op : ops) {
    os << op->getName().getStringRef();
    for (Value operand : op->getOperands()) {
      if (operand == root) {
        os << " p";
      } else if (auto it = llvm::find(operands, operand);
                 it != operands.end()) {
        os << " a" << (it - operands.begin());
      } else if (auto constant = splatValue(operand)) {
        os << " c" << llvm::bit_cast<uint32_t>(*constant);
      } else {
        for (auto [i, other] : llvm::enumerate(ops))
          if (other->getResult(0) == operand)
            os << " o" << i;
      }
    }
    if (auto min = op->getAttrOfType<FloatAttr>("min_val"))
      os << " min" << min.getValueAsDouble();
    if (auto max = op->getAttrOfType<FloatAttr>("max_val"))
      os << " max" << max.getValueAsDouble();
    os << ";";
  }
  return llvm::utohexstr(llvm::xxh3_64bits(text) & 0xffffffff, /*LowerCase=*/true);
}

Value GemvEpilogue::emit(OpBuilder &b, Location loc, Value product,
                         ArrayRef<Value> operandValues) const {
  llvm::DenseMap<Value, Value> scalars = {{root, product}};
  for (auto [operand, value] : llvm::zip(operands, operandValues))
    scalars[operand] = value;
  Type f32 = b.getF32Type();
  auto constant = [&](float v) -> Value {
    return arith::ConstantFloatOp::create(b, loc, cast<FloatType>(f32),
                                          APFloat(v));
  };
  auto scalar = [&](Value operand) -> Value {
    if (Value known = scalars.lookup(operand))
      return known;
    return constant(*splatValue(operand));
  };
  for (Operation *op : ops) {
    Value a = scalar(op->getOperand(0));
    Value result =
        llvm::TypeSwitch<Operation *, Value>(op)
            .Case([&](tosa::AddOp) {
              return arith::AddFOp::create(b, loc, a, scalar(op->getOperand(1)));
            })
            .Case([&](tosa::SubOp) {
              return arith::SubFOp::create(b, loc, a, scalar(op->getOperand(1)));
            })
            .Case([&](tosa::MulOp) {
              return arith::MulFOp::create(b, loc, a, scalar(op->getOperand(1)));
            })
            .Case([&](tosa::MaximumOp) {
              return arith::MaximumFOp::create(b, loc, a,
                                               scalar(op->getOperand(1)));
            })
            .Case([&](tosa::MinimumOp) {
              return arith::MinimumFOp::create(b, loc, a,
                                               scalar(op->getOperand(1)));
            })
            .Case([&](tosa::SigmoidOp) {
              // 1 / (1 + exp(-a)), as TOSA's lowering to linalg computes it.
              Value e = math::ExpOp::create(b, loc,
                                            arith::NegFOp::create(b, loc, a));
              return arith::DivFOp::create(
                  b, loc, constant(1.0f),
                  arith::AddFOp::create(b, loc, constant(1.0f), e));
            })
            .Case([&](tosa::TanhOp) { return math::TanhOp::create(b, loc, a); })
            .Case([&](tosa::ExpOp) { return math::ExpOp::create(b, loc, a); })
            .Case([&](tosa::AbsOp) { return math::AbsFOp::create(b, loc, a); })
            .Case([&](tosa::ClampOp) {
              float lo = op->getAttrOfType<FloatAttr>("min_val")
                             .getValue()
                             .convertToFloat();
              float hi = op->getAttrOfType<FloatAttr>("max_val")
                             .getValue()
                             .convertToFloat();
              Value clamped = arith::MinimumFOp::create(b, loc, a, constant(hi));
              return arith::MaximumFOp::create(b, loc, clamped, constant(lo));
            })
            .Default([](Operation *) -> Value {
              llvm_unreachable("collectGemvEpilogue takes only these ops");
            });
    scalars[op->getResult(0)] = result;
  }
  return scalars.lookup(ops.back()->getResult(0));
}
