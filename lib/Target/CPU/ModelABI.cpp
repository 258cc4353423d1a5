//===- ModelABI.cpp - what a compiled model tells its runtime -------------===//
//
// RecordModelABIPass describes the entry function's tensors while they are
// still tensors; EmitModelABIPass turns the description into the two hidden
// symbols the runtime links against (lowbit/Runtime/ModelFormat.h).
//
//===----------------------------------------------------------------------===//

#include "lowbit/Target/CPU/Passes.h"

#include "lowbit-c/lowbit.h"
#include "lowbit/Runtime/ModelFormat.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/Endian.h"

namespace lowbit::cpu {
#define GEN_PASS_DEF_RECORDMODELABIPASS
#define GEN_PASS_DEF_EMITMODELABIPASS
#include "lowbit/Target/CPU/Passes.h.inc"
} // namespace lowbit::cpu

using namespace mlir;

namespace {

struct DtypeEntry {
  const char *name;
  lowbit_dtype code;
  unsigned bits;
  bool isFloat;
};

constexpr DtypeEntry kDtypes[] = {
    {"float32", LOWBIT_DTYPE_FLOAT32, 32, true},
    {"float64", LOWBIT_DTYPE_FLOAT64, 64, true},
    {"float16", LOWBIT_DTYPE_FLOAT16, 16, true},
    {"bfloat16", LOWBIT_DTYPE_BFLOAT16, 16, true},
    {"int8", LOWBIT_DTYPE_INT8, 8, false},
    {"int16", LOWBIT_DTYPE_INT16, 16, false},
    {"int32", LOWBIT_DTYPE_INT32, 32, false},
    {"int64", LOWBIT_DTYPE_INT64, 64, false},
    {"uint8", LOWBIT_DTYPE_UINT8, 8, false},
    {"uint16", LOWBIT_DTYPE_UINT16, 16, false},
    {"uint32", LOWBIT_DTYPE_UINT32, 32, false},
    {"uint64", LOWBIT_DTYPE_UINT64, 64, false},
    {"bool", LOWBIT_DTYPE_BOOL, 1, false},
};

const DtypeEntry *findDtype(StringRef name) {
  for (const DtypeEntry &entry : kDtypes)
    if (name == entry.name)
      return &entry;
  return nullptr;
}

/// The dtype an element type stands for when no `lowbit.dtype` says more
/// (signless integers read as signed).
const DtypeEntry *defaultDtype(Type type) {
  if (type.isF32())
    return findDtype("float32");
  if (type.isF64())
    return findDtype("float64");
  if (type.isF16())
    return findDtype("float16");
  if (type.isBF16())
    return findDtype("bfloat16");
  if (type.isInteger(1))
    return findDtype("bool");
  if (type.isInteger(8))
    return findDtype("int8");
  if (type.isInteger(16))
    return findDtype("int16");
  if (type.isInteger(32))
    return findDtype("int32");
  if (type.isInteger(64))
    return findDtype("int64");
  return nullptr;
}

bool dtypeMatches(const DtypeEntry &dtype, Type type) {
  if (dtype.isFloat)
    return isa<FloatType>(type) && defaultDtype(type) == &dtype;
  return type.isSignlessInteger(dtype.bits);
}

/// {name, dtype, shape} of one argument or result, or failure after an
/// error naming it.
FailureOr<DictionaryAttr> describeTensor(func::FuncOp func, Type type,
                                         DictionaryAttr attrs, StringRef kind,
                                         unsigned index) {
  MLIRContext *context = func.getContext();
  std::string name = (kind + Twine(index)).str();
  if (auto given = attrs ? attrs.getAs<StringAttr>("lowbit.name") : nullptr)
    name = given.getValue().str();
  auto tensorType = dyn_cast<RankedTensorType>(type);
  if (!tensorType || !tensorType.hasStaticShape())
    return func.emitError() << kind << " '" << name << "' has type " << type
                            << "; a compiled model needs tensors of static "
                               "shape";
  if (tensorType.getRank() > LOWBIT_MODEL_MAX_RANK)
    return func.emitError()
           << kind << " '" << name << "' has rank " << tensorType.getRank()
           << "; at most " << LOWBIT_MODEL_MAX_RANK << " is supported";
  Type elementType = tensorType.getElementType();
  const DtypeEntry *dtype = defaultDtype(elementType);
  if (auto given = attrs ? attrs.getAs<StringAttr>("lowbit.dtype") : nullptr)
    dtype = findDtype(given.getValue());
  if (!dtype || !dtypeMatches(*dtype, elementType))
    return func.emitError()
           << kind << " '" << name << "' has element type " << elementType
           << ", which a compiled model cannot take or give";
  // The runtime computes byte sizes in int64_t; keep far from overflow.
  int64_t elements = 1;
  for (int64_t d : tensorType.getShape()) {
    if (d != 0 && elements > (int64_t(1) << 58) / d)
      return func.emitError() << kind << " '" << name << "' is too large";
    elements *= d;
  }
  Builder b(context);
  return b.getDictionaryAttr(
      {b.getNamedAttr("name", b.getStringAttr(name)),
       b.getNamedAttr("dtype", b.getStringAttr(dtype->name)),
       b.getNamedAttr("shape", b.getDenseI64ArrayAttr(tensorType.getShape()))});
}

struct RecordModelABIPass
    : lowbit::cpu::impl::RecordModelABIPassBase<RecordModelABIPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto func = module.lookupSymbol<func::FuncOp>(entry);
    if (!func || func.isExternal()) {
      module.emitError() << "the module has no function '" << entry
                         << "' to compile as the model";
      return signalPassFailure();
    }
    if (func.getNumArguments() + func.getNumResults() >
        LOWBIT_MODEL_MAX_TENSORS) {
      func.emitError("the model has too many inputs and outputs");
      return signalPassFailure();
    }
    SmallVector<Attribute> inputs, outputs;
    for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
      auto described =
          describeTensor(func, type, func.getArgAttrDict(i), "input", i);
      if (failed(described))
        return signalPassFailure();
      inputs.push_back(*described);
    }
    for (auto [i, type] : llvm::enumerate(func.getResultTypes())) {
      auto described =
          describeTensor(func, type, func.getResultAttrDict(i), "output", i);
      if (failed(described))
        return signalPassFailure();
      outputs.push_back(*described);
    }
    Builder b(&getContext());
    module->setAttr(lowbit::cpu::kModelABIAttrName,
                    b.getDictionaryAttr(
                        {b.getNamedAttr("entry", b.getStringAttr(entry)),
                         b.getNamedAttr("inputs", b.getArrayAttr(inputs)),
                         b.getNamedAttr("outputs", b.getArrayAttr(outputs))}));
    func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                  b.getUnitAttr());
    // The description now holds names and dtypes; later conversions would
    // carry unknown attributes down to LLVM IR.
    for (unsigned i = 0; i < func.getNumArguments(); ++i) {
      func.removeArgAttr(i, "lowbit.name");
      func.removeArgAttr(i, "lowbit.dtype");
      func.setArgAttr(i, bufferization::BufferizationDialect::kWritableAttrName,
                      b.getBoolAttr(false));
    }
    for (unsigned i = 0; i < func.getNumResults(); ++i) {
      func.removeResultAttr(i, b.getStringAttr("lowbit.name"));
      func.removeResultAttr(i, b.getStringAttr("lowbit.dtype"));
    }
  }
};

/// One tensor of the recorded description.
struct TensorABI {
  StringRef name;
  const DtypeEntry *dtype;
  ArrayRef<int64_t> shape;
};

FailureOr<SmallVector<TensorABI>> readTensors(Operation *module,
                                              DictionaryAttr abi) {
  SmallVector<TensorABI> tensors;
  for (StringRef key : {"inputs", "outputs"}) {
    auto list = abi.getAs<ArrayAttr>(key);
    if (!list)
      return module->emitError("malformed lowbit.model_abi attribute");
    for (Attribute entry : list) {
      auto dict = dyn_cast<DictionaryAttr>(entry);
      auto name = dict ? dict.getAs<StringAttr>("name") : nullptr;
      auto dtype = dict ? dict.getAs<StringAttr>("dtype") : nullptr;
      auto shape = dict ? dict.getAs<DenseI64ArrayAttr>("shape") : nullptr;
      if (!name || !dtype || !shape || !findDtype(dtype.getValue()))
        return module->emitError("malformed lowbit.model_abi attribute");
      tensors.push_back(
          {name.getValue(), findDtype(dtype.getValue()), shape.asArrayRef()});
    }
  }
  return tensors;
}

/// The byte layout of lowbit/Runtime/ModelFormat.h.
std::string encodeMetadata(ArrayRef<TensorABI> tensors, uint32_t numInputs) {
  std::string bytes(LOWBIT_MODEL_MAGIC, LOWBIT_MODEL_MAGIC_SIZE);
  auto append = [&](auto value) {
    char buffer[sizeof(value)];
    llvm::support::endian::write(buffer, value, llvm::endianness::native);
    bytes.append(buffer, sizeof(value));
  };
  append(uint64_t(0)); // total size, patched below
  append(uint32_t(numInputs));
  append(uint32_t(tensors.size() - numInputs));
  for (const TensorABI &tensor : tensors) {
    append(uint32_t(tensor.dtype->code));
    append(uint32_t(tensor.shape.size()));
    for (int64_t d : tensor.shape)
      append(int64_t(d));
    append(uint32_t(tensor.name.size()));
    bytes.append(tensor.name.begin(), tensor.name.end());
  }
  char total[8];
  llvm::support::endian::write(total, uint64_t(bytes.size()),
                               llvm::endianness::native);
  bytes.replace(LOWBIT_MODEL_MAGIC_SIZE, 8, total, 8);
  return bytes;
}

struct EmitModelABIPass
    : lowbit::cpu::impl::EmitModelABIPassBase<EmitModelABIPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto abi =
        module->getAttrOfType<DictionaryAttr>(lowbit::cpu::kModelABIAttrName);
    if (!abi) {
      module.emitError("the module has no lowbit.model_abi attribute; run "
                       "--lowbit-cpu-record-model-abi before bufferization");
      return signalPassFailure();
    }
    auto entryName = abi.getAs<StringAttr>("entry");
    auto tensors = readTensors(module, abi);
    if (!entryName || failed(tensors))
      return signalPassFailure();
    auto entry = module.lookupSymbol<LLVM::LLVMFuncOp>(entryName);
    // Each memref argument arrives unpacked: allocated and aligned pointers,
    // offset, sizes, strides.
    unsigned expectedArgs = 0;
    for (const TensorABI &tensor : *tensors)
      expectedArgs += 3 + 2 * tensor.shape.size();
    if (!entry || entry.isExternal() ||
        entry.getNumArguments() != expectedArgs ||
        !isa<LLVM::LLVMVoidType>(entry.getFunctionType().getReturnType())) {
      module.emitError() << "expected the entry function '"
                         << entryName.getValue()
                         << "' lowered to LLVM with its results as out-params";
      return signalPassFailure();
    }
    unsigned numInputs = abi.getAs<ArrayAttr>("inputs").size();
    emitInvoke(module, entry, *tensors);
    emitMetadata(module, encodeMetadata(*tensors, numInputs));
    module->removeAttr(lowbit::cpu::kModelABIAttrName);
  }

  void emitInvoke(ModuleOp module, LLVM::LLVMFuncOp entry,
                  ArrayRef<TensorABI> tensors) {
    MLIRContext *context = &getContext();
    Location loc = entry.getLoc();
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    auto ptrType = LLVM::LLVMPointerType::get(context);
    auto invoke = LLVM::LLVMFuncOp::create(
        b, loc, LOWBIT_MODEL_INVOKE_SYMBOL,
        LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(context),
                                    {ptrType}));
    invoke.setVisibility_(LLVM::Visibility::Hidden);
    Block *body = invoke.addEntryBlock(b);
    b.setInsertionPointToStart(body);

    SmallVector<Value> args;
    auto argTypes = entry.getFunctionType().getParams();
    auto constant = [&](int64_t value) {
      Type type = argTypes[args.size()];
      return LLVM::ConstantOp::create(b, loc, type,
                                      b.getIntegerAttr(type, value));
    };
    for (auto [i, tensor] : llvm::enumerate(tensors)) {
      Value slot =
          LLVM::GEPOp::create(b, loc, ptrType, ptrType, body->getArgument(0),
                              ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i)});
      Value data = LLVM::LoadOp::create(b, loc, ptrType, slot);
      args.push_back(data);
      args.push_back(data);
      args.push_back(constant(0));
      for (int64_t d : tensor.shape)
        args.push_back(constant(d));
      int64_t stride = 1;
      SmallVector<int64_t> strides(tensor.shape.size());
      for (int64_t d = tensor.shape.size() - 1; d >= 0; --d) {
        strides[d] = stride;
        stride *= tensor.shape[d];
      }
      for (int64_t s : strides)
        args.push_back(constant(s));
    }
    LLVM::CallOp::create(b, loc, entry, args);
    LLVM::ReturnOp::create(b, loc, ValueRange{});
  }

  void emitMetadata(ModuleOp module, const std::string &bytes) {
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    auto type = LLVM::LLVMArrayType::get(IntegerType::get(&getContext(), 8),
                                         bytes.size());
    auto global = LLVM::GlobalOp::create(
        b, module.getLoc(), type, /*isConstant=*/true, LLVM::Linkage::External,
        LOWBIT_MODEL_METADATA_SYMBOL, b.getStringAttr(bytes),
        /*alignment=*/8);
    global.setVisibility_(LLVM::Visibility::Hidden);
  }
};

} // namespace
