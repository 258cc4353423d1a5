// RUN: lowbit-opt %s --lowbit-gpu-qlinear-gemv="tensor-core-f16-x-min-rows=4 tensor-core-swap-ab=-1" | FileCheck %s
// RUN: lowbit-opt %s --lowbit-gpu-qlinear-gemv="tensor-core-f16-x-min-rows=5 tensor-core-swap-ab=-1" | FileCheck %s --check-prefix=F32X

// From tensor-core-f16-x-min-rows rows on (default 3), the tensor-core
// kernel takes x in f16, rounded once by an elementwise kernel before the
// launch, and reads eight f16 values per 16-byte load, each step's chunks
// of eight stored in the order the lanes load them; below, every block
// rounds x itself.
// CHECK-LABEL: func.func @four_rows
// CHECK: tensor.expand_shape %{{.*}} output_shape [4, 8, 4, 4, 8] : tensor<4x1024xf32> into tensor<4x8x4x4x8xf32>
// CHECK: %[[HALF:.*]] = linalg.generic
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[HALF]] {{\[\[}}0], [1, 2, 3, 4]] : tensor<4x8x4x4x8xf16> into tensor<4x1024xf16>
// CHECK: %[[XB:.*]] = bufferization.to_buffer %[[FLAT]] read_only : tensor<4x1024xf16>
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4tc2_m4_n16_k1024_g128_s32_xl {{.*}} args(%[[XB]] : memref<4x1024xf16>
// CHECK: gpu.func @gemv_w4tc2_m4_n16_k1024_g128_s32_xl(%{{.*}}: memref<4x1024xf16>
// CHECK: vector.load %{{.*}} {alignment = 16 : i64} : memref<4x1024xf16>, vector<8xf16>
// CHECK-NOT: arith.truncf
// CHECK: nvgpu.mma.sync
// CHECK: gpu.return

// F32X-LABEL: func.func @four_rows
// F32X-NOT: linalg.generic
// F32X: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4tc2_m4_n16_k1024_g128_s32 blocks
// F32X: gpu.func @gemv_w4tc2_m4_n16_k1024_g128_s32(%{{.*}}: memref<4x1024xf32>
// F32X: vector.load %{{.*}} {alignment = 16 : i64} : memref<4x1024xf32>, vector<4xf32>
// F32X: arith.truncf %{{.*}} : vector<4xf32> to vector<4xf16>
func.func @four_rows(%x: tensor<4x1024xf32>) -> tensor<4x16xf32> {
  %p = arith.constant dense<17> : tensor<16x512xi8>
  %s = arith.constant dense<0.5> : tensor<16x8xf32>
  %0 = lowbit.qlinear %x, %p scales %s {in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<4x1024xf32>, tensor<16x512xi8>, tensor<16x8xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}
