// RUN: lowbit-opt %s --lowbit-gpu-rms-norm --mlir-print-op-generic | %python %S/Inputs/simt.py - | FileCheck %s

// The RMSNorm kernel run on the CPU by Inputs/simt.py against float64
// numpy, on rows whose width (1000) is no multiple of the block's 128
// threads. (Epsilon 1e-5 appears in the name as its f32 bits.)
// CHECK: rms_norm_r3_w1000_eps925353388: ok
func.func @main(%x: tensor<3x1000xf32>, %g: tensor<1000xf32>) -> tensor<3x1000xf32> {
  %0 = lowbit.rms_norm %x, %g {epsilon = 1.0e-5 : f32} : (tensor<3x1000xf32>, tensor<1000xf32>) -> tensor<3x1000xf32>
  return %0 : tensor<3x1000xf32>
}
