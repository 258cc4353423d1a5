//===- lowbit-opt.cpp - mlir-opt with the lowbit dialect and passes -------===//

#include "lowbit/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  lowbit::registerAllPasses();
  mlir::DialectRegistry registry;
  lowbit::registerAllDialects(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "lowbit optimizer: the lowbit dialect and passes\n",
      registry));
}
