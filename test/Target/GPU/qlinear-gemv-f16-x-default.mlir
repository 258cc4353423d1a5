// RUN: lowbit-opt %s --lowbit-gpu-qlinear-gemv | FileCheck %s

// By default x goes to every tensor-core kernel in f16, rounded once
// before the launch (measured faster at 4 and 16 rows for 4- and 8-bit
// codes on an H100).
// CHECK-LABEL: func.func @rows
// CHECK: linalg.generic
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w8tc2_m4_n16_k1024_g1024_s32_xh blocks
// CHECK-SAME: memref<4x1024xf16>
// CHECK: linalg.generic
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w8tc2_m8_n16_k1024_g1024_s32_xh blocks
// CHECK-SAME: memref<8x1024xf16>
// CHECK: linalg.generic
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4tc2_m8_n16_k1024_g128_s32_xl_sw blocks
// CHECK-SAME: memref<8x1024xf16>
// CHECK: linalg.generic
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4tc2_m16_n16_k1024_g128_s32_xl blocks
// CHECK-SAME: memref<16x1024xf16>
func.func @rows(%x4: tensor<4x1024xf32>, %x8: tensor<8x1024xf32>, %x16: tensor<16x1024xf32>,
                %p8: tensor<16x1024xi8>, %s8: tensor<16x1xf32>,
                %p4: tensor<16x512xi8>, %s4: tensor<16x8xf32>)
    -> (tensor<4x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>, tensor<16x16xf32>) {
  %0 = lowbit.qlinear %x4, %p8 scales %s8 {in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 8>} : (tensor<4x1024xf32>, tensor<16x1024xi8>, tensor<16x1xf32>) -> tensor<4x16xf32>
  %1 = lowbit.qlinear %x8, %p8 scales %s8 {in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 8>} : (tensor<8x1024xf32>, tensor<16x1024xi8>, tensor<16x1xf32>) -> tensor<8x16xf32>
  %2 = lowbit.qlinear %x8, %p4 scales %s4 {in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<8x1024xf32>, tensor<16x512xi8>, tensor<16x8xf32>) -> tensor<8x16xf32>
  %3 = lowbit.qlinear %x16, %p4 scales %s4 {in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<16x1024xf32>, tensor<16x512xi8>, tensor<16x8xf32>) -> tensor<16x16xf32>
  return %0, %1, %2, %3 : tensor<4x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>, tensor<16x16xf32>
}
