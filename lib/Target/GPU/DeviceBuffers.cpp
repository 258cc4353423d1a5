//===- DeviceBuffers.cpp - the model's buffers in GPU memory --------------===//

#include "lowbit/Target/GPU/Passes.h"

#include "lowbit/Target/CPU/Passes.h"

#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace lowbit::gpu {
#define GEN_PASS_DEF_DEVICEBUFFERSPASS
#include "lowbit/Target/GPU/Passes.h.inc"
} // namespace lowbit::gpu

using namespace mlir;

namespace {

/// Host code may only move buffers around; the first op that reads or writes
/// memref contents outside a gpu.launch is reported.
LogicalResult checkHostCode(func::FuncOp func) {
  WalkResult result = func.walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (isa<mlir::gpu::LaunchOp>(op))
      return WalkResult::skip();
    if (op->getDialect() &&
        isa<mlir::gpu::GPUDialect>(op->getDialect()))
      return WalkResult::advance();
    auto effects = dyn_cast<MemoryEffectOpInterface>(op);
    if (!effects)
      return WalkResult::advance();
    SmallVector<MemoryEffects::EffectInstance> list;
    effects.getEffects(list);
    for (const MemoryEffects::EffectInstance &effect : list) {
      if (!isa<MemoryEffects::Read, MemoryEffects::Write>(effect.getEffect()))
        continue;
      Value value = effect.getValue();
      if (value && isa<BaseMemRefType>(value.getType())) {
        op->emitError() << "'" << op->getName()
                        << "' is left in host code and would access GPU "
                           "memory from the host; the GPU pipeline cannot "
                           "run it yet";
        return WalkResult::interrupt();
      }
    }
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

Value allocDevice(OpBuilder &b, Location loc, MemRefType type,
                  ValueRange dynamicSizes) {
  auto deviceType = MemRefType::get(type.getShape(), type.getElementType());
  return mlir::gpu::AllocOp::create(b, loc, deviceType, /*asyncToken=*/Type(),
                                    ValueRange{}, dynamicSizes, ValueRange{},
                                    /*hostShared=*/false)
      .getMemref();
}

void copy(OpBuilder &b, Location loc, Value dst, Value src) {
  mlir::gpu::MemcpyOp::create(b, loc, /*asyncToken=*/Type(), ValueRange{}, dst,
                              src);
}

struct DeviceBuffersPass
    : lowbit::gpu::impl::DeviceBuffersPassBase<DeviceBuffersPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto abi =
        module->getAttrOfType<DictionaryAttr>(lowbit::cpu::kModelABIAttrName);
    auto entryName = abi ? abi.getAs<StringAttr>("entry") : nullptr;
    auto inputs = abi ? abi.getAs<ArrayAttr>("inputs") : nullptr;
    if (!entryName || !inputs) {
      module.emitError("the module has no lowbit.model_abi attribute; run "
                       "--lowbit-cpu-record-model-abi before bufferization");
      return signalPassFailure();
    }
    auto func = module.lookupSymbol<func::FuncOp>(entryName);
    if (!func || func.isExternal() || !func.getBody().hasOneBlock()) {
      module.emitError() << "expected the entry function '"
                         << entryName.getValue() << "' with one block";
      return signalPassFailure();
    }
    if (failed(checkHostCode(func)))
      return signalPassFailure();

    Block &body = func.front();
    auto ret = dyn_cast<func::ReturnOp>(body.getTerminator());
    if (!ret || ret.getNumOperands() != 0) {
      func.emitError("expected the results to be out-params (a bare return)");
      return signalPassFailure();
    }
    Location loc = func.getLoc();
    OpBuilder b = OpBuilder::atBlockBegin(&body);
    SmallVector<Value> freeAtExit;
    SmallVector<std::pair<Value, Value>> copyOut; // (host, device)
    unsigned numInputs = inputs.size();
    for (BlockArgument arg : body.getArguments()) {
      auto type = dyn_cast<MemRefType>(arg.getType());
      if (!type)
        continue;
      if (!type.hasStaticShape() || !type.getLayout().isIdentity()) {
        func.emitError() << "argument " << arg.getArgNumber() << " has type "
                         << type << "; expected a static, dense memref";
        return signalPassFailure();
      }
      Value device = allocDevice(b, loc, type, {});
      arg.replaceAllUsesWith(device);
      if (arg.getArgNumber() < numInputs)
        copy(b, loc, device, arg);
      else
        copyOut.push_back({arg, device});
      freeAtExit.push_back(device);
    }

    SmallVector<Operation *> erase;
    WalkResult walk = func.walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (isa<mlir::gpu::LaunchOp>(op))
        return WalkResult::skip();
      if (isa<memref::AllocOp, memref::AllocaOp>(op) &&
          op->getBlock() != &body) {
        op->emitError("a buffer allocated inside a region of host code is "
                      "not supported by the GPU pipeline yet");
        return WalkResult::interrupt();
      }
      if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
        OpBuilder here(op);
        Value device = allocDevice(here, op->getLoc(), alloc.getType(),
                                   alloc.getDynamicSizes());
        alloc.replaceAllUsesWith(device);
        freeAtExit.push_back(device);
        erase.push_back(op);
      } else if (auto alloca = dyn_cast<memref::AllocaOp>(op)) {
        OpBuilder here(op);
        Value device = allocDevice(here, op->getLoc(), alloca.getType(),
                                   alloca.getDynamicSizes());
        alloca.replaceAllUsesWith(device);
        freeAtExit.push_back(device);
        erase.push_back(op);
      } else if (isa<memref::DeallocOp>(op)) {
        // Every buffer is freed once, at exit.
        erase.push_back(op);
      } else if (auto global = dyn_cast<memref::GetGlobalOp>(op)) {
        if (!global.getType().getLayout().isIdentity()) {
          op->emitError("a constant with a strided layout cannot be copied "
                        "to the GPU yet");
          return WalkResult::interrupt();
        }
        OpBuilder here(op->getBlock(), std::next(op->getIterator()));
        Value device = allocDevice(here, op->getLoc(), global.getType(), {});
        global.getResult().replaceAllUsesExcept(device,
                                                device.getDefiningOp());
        copy(here, op->getLoc(), device, global.getResult());
        freeAtExit.push_back(device);
      }
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();
    for (Operation *op : erase)
      op->erase();

    b.setInsertionPoint(ret);
    for (auto [host, device] : copyOut)
      copy(b, loc, host, device);
    for (Value device : freeAtExit)
      mlir::gpu::DeallocOp::create(b, loc, /*asyncToken=*/Type(), ValueRange{},
                                   device);
  }
};

} // namespace
