//===- ConvPoolOps.cpp - ONNX ConvPool op handlers ----------------------------------===//

#include "../IRBuilders.h"
#include "../OpRegistry.h"

using namespace mlir;
using namespace lowbit::onnx_import;

void lowbit::onnx_import::registerConvPoolOps(std::vector<OpHandler> &table) {}
