// RUN: lowbit-opt %s --lowbit-gpu-pipeline="format=isa chip=sm_90" | FileCheck %s
// RUN: lowbit-opt %s --lowbit-gpu-pipeline="format=isa tensor-cores=false" | FileCheck %s

// W8A8 at 2 rows of x (below tensor-core-min-rows) on the CUDA cores, with
// or without tensor cores available: per step each lane loads 16 bytes of
// each of its 8 weight rows and of each row of x codes, and each word pair
// goes through one dp4a (unsigned codes times signed activation codes):
// 4 words x (8 rows + the sum of x) x 2 rows of x = 72 per step. The sums
// stay integers across lanes and warps (shuffles of 32-bit words, integer
// adds) and are converted once.
// CHECK-NOT: gpu.binary @main_kernel
// CHECK: gpu.binary @lowbit_gemv_kernels
// CHECK-LABEL: .entry gemv_w8_m2_n64_k1024_g1024_s32_a8
// CHECK-NOT: mma.sync
// CHECK: ld.global.v4.b32
// CHECK-COUNT-72: dp4a.u32.s32
// CHECK-NOT: dp4a
// CHECK: shfl.sync.bfly.b32
// CHECK: bar.sync
// CHECK: cvt.rn.f32.s32
// CHECK: ret;
// CHECK: .entry quantize_per_token_r2_w1024_b8
func.func @main(%x: tensor<2x1024xf32>) -> tensor<2x64xf32> {
  %p = arith.constant dense<-3> : tensor<64x1024xi8>
  %s = arith.constant dense<0.01> : tensor<64x1xf32>
  %y = lowbit.qlinear %x, %p scales %s {act_qconfig = #lowbit.qconfig<bits = 8, granularity = token>, in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 8>} : (tensor<2x1024xf32>, tensor<64x1024xi8>, tensor<64x1xf32>) -> tensor<2x64xf32>
  return %y : tensor<2x64xf32>
}
