//===- DeviceBuffers.cpp - the model's buffers in GPU memory --------------===//

#include "lowbit/Target/GPU/Passes.h"

#include "lowbit/Target/CPU/Passes.h"

#include "MemrefAccess.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
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
    if (!lowbit::gpu::accessesMemref(op))
      return WalkResult::advance();
    op->emitError() << "'" << op->getName()
                    << "' is left in host code and would access GPU "
                       "memory from the host; the GPU pipeline cannot "
                       "run it yet";
    return WalkResult::interrupt();
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

/// The runtime function that returns the device copy of a constant,
/// uploaded at its first use (one per element type: the signature names it).
FailureOr<func::FuncOp> constantFunction(ModuleOp module, Type elementType,
                                         Location loc) {
  std::string name = "__lowbit_cuda_constant_";
  if (elementType.isF32())
    name += "f32";
  else if (elementType.isF16())
    name += "f16";
  else if (elementType.isBF16())
    name += "bf16";
  else if (elementType.isF64())
    name += "f64";
  else if (elementType.isSignlessInteger(1))
    name += "i1";
  else if (elementType.isSignlessInteger(8))
    name += "i8";
  else if (elementType.isSignlessInteger(16))
    name += "i16";
  else if (elementType.isSignlessInteger(32))
    name += "i32";
  else if (elementType.isSignlessInteger(64))
    name += "i64";
  else
    return emitError(loc) << "constants of element type " << elementType
                          << " cannot be put on the GPU yet";
  if (auto func = module.lookupSymbol<func::FuncOp>(name))
    return func;
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  auto flat = MemRefType::get({ShapedType::kDynamic}, elementType);
  auto func = func::FuncOp::create(
      b, loc, name,
      b.getFunctionType({flat, b.getI64Type()}, {flat}));
  func.setPrivate();
  func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(), b.getUnitAttr());
  return func;
}

/// `global` as a device buffer that the runtime uploads once per process
/// and keeps: a call with the constant viewed as 1-D, the result viewed in
/// the constant's shape.
FailureOr<Value> residentConstant(ModuleOp module, OpBuilder &b, Location loc,
                                  memref::GetGlobalOp global) {
  MemRefType type = global.getType();
  FailureOr<func::FuncOp> func =
      constantFunction(module, type.getElementType(), loc);
  if (failed(func))
    return failure();
  auto flat = MemRefType::get({ShapedType::kDynamic}, type.getElementType());
  Value count = arith::ConstantIndexOp::create(b, loc, type.getNumElements());
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  Value host = memref::ReinterpretCastOp::create(
      b, loc, flat, global.getResult(), zero, ArrayRef<OpFoldResult>{count},
      ArrayRef<OpFoldResult>{one});
  int64_t bytes = (type.getElementTypeBitWidth() + 7) / 8;
  Value elementBytes =
      arith::ConstantIntOp::create(b, loc, b.getI64Type(), bytes);
  Value device =
      func::CallOp::create(b, loc, *func, ValueRange{host, elementBytes})
          .getResult(0);
  SmallVector<OpFoldResult> sizes, strides;
  int64_t stride = 1;
  for (int64_t d = type.getRank() - 1; d >= 0; --d) {
    strides.push_back(b.getIndexAttr(stride));
    stride *= type.getDimSize(d);
  }
  std::reverse(strides.begin(), strides.end());
  for (int64_t d : type.getShape())
    sizes.push_back(b.getIndexAttr(d));
  return memref::ReinterpretCastOp::create(b, loc, type, device, zero, sizes,
                                           strides)
      .getResult();
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
        FailureOr<Value> device =
            residentConstant(module, here, global.getLoc(), global);
        if (failed(device))
          return WalkResult::interrupt();
        Operation *hostView = device->getDefiningOp<memref::ReinterpretCastOp>()
                                  .getSource()
                                  .getDefiningOp<func::CallOp>()
                                  .getOperand(0)
                                  .getDefiningOp();
        global.getResult().replaceAllUsesExcept(*device, hostView);
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
