//===- Rotate.cpp - QuaRot-style Hadamard rotations folded into weights ---===//
//
// An orthogonal Q leaves y = x W^T unchanged when the input is rotated and
// the weight with it: y = (x Q) (W Q)^T. Rotating by a randomized Hadamard
// matrix spreads an outlier channel over all channels, which is what makes
// 4-bit activations usable (QuaRot, Ashkboos et al.). Two placements:
//
//  * The residual stream of a pre-norm (RMSNorm) decoder, folded into the
//    weights at no run-time cost: every RMSNorm's gamma is first fused into
//    the linears that read it (W diag(gamma)), after which
//    rms_norm(x Q) = rms_norm(x) Q; the readers take W Q, the linears that
//    write into the stream take Q^T W (and b Q), and where the stream starts
//    (a model input, an embedding) one online rotation enters it.
//  * Any other linear (after SwiGLU, attention, GELU, a LayerNorm): an online
//    `lowbit.hadamard` on its input and W Q in the weight.
//
// Q = (I_B (x) H_n D_n / sqrt(n))^T for the row-vector convention, with H_n
// the Hadamard matrix of order n (the whole width when it is a supported
// order, else the largest supported block), exactly the map lowbit.hadamard
// computes; the weights use the same numerics (lowbit/Numerics).
//
//===----------------------------------------------------------------------===//

#include "lowbit/Transforms/Passes.h"

#include "ChannelScaleFolding.h"
#include "WeightQuantization.h"

#include "lowbit/Analysis/CalibrationTable.h"
#include "lowbit/Numerics/FastHadamard.h"
#include "lowbit/Numerics/Hadamard.h"
#include "lowbit/Transforms/OpNames.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"

namespace lowbit {
#define GEN_PASS_DEF_ROTATEPASS
#include "lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

/// The block of the rotation for a width: the width itself when a Hadamard
/// matrix of that order exists, else its largest supported divisor; 0 when
/// no block above 1 divides it.
int64_t rotationBlock(int64_t width) {
  for (int64_t block = width; block > 1; --block)
    if (width % block == 0 && numerics::isSupportedHadamardOrder(block))
      return block;
  return 0;
}

/// A linear whose weight (and bias) are constants, with their values.
struct LinearWeights {
  ConstantValues weight;
  std::optional<ConstantValues> bias;
  int64_t rows = 0, cols = 0;
};

std::optional<LinearWeights> readLinear(LinearOp op) {
  auto type = cast<RankedTensorType>(op.getWeight().getType());
  if (type.getRank() != 2)
    return std::nullopt;
  LinearWeights result;
  result.rows = type.getDimSize(0);
  result.cols = type.getDimSize(1);
  std::optional<ConstantValues> weight =
      readConstant(op.getWeight(), result.rows * result.cols);
  if (!weight)
    return std::nullopt;
  result.weight = std::move(*weight);
  if (Value bias = op.getBias()) {
    result.bias = readConstant(bias, result.rows);
    if (!result.bias)
      return std::nullopt;
  }
  return result;
}

/// Whether readLinear(op) would succeed, without reading the weights.
bool hasConstantWeights(LinearOp op) {
  auto type = cast<RankedTensorType>(op.getWeight().getType());
  if (type.getRank() != 2 ||
      !isReadableConstant(op.getWeight(), type.getNumElements()))
    return false;
  return !op.getBias() || isReadableConstant(op.getBias(), type.getDimSize(0));
}

void replaceWeight(LinearOp op, const LinearWeights &w,
                   const std::vector<float> &weight, StringRef tag) {
  OpBuilder builder(op);
  Value old = op.getWeight();
  op.getWeightMutable().assign(makeConstant(builder, op.getLoc(), w.weight.attr,
                                            weight,
                                            (getModelOpName(op) + "." + tag).str()));
  eraseIfDeadConstant(old);
}

void replaceBias(LinearOp op, const LinearWeights &w,
                 const std::vector<float> &bias, StringRef tag) {
  OpBuilder builder(op);
  Value old = op.getBias();
  op.getBiasMutable().assign(makeConstant(builder, op.getLoc(), w.bias->attr,
                                          bias,
                                          (getModelOpName(op) + "." + tag).str()));
  eraseIfDeadConstant(old);
}

/// W [rows, cols] <- W Q (every row rotated like an input row).
void rotateColumns(std::vector<float> &w, int64_t rows, int64_t cols,
                   int64_t block, uint64_t seed) {
  (void)numerics::blockHadamardTransform(w, rows, cols, block, seed);
}

/// W [rows, cols] <- Q^T W (the output channels rotated): (Q^T W)^T = W^T Q.
void rotateRows(std::vector<float> &w, int64_t rows, int64_t cols,
                int64_t block, uint64_t seed) {
  std::vector<float> t(w.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      t[c * rows + r] = w[r * cols + c];
  (void)numerics::blockHadamardTransform(t, cols, rows, block, seed);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      w[r * cols + c] = t[c * rows + r];
}

/// Inserts y = lowbit.hadamard(x) right after x's definition.
Value insertRotation(Value x, int64_t block, uint64_t seed) {
  OpBuilder builder(x.getContext());
  if (Operation *def = x.getDefiningOp())
    builder.setInsertionPointAfter(def);
  else
    builder.setInsertionPointToStart(cast<BlockArgument>(x).getOwner());
  return HadamardOp::create(builder, x.getLoc(), x.getType(), x,
                            builder.getI64IntegerAttr(block),
                            builder.getI64IntegerAttr(
                                static_cast<int64_t>(seed)));
}

/// The residual stream of a pre-norm decoder, reached from an RMSNorm's
/// input: the values added into it, the norms that read it, the linears
/// that write into it and the values where it starts.
struct ResidualStream {
  RankedTensorType type;
  llvm::SetVector<Value> values;
  llvm::SetVector<Operation *> norms;
  llvm::SetVector<Operation *> writers;
  llvm::SetVector<Value> entries;
};

/// Whether `norm` normalizes the last axis with a constant gamma and only
/// linears (with constant weights) read it, so that gamma can be fused.
bool isFusableNorm(RMSNormOp norm, int64_t width) {
  RankedTensorType type = norm.getInput().getType();
  int64_t axis = static_cast<int64_t>(norm.getAxis());
  if (axis < 0)
    axis += type.getRank();
  auto gammaType = cast<RankedTensorType>(norm.getGamma().getType());
  if (axis != type.getRank() - 1 || gammaType.getRank() != 1 ||
      !isReadableConstant(norm.getGamma(), width) ||
      norm.getResult().use_empty())
    return false;
  return llvm::all_of(norm.getResult().getUses(), [](OpOperand &use) {
    auto linear = dyn_cast<LinearOp>(use.getOwner());
    return linear && use.getOperandNumber() == 0 && hasConstantWeights(linear);
  });
}

bool isSameShapeAdd(Operation *op, RankedTensorType type) {
  auto add = dyn_cast_or_null<tosa::AddOp>(op);
  return add && add.getInput1().getType() == type &&
         add.getInput2().getType() == type && add.getType() == type;
}

/// Grows the stream from `start`; fails with the (first) reason when
/// something other than a residual add or a fusable RMSNorm reads it
/// (`stream` then still holds everything reached).
LogicalResult findStream(Value start, ResidualStream &stream,
                         std::string &why) {
  stream.type = cast<RankedTensorType>(start.getType());
  int64_t width = stream.type.getShape().back();
  SmallVector<Value> worklist{start};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    if (v.getType() != stream.type) {
      if (why.empty())
        why = "a value of another shape joins the stream";
      continue;
    }
    if (!stream.values.insert(v))
      continue;
    Operation *def = v.getDefiningOp();
    if (isSameShapeAdd(def, stream.type)) {
      worklist.push_back(def->getOperand(0));
      worklist.push_back(def->getOperand(1));
    } else if (auto linear = dyn_cast_or_null<LinearOp>(def);
               linear && hasConstantWeights(linear)) {
      stream.writers.insert(def);
    } else {
      stream.entries.insert(v);
    }
    for (Operation *user : v.getUsers()) {
      if (isSameShapeAdd(user, stream.type)) {
        worklist.push_back(user->getResult(0));
        continue;
      }
      auto norm = dyn_cast<RMSNormOp>(user);
      if (norm && norm.getInput() == v && isFusableNorm(norm, width)) {
        stream.norms.insert(user);
        continue;
      }
      // Keep exploring, so that every norm of this stream is known.
      if (why.empty())
        why = "'" + getModelOpName(user) + "' (" +
              user->getName().getStringRef().str() +
              ") reads the residual stream";
    }
  }
  return success(why.empty());
}

struct RotatePass : lowbit::impl::RotatePassBase<RotatePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    uint64_t seedValue = static_cast<uint64_t>(seed.getValue());
    llvm::DenseSet<Operation *> rotatedInput;
    int changed = 0;
    if (foldResidual)
      module.walk([&](func::FuncOp func) {
        changed += foldStreams(func, seedValue, rotatedInput);
      });
    if (online)
      changed += rotateOnline(module, seedValue, rotatedInput);
    if (changed > 0 && module->hasAttr(kCalibrationAttrName)) {
      module->removeAttr(kCalibrationAttrName);
      module.emitRemark() << "rotation changed the model; the calibration "
                             "statistics described it before and were "
                             "removed: calibrate again";
    }
  }

  /// Rotates every residual stream of `func`; returns how many.
  int foldStreams(func::FuncOp func, uint64_t seedValue,
                  llvm::DenseSet<Operation *> &rotatedInput) {
    SmallVector<RMSNormOp> norms;
    func.walk([&](RMSNormOp norm) { norms.push_back(norm); });
    llvm::DenseSet<Operation *> seen;
    int streams = 0;
    for (RMSNormOp norm : norms) {
      if (seen.contains(norm))
        continue;
      std::string why;
      ResidualStream found;
      ResidualStream *stream = &found;
      if (failed(findStream(norm.getInput(), found, why))) {
        seen.insert(norm);
        for (Operation *op : found.norms)
          seen.insert(op);
        norm.emitRemark() << "rotate: the residual stream read by '"
                          << getModelOpName(norm) << "' is not rotated: "
                          << why << "; its readers get online rotations";
        continue;
      }
      for (Operation *op : stream->norms)
        seen.insert(op);
      int64_t width = stream->type.getShape().back();
      int64_t block = rotationBlock(width);
      if (block == 0) {
        norm.emitRemark() << "rotate: no Hadamard block divides the "
                             "residual width "
                          << width << "; not rotated";
        continue;
      }
      applyStream(*stream, width, block, seedValue, rotatedInput);
      ++streams;
      norm.emitRemark() << "rotate: residual stream of width " << width
                        << " rotated (Hadamard blocks of " << block << "): "
                        << stream->norms.size() << " RMS norms fused into "
                        << "their readers, " << stream->writers.size()
                        << " writers, " << stream->entries.size()
                        << " online rotation(s) where it starts";
    }
    return streams;
  }

  void applyStream(ResidualStream &stream, int64_t width, int64_t block,
                   uint64_t seedValue,
                   llvm::DenseSet<Operation *> &rotatedInput) {
    for (Operation *op : stream.norms) {
      auto norm = cast<RMSNormOp>(op);
      ConstantValues gamma = *readConstant(norm.getGamma(), width);
      for (Operation *user : norm.getResult().getUsers()) {
        auto linear = cast<LinearOp>(user);
        LinearWeights w = *readLinear(linear);
        std::vector<float> weight = w.weight.values;
        for (int64_t r = 0; r < w.rows; ++r)
          for (int64_t c = 0; c < w.cols; ++c)
            weight[r * w.cols + c] *= gamma.values[c];
        rotateColumns(weight, w.rows, w.cols, block, seedValue);
        replaceWeight(linear, w, weight, "rotated");
        rotatedInput.insert(linear);
      }
      OpBuilder builder(norm);
      Value old = norm.getGamma();
      norm.getGammaMutable().assign(makeConstant(
          builder, norm.getLoc(), gamma.attr,
          std::vector<float>(width, 1.0f), getModelOpName(norm) + ".fused"));
      eraseIfDeadConstant(old);
    }
    for (Operation *op : stream.writers) {
      auto linear = cast<LinearOp>(op);
      LinearWeights w = *readLinear(linear);
      std::vector<float> weight = w.weight.values;
      rotateRows(weight, w.rows, w.cols, block, seedValue);
      replaceWeight(linear, w, weight, "rotated_out");
      if (w.bias) {
        std::vector<float> bias = w.bias->values;
        rotateColumns(bias, 1, w.rows, block, seedValue);
        replaceBias(linear, w, bias, "rotated_bias");
      }
    }
    for (Value entry : stream.entries) {
      Value rotated = insertRotation(entry, block, seedValue);
      entry.replaceAllUsesExcept(rotated, rotated.getDefiningOp());
    }
  }

  /// An online rotation before every linear whose input is not rotated yet;
  /// returns how many inputs were rotated.
  int rotateOnline(ModuleOp module, uint64_t seedValue,
                   const llvm::DenseSet<Operation *> &rotatedInput) {
    llvm::MapVector<Value, SmallVector<LinearOp>> groups;
    module.walk([&](LinearOp op) {
      if (!rotatedInput.contains(op))
        groups[op.getInput()].push_back(op);
    });
    int rotated = 0;
    for (auto &[x, members] : groups) {
      LinearOp first = members.front();
      int64_t width = first.getInFeatures();
      int64_t block = rotationBlock(width);
      if (block == 0 || !llvm::all_of(members, hasConstantWeights)) {
        first.emitRemark() << "rotate: '" << getModelOpName(first)
                           << "' keeps its input unrotated ("
                           << (block == 0 ? "no Hadamard block divides its "
                                            "width"
                                          : "a reader has no constant weight")
                           << ")";
        continue;
      }
      Value y = insertRotation(x, block, seedValue);
      for (LinearOp member : members) {
        LinearWeights w = *readLinear(member);
        std::vector<float> weight = w.weight.values;
        rotateColumns(weight, w.rows, w.cols, block, seedValue);
        replaceWeight(member, w, weight, "rotated");
        member.getInputMutable().assign(y);
      }
      ++rotated;
    }
    if (rotated > 0)
      module.emitRemark() << "rotate: " << rotated
                          << " linear input(s) rotated online";
    return rotated;
  }
};

} // namespace
