// RUN: lowbit-opt %s --lowbit-gpu-linear-gemv --mlir-print-op-generic | %python %S/Inputs/simt.py - | FileCheck %s

// The f32-weight GEMV of a float linear (4 rows, bias) run on the CPU by
// Inputs/simt.py against float64 numpy.
// CHECK: gemv_f32_m4_n96_k1024_b32: ok
func.func @main(%x: tensor<4x1024xf32>, %w: tensor<96x1024xf32>, %b: tensor<96xf32>) -> tensor<4x96xf32> {
  %y = lowbit.linear %x, %w, %b : (tensor<4x1024xf32>, tensor<96x1024xf32>, tensor<96xf32>) -> tensor<4x96xf32>
  return %y : tensor<4x96xf32>
}
