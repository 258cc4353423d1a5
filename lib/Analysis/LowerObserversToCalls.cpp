//===- LowerObserversToCalls.cpp - probes to calibrator calls -------------===//

#include "lowbit/Analysis/Calibrator.h"
#include "lowbit/Analysis/Passes.h"
#include "lowbit/Dialect/LowBit/LowBitOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWEROBSERVERSTOCALLSPASS
#include "lowbit/Analysis/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

struct LowerObserversToCallsPass
    : lowbit::impl::LowerObserversToCallsPassBase<LowerObserversToCallsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<ObserveOp> probes;
    module.walk([&](ObserveOp probe) { probes.push_back(probe); });
    if (probes.empty())
      return;

    MLIRContext *context = &getContext();
    OpBuilder builder(context);
    Type f32 = builder.getF32Type();
    auto anyMemRef = UnrankedMemRefType::get(f32, /*memorySpace=*/0);
    auto calleeType =
        builder.getFunctionType({builder.getI64Type(), anyMemRef}, {});
    auto callee = module.lookupSymbol<func::FuncOp>(kObserveCallee);
    if (!callee) {
      builder.setInsertionPointToStart(module.getBody());
      callee = func::FuncOp::create(builder, module.getLoc(), kObserveCallee,
                                    calleeType);
      callee.setPrivate();
      callee->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                      builder.getUnitAttr());
    } else if (callee.getFunctionType() != calleeType) {
      module.emitError() << "the module already has a function '"
                         << kObserveCallee << "' of another type";
      return signalPassFailure();
    }

    SmallVector<Attribute> tags;
    if (auto existing = module->getAttrOfType<ArrayAttr>(kObserverTagsAttrName))
      tags.assign(existing.begin(), existing.end());
    for (ObserveOp probe : probes) {
      auto type = cast<RankedTensorType>(probe.getInput().getType());
      if (!type.getElementType().isF32()) {
        probe.emitError() << "calibration reads f32 activations; probe '"
                          << probe.getTag() << "' observes " << type;
        return signalPassFailure();
      }
      builder.setInsertionPoint(probe);
      Location loc = probe.getLoc();
      auto bufferType = MemRefType::get(type.getShape(), f32);
      auto buffer = bufferization::ToBufferOp::create(
          builder, loc, bufferType, probe.getInput(), /*read_only=*/true);
      Value any = memref::CastOp::create(builder, loc, anyMemRef, buffer);
      Value id = arith::ConstantOp::create(
          builder, loc, builder.getI64IntegerAttr(tags.size()));
      func::CallOp::create(builder, loc, callee, ValueRange{id, any});
      tags.push_back(probe.getTagAttr());
      probe.getResult().replaceAllUsesWith(probe.getInput());
      probe.erase();
    }
    module->setAttr(kObserverTagsAttrName, builder.getArrayAttr(tags));
  }
};

} // namespace
