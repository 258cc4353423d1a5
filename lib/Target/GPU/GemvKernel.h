//===- GemvKernel.h - the W4A16 GEMV kernel as a gpu.func -------*- C++ -*-===//

#ifndef LOWBIT_LIB_TARGET_GPU_GEMVKERNEL_H
#define LOWBIT_LIB_TARGET_GPU_GEMVKERNEL_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"

#include <string>

namespace lowbit::gpu {

/// What one generated kernel computes: y[M, N] = x[M, K] * dequant(W)^T
/// (+ bias), x and y f32, W 4-bit codes in qlinear's k_major layout.
struct GemvShape {
  int64_t m, n, k, groupSize;
  mlir::Type scaleType;
  bool hasZeroPoints;
  /// The bias element type, or null.
  mlir::Type biasType;

  /// Output rows per warp; x is reused from registers across them. Fewer
  /// rows at larger M avoid register spills (ptxas -v: 8 rows x M = 8 spill)
  /// but were slower on an H100 (x is then re-read from L1 for every 2-4
  /// rows), see bench/results/gpu.md.
  int64_t rowsPerWarp() const { return m <= 8 ? 8 : 4; }
  /// Warps of a block, splitting K between them.
  static constexpr int64_t kWarpsPerBlock = 4;
  /// K covered by one warp-wide step: 32 lanes x 16 bytes x 2 codes.
  static constexpr int64_t kStepK = 1024;

  /// Whether the kernel handles this shape (else the op is left alone).
  bool supported() const {
    return m >= 1 && m <= 16 && k % kStepK == 0 && groupSize % 32 == 0 &&
           k % groupSize == 0 && n % rowsPerWarp() == 0;
  }
  /// A symbol name that spells out the specialization.
  std::string name() const;
};

/// Adds the kernel for `shape` to `module` (or returns the one there) with
/// arguments (x, packed, scales[, zero_points][, bias], y), all memrefs.
mlir::gpu::GPUFuncOp getOrBuildGemvKernel(mlir::gpu::GPUModuleOp module,
                                          const GemvShape &shape,
                                          mlir::Location loc);

} // namespace lowbit::gpu

#endif // LOWBIT_LIB_TARGET_GPU_GEMVKERNEL_H
