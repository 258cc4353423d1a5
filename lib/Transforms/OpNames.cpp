//===- OpNames.cpp - the model's own name of an operation -----------------===//

#include "lowbit/Transforms/OpNames.h"

#include "mlir/IR/Block.h"
#include "mlir/IR/Location.h"

using namespace mlir;

static StringAttr findName(Location loc) {
  if (auto named = dyn_cast<NameLoc>(loc))
    return named.getName();
  if (auto fused = dyn_cast<FusedLoc>(loc)) {
    for (Location inner : fused.getLocations())
      if (StringAttr name = findName(inner))
        return name;
    return {};
  }
  if (auto callSite = dyn_cast<CallSiteLoc>(loc))
    return findName(callSite.getCallee());
  return {};
}

std::string lowbit::getModelOpName(Operation *op) {
  if (StringAttr name = findName(op->getLoc()); name && !name.empty())
    return name.str();
  unsigned position = 0;
  if (Block *block = op->getBlock())
    for (Operation &other : *block) {
      if (&other == op)
        break;
      ++position;
    }
  return op->getName().getStringRef().str() + "@" + std::to_string(position);
}
