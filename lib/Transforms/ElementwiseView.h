//===- ElementwiseView.h - elementwise ops seen through their form -*- C++ -*-===//
//
// The importer writes an elementwise op either as a TOSA op or as a
// linalg.generic whose body is one arith/math op on its (numpy-broadcast)
// inputs and scalar constants. A view gives both the same description:
// the kind of op and, per operand, the tensor and its value when it is a
// splat constant, so that patterns match either form.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_TRANSFORMS_ELEMENTWISEVIEW_H
#define LOWBIT_LIB_TRANSFORMS_ELEMENTWISEVIEW_H

#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <utility>

namespace lowbit {

enum class EwKind { Add, Sub, Mul, Div, Pow, Sqrt, Rsqrt, Reciprocal, TruncF };

/// An operand of an elementwise op: a tensor (null for a scalar constant of
/// a linalg.generic body), and its value when it is a splat constant.
struct EwOperand {
  mlir::Value tensor;
  std::optional<double> scalar;
};

struct Elementwise {
  EwKind kind;
  llvm::SmallVector<EwOperand, 2> operands;
};

/// The element value of a splat float constant, seen through tosa.reshape.
std::optional<double> splatValue(mlir::Value v);

/// `v` as an elementwise op (tosa.add/sub/mul/pow/rsqrt/reciprocal, or a
/// one-op linalg.generic with broadcast maps), whichever form it has.
std::optional<Elementwise> viewElementwise(mlir::Value v);

/// A view of `v` of the given kind, or nullopt.
std::optional<Elementwise> viewAs(mlir::Value v, EwKind kind);

/// A binary op with one tensor operand and one scalar: the tensor and the
/// scalar (either order).
std::optional<std::pair<mlir::Value, double>>
tensorAndScalar(const Elementwise &e);

} // namespace lowbit

#endif // LOWBIT_LIB_TRANSFORMS_ELEMENTWISEVIEW_H
