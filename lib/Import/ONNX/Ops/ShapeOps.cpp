//===- ShapeOps.cpp - ONNX Shape op handlers ----------------------------------===//

#include "../IRBuilders.h"
#include "../OpRegistry.h"

using namespace mlir;
using namespace lowbit::onnx_import;

void lowbit::onnx_import::registerShapeOps(std::vector<OpHandler> &table) {}
