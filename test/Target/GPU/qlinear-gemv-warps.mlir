// RUN: lowbit-opt %s --lowbit-gpu-qlinear-gemv="warps-per-block=8" | FileCheck %s
// RUN: lowbit-opt %s --lowbit-gpu-qlinear-gemv="warps-per-block=17" | FileCheck %s --check-prefix=NONE

// warps-per-block: 8 warps split K, 256 threads per block, one row of
// partial sums per warp in workgroup memory; the name says so. 17 warps is
// beyond the kernels' range and leaves the op alone.
// CHECK-LABEL: func.func @eight_warps
// CHECK-DAG: %[[THREADS:.*]] = arith.constant 256 : index
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4_m1_n16_k2048_g128_s32_w8 blocks in ({{.*}}) threads in (%[[THREADS]],
// CHECK: gpu.func @gemv_w4_m1_n16_k2048_g128_s32_w8({{.*}}) workgroup(%{{.*}}: memref<8x8xf32, #gpu.address_space<workgroup>>) kernel
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>
// NONE-LABEL: func.func @eight_warps
// NONE: lowbit.qlinear
// NONE-NOT: gpu.launch_func
func.func @eight_warps(%x: tensor<1x2048xf32>) -> tensor<1x16xf32> {
  %p = arith.constant dense<17> : tensor<16x1024xi8>
  %s = arith.constant dense<0.5> : tensor<16x16xf32>
  %0 = lowbit.qlinear %x, %p scales %s {in_features = 2048 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<1x2048xf32>, tensor<16x1024xi8>, tensor<16x16xf32>) -> tensor<1x16xf32>
  return %0 : tensor<1x16xf32>
}
