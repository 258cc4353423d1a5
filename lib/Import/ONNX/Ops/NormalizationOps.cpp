//===- NormalizationOps.cpp - ONNX Normalization op handlers ----------------------------------===//

#include "../IRBuilders.h"
#include "../OpRegistry.h"

using namespace mlir;
using namespace lowbit::onnx_import;

void lowbit::onnx_import::registerNormalizationOps(std::vector<OpHandler> &table) {}
