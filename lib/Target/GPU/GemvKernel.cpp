//===- GemvKernel.cpp - the generated GEMV kernels as gpu.funcs -----------===//
//
// Creates one kernel per GemvShape in gpu.module @lowbit_gemv_kernels (the
// bodies are built in GemvCudaCore.cpp and GemvTensorCore.cpp) and replaces
// an op by its launch.
//
//===----------------------------------------------------------------------===//

#include "GemvKernelBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using lowbit::gpu::GemvShape;
using lowbit::gpu::detail::KernelBuilder;

std::string GemvShape::name() const {
  if (floatWeights)
    return "gemv_f32_m" + std::to_string(m) + "_n" + std::to_string(n) +
           "_k" + std::to_string(k) +
           (biasType ? (biasType.isF16() ? "_b16" : "_b32") : "");
  std::string name = "gemv_w" + std::to_string(bits) +
                     (tensorCores ? "tc" + std::to_string(tensorCoreTiles) : "") +
                     "_m" +
                     std::to_string(m) + "_n" +
                     std::to_string(n) + "_k" + std::to_string(k) + "_g" +
                     std::to_string(groupSize) +
                     (scaleType.isF16() ? "_s16" : "_s32");
  if (hasZeroPoints)
    name += "_zp";
  if (int8Activations)
    name += "_a8";
  if (!tensorCores && codeRows)
    name += "_r" + std::to_string(codeRows);
  if (warpsPerBlock != 4)
    name += "_w" + std::to_string(warpsPerBlock);
  if (warpsSplitN())
    name += "_mt" + std::to_string(mTiles);
  else if (halfActivations())
    name += xInLoadOrder() ? "_xl" : "_xh";
  if (swapAB)
    name += "_sw";
  if (warpRows != 1)
    name += "_wm" + std::to_string(warpRows);
  if (stages)
    name += "_st" + std::to_string(stages);
  if (stages && int8Activations && int8StageK != 64)
    name += "_sk" + std::to_string(int8StageK);
  if (tensorCores && kSplits > 1)
    name += "_ks" + std::to_string(kSplits);
  if (biasType)
    name += biasType.isF16() ? "_b16" : "_b32";
  return name;
}

void GemvShape::xLayout(SmallVectorImpl<int64_t> &outShape,
                        SmallVectorImpl<unsigned> &perm) const {
  const int64_t g = xInterleave();
  outShape.assign({m, k});
  perm.assign({0, 1});
  if (!xInLoadOrder()) {
    // Interleaved alone: value a + g b of a block at 2 a + b.
    if (g) {
      outShape.assign({m, k / (2 * g), g, 2});
      perm.assign({0, 1, 3, 2});
    }
    return;
  }
  // [M, K / 128, chunk of the step, value of the chunk], the chunk and the
  // value each split into axes: per group of axes, their sizes as stored
  // and, in x's order, which of them each of x's axes is.
  outShape.assign({m, k / 128});
  auto group = [&](ArrayRef<int64_t> sizes, ArrayRef<unsigned> xOrder) {
    const unsigned first = outShape.size();
    llvm::append_range(outShape, sizes);
    for (unsigned axis : xOrder)
      perm.push_back(first + axis);
  };
  // Chunks: stored as (h, q), x's chunk being 4 q + h; values: with the
  // interleave (g = 4), value a + 4 b of the chunk at 2 a + b.
  group({4, 4}, {1, 0});
  if (g)
    group({4, 2}, {1, 0});
  else
    group({8}, {0});
}

namespace {
constexpr llvm::StringLiteral kKernelModuleName = "lowbit_gemv_kernels";
} // namespace

/// `value` ([..., K], or a matrix [M, K]) as `shape`, one of the two being
/// the [M, K] matrix of the other: a collapse or an expansion of the leading
/// axes, which bufferizes to a view (a tensor.reshape with a shape operand
/// would leave a memref.reshape reading that shape on the host).
Value lowbit::gpu::reshape(OpBuilder &b, Location loc, Value value,
                           ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getShape() == shape)
    return value;
  auto target = RankedTensorType::get(shape, type.getElementType());
  bool collapsing = type.getRank() > static_cast<int64_t>(shape.size());
  int64_t rank = collapsing ? type.getRank() : static_cast<int64_t>(shape.size());
  int64_t small = collapsing ? static_cast<int64_t>(shape.size()) : type.getRank();
  // Leading axes fold into the first one of the smaller shape (a vector
  // [K] is the matrix [1, K]).
  SmallVector<ReassociationIndices> groups;
  if (small == 1) {
    ReassociationIndices all;
    for (int64_t i = 0; i < rank; ++i)
      all.push_back(i);
    groups.push_back(all);
  } else {
    ReassociationIndices leading;
    for (int64_t i = 0; i < rank - 1; ++i)
      leading.push_back(i);
    groups = {leading, {rank - 1}};
  }
  if (collapsing)
    return tensor::CollapseShapeOp::create(b, loc, target, value, groups);
  return tensor::ExpandShapeOp::create(b, loc, target, value, groups);
}

Value lowbit::gpu::toBuffer(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  return bufferization::ToBufferOp::create(
      b, loc, MemRefType::get(type.getShape(), type.getElementType()), tensor,
      /*read_only=*/true);
}

SmallVector<Value> lowbit::gpu::launchWithResults(
    OpBuilder &b, Location loc, mlir::gpu::GPUFuncOp kernel,
    ArrayRef<int64_t> grid, int64_t threads, ArrayRef<Value> args,
    ArrayRef<RankedTensorType> results) {
  SmallVector<Value> operands(args), outs;
  for (RankedTensorType type : results) {
    outs.push_back(memref::AllocOp::create(
        b, loc, MemRefType::get(type.getShape(), type.getElementType())));
    operands.push_back(outs.back());
  }
  auto constant = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value one = constant(1);
  mlir::gpu::LaunchFuncOp::create(
      b, loc, kernel, {constant(grid[0]), constant(grid[1]), constant(grid[2])},
      {constant(threads), one, one}, Value(), operands);
  SmallVector<Value> tensors;
  for (auto [type, out] : llvm::zip(results, outs))
    tensors.push_back(bufferization::ToTensorOp::create(
        b, loc, type, out, /*restrict=*/true, /*writable=*/true));
  return tensors;
}

Value lowbit::gpu::launchWithResult(OpBuilder &b, Location loc,
                                    mlir::gpu::GPUFuncOp kernel,
                                    ArrayRef<int64_t> grid, int64_t threads,
                                    ArrayRef<Value> args,
                                    ArrayRef<int64_t> resultShape) {
  return launchWithResults(
      b, loc, kernel, grid, threads, args,
      {RankedTensorType::get(resultShape, b.getF32Type())})[0];
}

/// `value` combined over the 32 lanes of the warp by `combine`, in every
/// lane (5 xor shuffles).
template <typename Combine>
static Value warpReduce(OpBuilder &b, Location loc, Value value) {
  for (int32_t offset = 16; offset >= 1; offset /= 2) {
    auto shuffle = mlir::gpu::ShuffleOp::create(b, loc, value, offset, 32,
                                                mlir::gpu::ShuffleMode::XOR);
    value = Combine::create(b, loc, value, shuffle.getShuffleResult());
  }
  return value;
}

Value lowbit::gpu::warpSum(OpBuilder &b, Location loc, Value value) {
  if (isa<IntegerType>(value.getType()))
    return warpReduce<arith::AddIOp>(b, loc, value);
  return warpReduce<arith::AddFOp>(b, loc, value);
}

Value lowbit::gpu::warpMax(OpBuilder &b, Location loc, Value value) {
  return warpReduce<arith::MaxNumFOp>(b, loc, value);
}

void lowbit::gpu::storeIf(OpBuilder &b, Location loc, Value condition,
                          Value value, Value memref, ValueRange indices) {
  auto write = scf::IfOp::create(b, loc, condition);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(write.thenBlock());
  memref::StoreOp::create(b, loc, value, memref, indices);
}

Value lowbit::gpu::blockReduce(OpBuilder &b, Location loc, Value value,
                               Value partials, Value tid, int64_t warps,
                               ReduceKind kind) {
  auto combine = [&](Value a, Value c) -> Value {
    if (kind == ReduceKind::Sum)
      return arith::AddFOp::create(b, loc, a, c);
    return arith::MaxNumFOp::create(b, loc, a, c);
  };
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value warpTotal = kind == ReduceKind::Sum ? warpSum(b, loc, value)
                                            : warpMax(b, loc, value);
  Value lane = arith::RemUIOp::create(b, loc, tid, index(32));
  Value warp = arith::DivUIOp::create(b, loc, tid, index(32));
  Value isLane0 =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lane, index(0));
  storeIf(b, loc, isLane0, warpTotal, partials, ValueRange{warp});
  mlir::gpu::BarrierOp::create(b, loc);
  Value total = arith::ConstantFloatOp::create(b, loc, b.getF32Type(),
                                               APFloat(0.0f));
  for (int64_t w = 0; w < warps; ++w)
    total = combine(total, memref::LoadOp::create(b, loc, partials,
                                                  ValueRange{index(w)}));
  return total;
}

mlir::gpu::GPUFuncOp lowbit::gpu::createRowKernel(OpBuilder &b,
                                                  mlir::gpu::GPUModuleOp module,
                                                  StringRef name,
                                                  TypeRange args,
                                                  int64_t threads,
                                                  Location loc) {
  b.setInsertionPointToEnd(module.getBody());
  auto workgroup = mlir::gpu::AddressSpaceAttr::get(
      module.getContext(), mlir::gpu::AddressSpace::Workgroup);
  auto func = mlir::gpu::GPUFuncOp::create(
      b, loc, name, b.getFunctionType(args, {}),
      TypeRange{MemRefType::get({threads / 32}, b.getF32Type(),
                                MemRefLayoutAttrInterface(), workgroup)});
  func->setAttr(mlir::gpu::GPUDialect::getKernelFuncAttrName(),
                b.getUnitAttr());
  func.setKnownBlockSizeAttr(
      b.getDenseI32ArrayAttr({int32_t(threads), 1, 1}));
  b.setInsertionPointToStart(&func.front());
  return func;
}

mlir::gpu::GPUModuleOp lowbit::gpu::getOrCreateKernelModule(ModuleOp module) {
  OpBuilder b(module.getContext());
  module->setAttr(mlir::gpu::GPUDialect::getContainerModuleAttrName(),
                  b.getUnitAttr());
  if (auto kernels =
          module.lookupSymbol<mlir::gpu::GPUModuleOp>(kKernelModuleName))
    return kernels;
  b.setInsertionPointToEnd(module.getBody());
  return mlir::gpu::GPUModuleOp::create(b, module.getLoc(), kKernelModuleName);
}

mlir::gpu::GPUFuncOp lowbit::gpu::getOrBuildGemvKernel(
    mlir::gpu::GPUModuleOp module, const GemvShape &shape,
    const GemvEpilogue &epilogue, Location loc) {
  std::string name = shape.name();
  if (!epilogue.empty())
    name += "_e" + epilogue.key();
  if (auto existing = module.lookupSymbol<mlir::gpu::GPUFuncOp>(name))
    return existing;
  MLIRContext *context = module.getContext();
  OpBuilder b(context);
  b.setInsertionPointToEnd(module.getBody());
  Type f32 = b.getF32Type(), i8 = b.getI8Type();
  int64_t groups = shape.floatWeights ? 0 : shape.k / shape.groupSize;
  Type xElement = shape.int8Activations   ? Type(i8)
                  : shape.halfActivations() ? Type(b.getF16Type())
                                            : f32;
  SmallVector<Type> args = {MemRefType::get({shape.m, shape.k}, xElement)};
  if (shape.floatWeights) {
    args.push_back(MemRefType::get({shape.n, shape.k}, f32));
  } else {
    args.push_back(MemRefType::get({shape.n, shape.k * shape.bits / 8}, i8));
    args.push_back(MemRefType::get({shape.n, groups}, shape.scaleType));
  }
  if (shape.hasZeroPoints)
    args.push_back(MemRefType::get({shape.n, groups}, i8));
  if (shape.biasType)
    args.push_back(MemRefType::get({shape.n}, shape.biasType));
  if (shape.int8Activations)
    args.push_back(MemRefType::get({shape.m}, f32));
  for (size_t i = 0; i < epilogue.operands.size(); ++i)
    args.push_back(MemRefType::get({shape.m, shape.n}, f32));
  if (shape.tensorCores && shape.kSplits > 1)
    args.push_back(MemRefType::get({shape.kSplits, shape.m, shape.n}, f32));
  else
    args.push_back(MemRefType::get({shape.m, shape.n}, f32));
  auto workgroup = mlir::gpu::AddressSpaceAttr::get(context,
                                              mlir::gpu::AddressSpace::Workgroup);
  SmallVector<Type> workgroups;
  if (shape.partialsPerWarp() > 0)
    workgroups.push_back(MemRefType::get(
        {shape.warpsPerBlock, shape.partialsPerWarp()}, f32,
        MemRefLayoutAttrInterface(), workgroup));
  if (shape.stages) {
    // The stages of x (codes, or f16) and of weight codes: [stages, rows,
    // row bytes]; W8A8 in 64-byte parts of the stage's K, [stages, parts *
    // rows, 64].
    Type xType = shape.int8Activations ? Type(i8) : Type(b.getF16Type());
    const int64_t parts = shape.stageParts();
    workgroups.push_back(MemRefType::get(
        {shape.stages, parts * shape.rowsPerBlock(),
         shape.stagedXRowBytes() / parts / (shape.int8Activations ? 1 : 2)},
        xType, MemRefLayoutAttrInterface(), workgroup));
    workgroups.push_back(MemRefType::get(
        {shape.stages, parts * shape.channelsPerBlock(),
         shape.stagedWeightRowBytes() / parts},
        i8, MemRefLayoutAttrInterface(), workgroup));
  }
  auto func = mlir::gpu::GPUFuncOp::create(b, loc, name,
                                     b.getFunctionType(args, {}), workgroups);
  func->setAttr(mlir::gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  func.setKnownBlockSizeAttr(b.getDenseI32ArrayAttr(
      {int32_t(32 * shape.warpsPerBlock), 1, 1}));
  // The stages are read 16 bytes at a time and filled by 16-byte cp.async:
  // both need 16-byte alignment, which an i8 buffer would not get.
  for (unsigned i = 0; shape.stages && i < workgroups.size(); ++i)
    func.setWorkgroupAttributionAttr(i, LLVM::LLVMDialect::getAlignAttrName(),
                                     b.getI64IntegerAttr(16));
  KernelBuilder builder{b, loc, shape, &epilogue};
  builder.build(func);
  return func;
}

void lowbit::gpu::replaceWithGemvLaunch(ModuleOp module, Operation *op,
                                        const GemvShape &shape, Value input,
                                        ValueRange weights, bool fuseEpilogue) {
  OpBuilder b(module.getContext());
  mlir::gpu::GPUModuleOp kernels = getOrCreateKernelModule(module);
  Location loc = op->getLoc();
  const int64_t splits = shape.tensorCores ? shape.kSplits : 1;
  GemvEpilogue epilogue;
  if (fuseEpilogue && splits == 1)
    epilogue = collectGemvEpilogue(op);
  mlir::gpu::GPUFuncOp kernel =
      getOrBuildGemvKernel(kernels, shape, epilogue, loc);
  // The launch replaces the epilogue's last op, after every tensor it reads.
  Operation *replaced = epilogue.empty() ? op : epilogue.ops.back();
  b.setInsertionPoint(replaced);
  Value x = reshape(b, loc, input, {shape.m, shape.k});
  if (shape.halfActivations()) {
    // x rounded to f16 once (an elementwise kernel), not by every block, and
    // stored in the order the kernel reads it (GemvShape::xLayout).
    SmallVector<int64_t> outShape;
    SmallVector<unsigned> perm;
    shape.xLayout(outShape, perm);
    SmallVector<int64_t> inShape;
    for (unsigned axis : perm)
      inShape.push_back(outShape[axis]);
    const unsigned rank = outShape.size();
    SmallVector<ReassociationIndices> axes = {{0}, {}};
    for (unsigned axis = 1; axis < rank; ++axis)
      axes[1].push_back(axis);
    if (rank > 2)
      x = tensor::ExpandShapeOp::create(
          b, loc, RankedTensorType::get(inShape, b.getF32Type()), x, axes);
    Value empty = tensor::EmptyOp::create(b, loc, outShape, b.getF16Type());
    x = linalg::GenericOp::create(
            b, loc, RankedTensorType::get(outShape, b.getF16Type()),
            ValueRange{x}, ValueRange{empty},
            ArrayRef<AffineMap>{
                AffineMap::getPermutationMap(perm, b.getContext()),
                b.getMultiDimIdentityMap(rank)},
            SmallVector<utils::IteratorType>(rank,
                                             utils::IteratorType::parallel),
            [](OpBuilder &nb, Location l, ValueRange args) {
              linalg::YieldOp::create(
                  nb, l,
                  Value(arith::TruncFOp::create(nb, l, nb.getF16Type(),
                                                args[0])));
            })
            .getResult(0);
    if (rank > 2)
      x = tensor::CollapseShapeOp::create(
          b, loc, RankedTensorType::get({shape.m, shape.k}, b.getF16Type()),
          x, axes);
  }
  SmallVector<Value> args = {toBuffer(b, loc, x)};
  for (Value weight : weights)
    args.push_back(toBuffer(b, loc, weight));
  for (Value operand : epilogue.operands)
    args.push_back(
        toBuffer(b, loc, reshape(b, loc, operand, {shape.m, shape.n})));
  SmallVector<int64_t> outShape = {shape.m, shape.n};
  if (splits > 1)
    outShape.insert(outShape.begin(), splits);
  Value result = launchWithResult(
      b, loc, kernel,
      {shape.n / shape.channelsPerBlock(), splits, shape.mBlocks()},
      32 * shape.warpsPerBlock, args, outShape);
  if (splits > 1) {
    // The splits' partial sums, added up in split order: an elementwise op
    // over [M, N] on the S slices, which the generic mapping spreads over
    // M x N threads (a linalg.reduce over the leading dimension became one
    // block of 32 threads, 7 ms for a 16 x 4096 result on an H100).
    auto type = RankedTensorType::get({shape.m, shape.n}, b.getF32Type());
    SmallVector<Value> slices;
    for (int64_t split = 0; split < splits; ++split)
      slices.push_back(tensor::ExtractSliceOp::create(
          b, loc, type, result,
          ArrayRef<OpFoldResult>{b.getIndexAttr(split), b.getIndexAttr(0),
                                 b.getIndexAttr(0)},
          ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(shape.m),
                                 b.getIndexAttr(shape.n)},
          ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1),
                                 b.getIndexAttr(1)}));
    Value empty = tensor::EmptyOp::create(b, loc, type.getShape(),
                                          type.getElementType());
    AffineMap identity = b.getMultiDimIdentityMap(2);
    SmallVector<AffineMap> maps(splits + 1, identity);
    SmallVector<utils::IteratorType> iterators(
        2, utils::IteratorType::parallel);
    result = linalg::GenericOp::create(
                 b, loc, TypeRange{type}, slices, ValueRange{empty}, maps,
                 iterators,
                 [&](OpBuilder &nb, Location l, ValueRange args) {
                   Value sum = arith::ConstantOp::create(
                       nb, l, nb.getF32FloatAttr(0.0f));
                   for (Value partial : args.drop_back())
                     sum = arith::AddFOp::create(nb, l, sum, partial);
                   linalg::YieldOp::create(nb, l, sum);
                 })
                 .getResult(0);
  }
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  replaced->getResult(0).replaceAllUsesWith(
      reshape(b, loc, result, resultType.getShape()));
  for (Operation *fused : llvm::reverse(epilogue.ops))
    fused->erase();
  op->erase();
}
