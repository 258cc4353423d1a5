//===- TileAndVectorize.cpp - register-sized tiles of linalg ops ----------===//
//
// Tile sizes are chosen per op from its static loop ranges (see the pass
// description); they divide the ranges, so tiles have static shapes and the
// vectorizer needs no masks. An op that cannot be vectorized is still tiled
// only when its vectorization precondition holds, so nothing is tiled for
// nothing.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Target/CPU/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace lowbit::cpu {
#define GEN_PASS_DEF_TILEANDVECTORIZEPASS
#include "lowbit/Target/CPU/Passes.h.inc"
} // namespace lowbit::cpu

using namespace mlir;

namespace {

/// Rows of accumulators in a register tile of a contraction.
constexpr int64_t kRowBlock = 8;
/// Vectors of accumulators in a contraction's register tile, and at most
/// this many of them side by side in one row: enough independent FMA chains
/// to hide the FMA latency. (8 rows by 2 vectors measured 1.2-1.5x slower
/// than 8 by 1 on Zen 4 at M = 16 and 128.)
constexpr int64_t kAccumulatorVectors = 8;
constexpr int64_t kMaxColumnVectors = 8;
/// Ops with fewer points in their iteration space run on one thread: the
/// start of a parallel region would cost more than it saves.
constexpr int64_t kMinParallelWork = int64_t(1) << 20;
/// Larger ops are not vectorized whole (they would unroll into thousands of
/// vector operations); they must be tiled first.
constexpr int64_t kMaxVectorElements = 4096;

int64_t largestDivisorAtMost(int64_t extent, int64_t limit) {
  if (extent <= limit)
    return extent;
  for (int64_t d = limit; d > 1; --d)
    if (extent % d == 0)
      return d;
  return 1;
}

/// The largest multiple of `unit` that divides `extent` and is at most
/// `limit`; 0 when there is none.
int64_t largestMultipleDividing(int64_t extent, int64_t unit, int64_t limit) {
  for (int64_t d = limit / unit * unit; d >= unit; d -= unit)
    if (extent % d == 0)
      return d;
  return 0;
}

/// The loop that walks an operand's innermost (contiguous) axis, when that
/// axis is indexed by a plain loop.
std::optional<unsigned> innermostLoop(AffineMap map) {
  if (map.getNumResults() == 0)
    return std::nullopt;
  if (auto dim = dyn_cast<AffineDimExpr>(map.getResults().back()))
    return dim.getPosition();
  return std::nullopt;
}

int64_t elementsPerVector(Type elementType, unsigned vectorBytes) {
  unsigned bits = std::max(8u, elementType.getIntOrFloatBitWidth());
  return std::max<int64_t>(1, int64_t(vectorBytes) * 8 / bits);
}

/// The column loop (the output's innermost) of a contraction with more
/// columns than rows: its weights are the larger operand, so column strips
/// go outermost. Each strip of weights then stays in cache while every row
/// block passes over it, instead of all the weights streaming from memory
/// once per row block.
std::optional<unsigned> wideColumnLoop(linalg::LinalgOp op) {
  if (!linalg::isaContractionOpInterface(op) || op.getNumDpsInits() != 1)
    return std::nullopt;
  AffineMap output = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  unsigned rank = output.getNumResults();
  if (rank < 2)
    return std::nullopt;
  auto column = dyn_cast<AffineDimExpr>(output.getResult(rank - 1));
  auto row = dyn_cast<AffineDimExpr>(output.getResult(rank - 2));
  if (!column || !row)
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (ranges[column.getPosition()] <= ranges[row.getPosition()])
    return std::nullopt;
  return column.getPosition();
}

/// Tile sizes (0: untiled) for an op that is not a convolution.
std::optional<SmallVector<int64_t>> planTiles(linalg::LinalgOp op,
                                              unsigned vectorBytes) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (ranges.empty() || op.getNumDpsInits() != 1 ||
      llvm::any_of(ranges, ShapedType::isDynamic))
    return std::nullopt;
  OpOperand *init = op.getDpsInitOperand(0);
  Type elementType = getElementTypeOrSelf(init->get().getType());
  if (!elementType.isIntOrFloat())
    return std::nullopt;
  int64_t lanes = elementsPerVector(elementType, vectorBytes);
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  auto isParallel = [&](unsigned loop) {
    return iterators[loop] == utils::IteratorType::parallel;
  };

  AffineMap outputMap = op.getMatchingIndexingMap(init);
  std::optional<unsigned> outputLane = innermostLoop(outputMap);
  if (outputLane && !isParallel(*outputLane))
    outputLane.reset();
  bool contraction = op.getNumReductionLoops() > 0;

  // A reduction over the contiguous axis of an input whose other operands
  // are not contiguous along the output's lane: vectorize the reduction.
  std::optional<unsigned> lane = outputLane;
  if (contraction) {
    bool inputAlongOutputLane = false;
    std::optional<unsigned> reducedLane;
    int64_t reducedSize = -1;
    for (OpOperand *input : op.getDpsInputOperands()) {
      std::optional<unsigned> loop =
          innermostLoop(op.getMatchingIndexingMap(input));
      if (!loop)
        continue;
      if (outputLane && *loop == *outputLane) {
        inputAlongOutputLane = true;
      } else if (!isParallel(*loop)) {
        auto type = dyn_cast<ShapedType>(input->get().getType());
        int64_t size = type ? type.getNumElements() : 0;
        if (size > reducedSize) {
          reducedSize = size;
          reducedLane = loop;
        }
      }
    }
    if (!inputAlongOutputLane && reducedLane)
      lane = reducedLane;
  }
  if (!lane)
    return std::nullopt;

  SmallVector<int64_t> sizes(ranges.size(), 1);
  sizes[*lane] = largestDivisorAtMost(ranges[*lane], lanes);
  if (contraction && lane == outputLane && outputMap.getNumResults() >= 2) {
    auto row = dyn_cast<AffineDimExpr>(
        outputMap.getResult(outputMap.getNumResults() - 2));
    if (row && isParallel(row.getPosition())) {
      int64_t rows = largestDivisorAtMost(ranges[row.getPosition()], kRowBlock);
      sizes[row.getPosition()] = rows;
      int64_t vectors = std::min(kMaxColumnVectors,
                                 std::max<int64_t>(1, kAccumulatorVectors / rows));
      if (int64_t columns = largestMultipleDividing(ranges[*lane], lanes,
                                                    lanes * vectors))
        sizes[*lane] = columns;
    }
  }
  return sizes;
}

/// Tile sizes for the 1-D and 2-D channels-first convolutions: one output
/// row, one kernel row and one input channel per step, a block of output
/// channels by a vector of output positions, the whole kernel row. After
/// tiling, 2-D ones (those im2col did not take) decompose into vectorizable
/// 1-D convolutions.
std::optional<SmallVector<int64_t>> planConvTiles(linalg::LinalgOp op,
                                                  unsigned vectorBytes) {
  if (!isa<linalg::Conv1DNcwFcwOp, linalg::Conv2DNchwFchwOp>(op))
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  FailureOr<linalg::ConvolutionDimensions> dims =
      linalg::inferConvolutionDims(op);
  if (failed(dims) || llvm::any_of(ranges, ShapedType::isDynamic) ||
      dims->outputImage.empty() || dims->filterLoop.empty())
    return std::nullopt;
  int64_t lanes = elementsPerVector(
      getElementTypeOrSelf(op.getDpsInitOperand(0)->get().getType()),
      vectorBytes);
  SmallVector<int64_t> sizes(ranges.size(), 1);
  unsigned width = dims->outputImage.back();
  sizes[width] = largestDivisorAtMost(ranges[width], lanes);
  for (unsigned channel : dims->outputChannel)
    sizes[channel] = largestDivisorAtMost(ranges[channel], kRowBlock);
  sizes[dims->filterLoop.back()] = 0;
  return sizes;
}

/// Booleans are one byte each in memory, but a vector of i1 is stored as
/// packed bits: vector transfers of i1 tensors would read and write the
/// wrong bytes. Ops that read or write booleans stay scalar loops (i1 values
/// computed and consumed inside one op are fine).
bool readsOrWritesBooleans(linalg::LinalgOp op) {
  return llvm::any_of(op->getOperands(), [](Value operand) {
    auto type = dyn_cast<ShapedType>(operand.getType());
    return type && type.getElementType().isInteger(1);
  });
}

bool canVectorizeWhole(linalg::LinalgOp op) {
  if (readsOrWritesBooleans(op))
    return false;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return false;
  int64_t elements = 1;
  for (int64_t r : ranges)
    elements *= r;
  return elements <= kMaxVectorElements &&
         succeeded(linalg::vectorizeOpPrecondition(op));
}

struct TileAndVectorizePass
    : lowbit::cpu::impl::TileAndVectorizePassBase<TileAndVectorizePass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    IRRewriter rewriter(&getContext());
    // 2-D convolutions as an im2col copy and a product: the product then
    // gets the register tiles of a matmul.
    SmallVector<linalg::Conv2DNchwFchwOp> convs;
    func.walk([&](linalg::Conv2DNchwFchwOp conv) {
      if (conv.hasPureTensorSemantics())
        convs.push_back(conv);
    });
    for (linalg::Conv2DNchwFchwOp conv : convs) {
      rewriter.setInsertionPoint(conv);
      (void)linalg::rewriteInIm2Col(rewriter, conv);
    }
    SmallVector<linalg::LinalgOp> candidates;
    func.walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics())
        candidates.push_back(op);
    });
    for (linalg::LinalgOp op : candidates)
      tile(rewriter, op);

    RewritePatternSet decompose(&getContext());
    linalg::populateDecomposeConvolutionPatterns(decompose);
    if (failed(applyPatternsGreedily(func, std::move(decompose))))
      return signalPassFailure();

    SmallVector<linalg::LinalgOp> tiles;
    func.walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics() && canVectorizeWhole(op))
        tiles.push_back(op);
    });
    for (linalg::LinalgOp op : tiles) {
      rewriter.setInsertionPoint(op);
      // Contractions become vector.contract, which lowers to FMAs of
      // outer products; the default would multiply and add separately.
      bool contraction = linalg::isaContractionOpInterface(op);
      FailureOr<linalg::VectorizationResult> result = linalg::vectorize(
          rewriter, op, /*inputVectorSizes=*/{}, /*inputScalableVecDims=*/{},
          /*vectorizeNDExtract=*/false, /*flatten1DDepthwiseConv=*/false,
          /*assumeDynamicDimsMatchVecSizes=*/false,
          /*createNamedContraction=*/contraction);
      if (succeeded(result))
        rewriter.replaceOp(op, result->replacements);
    }

    // Products vectorized as multiply-then-reduce (generic contractions)
    // become vector.contract too: broadcasting reads are split into a read
    // and a broadcast, and the broadcasts folded into the contraction's maps.
    RewritePatternSet cleanup(&getContext());
    vector::populateVectorTransferPermutationMapLoweringPatterns(cleanup);
    vector::populateVectorReductionToContractPatterns(cleanup);
    tensor::populateFoldTensorSubsetIntoVectorTransferPatterns(cleanup);
    vector::TransferReadOp::getCanonicalizationPatterns(cleanup, &getContext());
    vector::TransferWriteOp::getCanonicalizationPatterns(cleanup,
                                                         &getContext());
    if (failed(applyPatternsGreedily(func, std::move(cleanup))))
      return signalPassFailure();

    // Accumulator tiles read and written back at loop-invariant positions
    // of a loop-carried tensor move out of the loop (innermost loops first),
    // so the reduction loop carries them as vectors.
    SmallVector<LoopLikeOpInterface> loops;
    func.walk([&](scf::ForOp loop) { loops.push_back(loop); });
    for (LoopLikeOpInterface loop : loops)
      (void)hoistLoopInvariantSubsets(rewriter, loop);
  }

  void tile(IRRewriter &rewriter, linalg::LinalgOp op) {
    if (readsOrWritesBooleans(op))
      return;
    std::optional<SmallVector<int64_t>> sizes =
        isa<linalg::ConvolutionOpInterface>(op.getOperation())
            ? planConvTiles(op, vectorBytes)
            : planTiles(op, vectorBytes);
    if (!sizes)
      return;
    // Generic ops the vectorizer cannot take (gathers, non-projected maps)
    // stay whole; convolutions are checked after their decomposition.
    if (!isa<linalg::ConvolutionOpInterface>(op.getOperation()) &&
        failed(linalg::vectorizeOpPrecondition(op)))
      return;
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    bool anyTiled = false;
    for (auto [size, range] : llvm::zip(*sizes, ranges)) {
      if (size >= range)
        size = 0;
      anyTiled |= size != 0;
    }
    if (!anyTiled)
      return;
    if (parallel) {
      if (std::optional<unsigned> loop = pickParallelLoop(op, *sizes)) {
        // One register tile of that loop per iteration of an scf.forall;
        // the tile is then tiled further with scf.for like any op.
        SmallVector<int64_t> outer(sizes->size(), 0);
        outer[*loop] = (*sizes)[*loop];
        (*sizes)[*loop] = 0;
        FailureOr<scf::SCFTilingResult> tiled = tileWith(
            rewriter, op, outer, scf::SCFTilingOptions::LoopType::ForallOp);
        if (failed(tiled))
          return;
        rewriter.replaceOp(op, tiled->replacements);
        op = cast<linalg::LinalgOp>(tiled->tiledOps.front());
        if (llvm::all_of(*sizes, [](int64_t size) { return size == 0; }))
          return;
      }
    }
    SmallVector<int64_t> order;
    if (std::optional<unsigned> columns = wideColumnLoop(op);
        columns && (*sizes)[*columns] != 0) {
      order.push_back(*columns);
      for (unsigned loop = 0; loop < sizes->size(); ++loop)
        if (loop != *columns)
          order.push_back(loop);
    }
    FailureOr<scf::SCFTilingResult> tiled = tileWith(
        rewriter, op, *sizes, scf::SCFTilingOptions::LoopType::ForOp, order);
    if (succeeded(tiled))
      rewriter.replaceOp(op, tiled->replacements);
  }

  FailureOr<scf::SCFTilingResult>
  tileWith(IRRewriter &rewriter, linalg::LinalgOp op, ArrayRef<int64_t> sizes,
           scf::SCFTilingOptions::LoopType type,
           ArrayRef<int64_t> order = {}) {
    scf::SCFTilingOptions options;
    options.setLoopType(type);
    if (!order.empty())
      options.setInterchange(order);
    options.setTileSizes(getAsIndexOpFoldResult(&getContext(), sizes));
    rewriter.setInsertionPoint(op);
    return scf::tileUsingSCF(rewriter, cast<TilingInterface>(op.getOperation()),
                             options);
  }

  /// The parallel loop whose register tiles threads share, for an op with
  /// enough work: the outermost with at least 4 tiles, else the one with
  /// the most (at least 2).
  static std::optional<unsigned> pickParallelLoop(linalg::LinalgOp op,
                                                  ArrayRef<int64_t> sizes) {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    int64_t work = 1;
    for (int64_t range : ranges)
      work *= range;
    if (work < kMinParallelWork)
      return std::nullopt;
    // Threads share the weights' column strips when those are the larger
    // operand, for the same reason as the loop order above.
    if (std::optional<unsigned> columns = wideColumnLoop(op);
        columns && sizes[*columns] != 0 &&
        ranges[*columns] / sizes[*columns] >= 4)
      return columns;
    SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
    std::optional<unsigned> best;
    int64_t bestTiles = 1;
    for (unsigned loop = 0; loop < ranges.size(); ++loop) {
      if (iterators[loop] != utils::IteratorType::parallel || sizes[loop] == 0)
        continue;
      int64_t tiles = ranges[loop] / sizes[loop];
      if (tiles >= 4)
        return loop;
      if (tiles > bestTiles) {
        bestTiles = tiles;
        best = loop;
      }
    }
    return best;
  }
};

} // namespace
