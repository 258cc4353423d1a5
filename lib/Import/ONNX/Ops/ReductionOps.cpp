//===- ReductionOps.cpp - ONNX Reduction op handlers ----------------------------------===//

#include "../IRBuilders.h"
#include "../OpRegistry.h"

using namespace mlir;
using namespace lowbit::onnx_import;

void lowbit::onnx_import::registerReductionOps(std::vector<OpHandler> &table) {}
