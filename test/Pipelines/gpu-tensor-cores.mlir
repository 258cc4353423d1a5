// RUN: lowbit-opt %s --lowbit-gpu-pipeline="format=isa chip=sm_90" | FileCheck %s
// RUN: lowbit-opt %s --lowbit-gpu-pipeline="format=isa chip=sm_80 features=+ptx70" | FileCheck %s
// RUN: lowbit-opt %s --lowbit-gpu-pipeline="format=isa tensor-cores=false" | FileCheck %s --check-prefix=OFF

// A W4A16 linear with 8 rows of x runs on the tensor cores, down to PTX for
// sm_90 and sm_80: x is rounded to f16 (and interleaved) by an elementwise
// kernel first, then, with the codes as A and x as B, 8 mma.sync per 128
// values of K (2 n-tiles of 8 channels per mma), fed by 128-bit code loads
// (one per n-tile and step), two scale loads and 128-bit activation loads
// (8 f16); the odd code pairs dequantized by an f16x2 fma.
// CHECK: gpu.binary @main_kernel
// CHECK: cvt.rn.f16.f32
// CHECK: .entry gemv_w4tc2_m8_n32_k1024_g128_s32_xl_sw(
// CHECK-COUNT-2: ld.global.v4.b32
// CHECK-COUNT-2: ld.global.b32
// CHECK: ld.global.v4.b32
// CHECK: fma.rn.f16x2
// CHECK-COUNT-8: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// CHECK-NOT: mma.sync
func.func @main(%x: tensor<8x1024xf32>) -> tensor<8x32xf32> {
  %p = arith.constant dense<17> : tensor<32x512xi8>
  %s = arith.constant dense<0.01> : tensor<32x8xf32>
  %y = lowbit.qlinear %x, %p scales %s {in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<8x1024xf32>, tensor<32x512xi8>, tensor<32x8xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// With tensor-cores=false the CUDA-core kernel runs in f32.
// OFF: gemv_w4_m8_n32_k1024_g128_s32
// OFF-NOT: mma.sync
