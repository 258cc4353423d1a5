//===- MicrosoftOps.cpp - ONNX Microsoft op handlers ----------------------------------===//

#include "../IRBuilders.h"
#include "../OpRegistry.h"

using namespace mlir;
using namespace lowbit::onnx_import;

void lowbit::onnx_import::registerMicrosoftOps(std::vector<OpHandler> &table) {}
