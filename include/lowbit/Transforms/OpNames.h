//===- OpNames.h - the model's own name of an operation ---------*- C++ -*-===//

#ifndef LOWBIT_TRANSFORMS_OPNAMES_H
#define LOWBIT_TRANSFORMS_OPNAMES_H

#include "mlir/IR/Operation.h"
#include <string>

namespace lowbit {

/// The ONNX node name carried in the op's location (the outermost NameLoc,
/// looking through fused and call-site locations), or, when there is none,
/// "<op kind>@<position in its block>", e.g. "lowbit.linear@3".
std::string getModelOpName(mlir::Operation *op);

} // namespace lowbit

#endif // LOWBIT_TRANSFORMS_OPNAMES_H
