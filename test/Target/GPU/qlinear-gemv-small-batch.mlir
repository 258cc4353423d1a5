// RUN: lowbit-opt %s --lowbit-gpu-qlinear-gemv -split-input-file | FileCheck %s
// RUN: lowbit-opt %s --lowbit-gpu-qlinear-gemv="tensor-core-min-rows=3 tensor-core-tiles=2 warps-per-block=4" -split-input-file | FileCheck %s --check-prefix=FIXED

// The defaults for 2 to 16 rows of x. 4-bit weight-only codes go to the
// tensor cores from 2 rows on (x in f16), 8-bit ones from 3; 9 to 16 rows
// take 4 n-tiles a warp where they divide N, else 2.
// CHECK-LABEL: func.func @rows
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4tc2_m2_n32_k1024_g128_s32_xl_sw blocks
// CHECK-SAME: memref<2x1024xf16>
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w8_m2_n32_k1024_g128_s32 blocks
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4tc4_m16_n32_k1024_g128_s32_xl blocks
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4tc2_m16_n16_k1024_g128_s32_xl blocks
// FIXED-LABEL: func.func @rows
// FIXED: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4_m2_n32_k1024_g128_s32 blocks
// FIXED: gpu.launch_func @lowbit_gemv_kernels::@gemv_w8_m2_n32_k1024_g128_s32 blocks
// FIXED: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4tc2_m16_n32_k1024_g128_s32_xl blocks
// FIXED: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4tc2_m16_n16_k1024_g128_s32_xl blocks
func.func @rows(%x2: tensor<2x1024xf32>, %x16: tensor<16x1024xf32>,
                %p4: tensor<32x512xi8>, %s4: tensor<32x8xf32>,
                %p8: tensor<32x1024xi8>, %s8: tensor<32x8xf32>,
                %q4: tensor<16x512xi8>, %t4: tensor<16x8xf32>)
    -> (tensor<2x32xf32>, tensor<2x32xf32>, tensor<16x32xf32>, tensor<16x16xf32>) {
  %0 = lowbit.qlinear %x2, %p4 scales %s4 {in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<2x1024xf32>, tensor<32x512xi8>, tensor<32x8xf32>) -> tensor<2x32xf32>
  %1 = lowbit.qlinear %x2, %p8 scales %s8 {in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 8, granularity = group, group_size = 128>} : (tensor<2x1024xf32>, tensor<32x1024xi8>, tensor<32x8xf32>) -> tensor<2x32xf32>
  %2 = lowbit.qlinear %x16, %p4 scales %s4 {in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<16x1024xf32>, tensor<32x512xi8>, tensor<32x8xf32>) -> tensor<16x32xf32>
  %3 = lowbit.qlinear %x16, %q4 scales %t4 {in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<16x1024xf32>, tensor<16x512xi8>, tensor<16x8xf32>) -> tensor<16x16xf32>
  return %0, %1, %2, %3 : tensor<2x32xf32>, tensor<2x32xf32>, tensor<16x32xf32>, tensor<16x16xf32>
}

// -----

// Warps per block where they split K (M <= 16): 8 where K has at least 16
// steps of 128 per block and the grid stays resident at once (up to 8 rows:
// at most 132 x 32 warps; 9 to 16 rows: fewer than 264 blocks), else 4.
// 4 rows, 4096 x 2048: 256 blocks of 16 channels x 8 warps fit, 8 warps.
// 4 rows, 16384 x 2048: 1024 blocks x 8 warps would not, 4 warps.
// 4 rows, K = 1024: 8 steps only, 4 warps.
// 16 rows, 2048 x 2048: 64 blocks of 32 channels, 8 warps.
// 16 rows, 8448 x 2048: 264 blocks, 4 warps.
// CHECK-LABEL: func.func @warps
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4tc2_m4_n4096_k2048_g128_s32_w8_xl_sw blocks
// CHECK-SAME: threads in (%[[T256:c256[_0-9]*]],
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4tc2_m4_n16384_k2048_g128_s32_xl_sw blocks
// CHECK-SAME: threads in (%[[T128:c128[_0-9]*]],
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4tc2_m4_n4096_k1024_g128_s32_xl_sw blocks
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4tc4_m16_n2048_k2048_g128_s32_w8_xl blocks
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4tc4_m16_n8448_k2048_g128_s32_xl blocks
func.func @warps(%x4: tensor<4x2048xf32>, %x4s: tensor<4x1024xf32>, %x16: tensor<16x2048xf32>,
                 %p: tensor<4096x1024xi8>, %s: tensor<4096x16xf32>,
                 %pw: tensor<16384x1024xi8>, %sw: tensor<16384x16xf32>,
                 %ps: tensor<4096x512xi8>, %ss: tensor<4096x8xf32>,
                 %pn: tensor<2048x1024xi8>, %sn: tensor<2048x16xf32>,
                 %pb: tensor<8448x1024xi8>, %sb: tensor<8448x16xf32>)
    -> (tensor<4x4096xf32>, tensor<4x16384xf32>, tensor<4x4096xf32>, tensor<16x2048xf32>, tensor<16x8448xf32>) {
  %0 = lowbit.qlinear %x4, %p scales %s {in_features = 2048 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<4x2048xf32>, tensor<4096x1024xi8>, tensor<4096x16xf32>) -> tensor<4x4096xf32>
  %1 = lowbit.qlinear %x4, %pw scales %sw {in_features = 2048 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<4x2048xf32>, tensor<16384x1024xi8>, tensor<16384x16xf32>) -> tensor<4x16384xf32>
  %2 = lowbit.qlinear %x4s, %ps scales %ss {in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<4x1024xf32>, tensor<4096x512xi8>, tensor<4096x8xf32>) -> tensor<4x4096xf32>
  %3 = lowbit.qlinear %x16, %pn scales %sn {in_features = 2048 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<16x2048xf32>, tensor<2048x1024xi8>, tensor<2048x16xf32>) -> tensor<16x2048xf32>
  %4 = lowbit.qlinear %x16, %pb scales %sb {in_features = 2048 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<16x2048xf32>, tensor<8448x1024xi8>, tensor<8448x16xf32>) -> tensor<16x8448xf32>
  return %0, %1, %2, %3, %4 : tensor<4x4096xf32>, tensor<4x16384xf32>, tensor<4x4096xf32>, tensor<16x2048xf32>, tensor<16x8448xf32>
}
