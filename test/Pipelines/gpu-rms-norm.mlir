// RUN: lowbit-opt %s --lowbit-gpu-pipeline="format=isa" | FileCheck %s

// An RMSNorm at one token down to PTX: one kernel (no fill, partial-sum or
// total kernels) with warp shuffles, one barrier and the square root; the
// only other kernel copies the result into the caller's buffer.
// CHECK: gpu.binary @main_kernel
// CHECK-NOT: gpu.binary @main_kernel_0
// CHECK: gpu.binary @lowbit_gemv_kernels
// CHECK-SAME: .entry rms_norm_r1_w1024_eps
// CHECK-SAME: shfl.sync.bfly.b32
// CHECK-SAME: bar.sync
// CHECK-SAME: sqrt.{{(rn|approx)}}.f32
// CHECK-NOT: gpu.binary
func.func @main(%x: tensor<1x1x1024xf32> {lowbit.name = "x"}) -> (tensor<1x1x1024xf32> {lowbit.name = "y"}) {
  %g = arith.constant dense<0.5> : tensor<1024xf32>
  %0 = lowbit.rms_norm %x, %g : (tensor<1x1x1024xf32>, tensor<1024xf32>) -> tensor<1x1x1024xf32>
  return %0 : tensor<1x1x1024xf32>
}
