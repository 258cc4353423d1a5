//===- ChannelScaleFolding.h - per-input-channel scales, folded -*- C++ -*-===//
//
// AWQ and SmoothQuant scale the input channels of the linears that read a
// tensor x: the readers take W diag(s) and the producer of x computes
// x diag(1/s) instead, so the float function is unchanged up to rounding.
// The producers that can absorb 1/s: a lowbit.layer_norm (gamma and beta)
// or lowbit.rms_norm (gamma), cloned when it has other readers; a previous
// lowbit.linear that nothing else reads (its rows and bias); the linear
// factor of a gated product (tosa.mul, as in SwiGLU's silu(gate) * up).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_TRANSFORMS_CHANNELSCALEFOLDING_H
#define LOWBIT_LIB_TRANSFORMS_CHANNELSCALEFOLDING_H

#include "lowbit/Dialect/LowBit/LowBitOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <optional>
#include <string>
#include <vector>

namespace lowbit {

/// A float constant operand, read as binary32.
struct ConstantValues {
  mlir::ElementsAttr attr;
  std::vector<float> values;
};

/// The `elements` values of a constant f32/f16/bf16 operand, if it is one.
std::optional<ConstantValues> readConstant(mlir::Value value,
                                           int64_t elements);

/// Whether readConstant(value, elements) would succeed, without reading
/// the values.
bool isReadableConstant(mlir::Value value, int64_t elements);

/// A constant like `like` (type and element type) holding `values`.
mlir::Value makeConstant(mlir::OpBuilder &builder, mlir::Location loc,
                         mlir::ElementsAttr like,
                         const std::vector<float> &values,
                         llvm::StringRef name);

/// The op computing x, when it can take x diag(1/s) into its parameters.
struct Absorber {
  mlir::Operation *op = nullptr;
  /// Why there is none.
  std::string reason;
};

/// Whether every user of `x` is one of `members`.
bool readsOnly(mlir::Value x, llvm::ArrayRef<LinearOp> members);

/// The producer of `x` (with `k` channels) that can absorb 1/s for the
/// linears `members`, or why there is none.
Absorber findAbsorber(mlir::Value x, llvm::ArrayRef<LinearOp> members,
                      int64_t k);

/// Replaces `op`'s weight, whose values (row-major [rows, s.size()]) are
/// `weight` and whose constant is like `like`, by W diag(s), a constant
/// named `<op name>.<tag>`.
void scaleWeightColumns(LinearOp op, mlir::ElementsAttr like,
                        std::vector<float> weight, const std::vector<float> &s,
                        llvm::StringRef tag);

/// Makes `absorber` produce x diag(1/s) for `members` (with `shift` z,
/// (x - z) diag(1/s): only where canAbsorbShift); its new constants are
/// named after it with `tag` (`<name>.<tag>_gamma`, ...).
void foldInverseScales(mlir::Operation *absorber,
                       llvm::ArrayRef<LinearOp> members,
                       const std::vector<float> &s, llvm::StringRef tag,
                       const std::vector<float> *shift = nullptr);

/// Whether `absorber` can also subtract a per-channel shift: a layer norm
/// with a beta, a previous linear with a bias.
bool canAbsorbShift(mlir::Operation *absorber);

} // namespace lowbit

#endif // LOWBIT_LIB_TRANSFORMS_CHANNELSCALEFOLDING_H
