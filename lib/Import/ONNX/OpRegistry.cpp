//===- OpRegistry.cpp - the table of ONNX op handlers ---------------------===//

#include "OpRegistry.h"

#include <algorithm>
#include <cstring>

using namespace lowbit::onnx_import;

static std::vector<OpHandler> buildTable() {
  std::vector<OpHandler> table;
  registerElementwiseOps(table);
  registerShapeOps(table);
  registerLinearOps(table);
  registerConvPoolOps(table);
  registerNormalizationOps(table);
  registerReductionOps(table);
  registerMicrosoftOps(table);
  registerMiscOps(table);
  registerQuantizeOps(table);
  registerEinsumOps(table);
  registerRecurrentOps(table);
  registerResizeOps(table);
  std::sort(table.begin(), table.end(), [](const OpHandler &a, const OpHandler &b) {
    if (int c = std::strcmp(a.domain, b.domain))
      return c < 0;
    if (int c = std::strcmp(a.opType, b.opType))
      return c < 0;
    return a.sinceVersion < b.sinceVersion;
  });
  return table;
}

llvm::ArrayRef<OpHandler> lowbit::onnx_import::allOpHandlers() {
  static const std::vector<OpHandler> table = buildTable();
  return table;
}

static bool sameDomain(llvm::StringRef a, llvm::StringRef b) {
  auto normalize = [](llvm::StringRef d) {
    return d == "ai.onnx" ? llvm::StringRef() : d;
  };
  return normalize(a) == normalize(b);
}

const OpHandler *lowbit::onnx_import::lookupOpHandler(llvm::StringRef domain,
                                                      llvm::StringRef opType,
                                                      int opsetVersion) {
  const OpHandler *best = nullptr;
  for (const OpHandler &h : allOpHandlers())
    if (sameDomain(h.domain, domain) && opType == h.opType &&
        h.sinceVersion <= opsetVersion &&
        (!best || h.sinceVersion > best->sinceVersion))
      best = &h;
  return best;
}

bool lowbit::onnx_import::hasAnyOpHandler(llvm::StringRef domain,
                                          llvm::StringRef opType) {
  for (const OpHandler &h : allOpHandlers())
    if (sameDomain(h.domain, domain) && opType == h.opType)
      return true;
  return false;
}
