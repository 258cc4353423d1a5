// RUN: lowbit-opt %s --lowbit-gpu-pipeline="compile-to=kernels" | FileCheck %s

// A down projection at 16 rows (K = 14336, 4 n-tiles a warp) splits K
// across 4 blocks; the four partial results are added by an elementwise
// kernel over all 16 x 4096 outputs (256 blocks of 256 threads), not by one
// block.
// CHECK-LABEL: func.func @main
// CHECK: gpu.launch_func async {{.*}} @main_kernel::@main_kernel
// CHECK: gpu.launch_func async {{.*}} @lowbit_gemv_kernels::@gemv_w4tc4_m16_n4096_k14336_g128_s32_xl_ks4 blocks in (%{{.*}}, %[[FOUR:c4.*]], %{{.*}})
// CHECK: gpu.launch_func async {{.*}} @main_kernel_0::@main_kernel blocks in (%[[B:c256.*]], %{{.*}}, %{{.*}}) threads in (%[[B]], %{{.*}}, %{{.*}})
// CHECK-NOT: gpu.launch_func
func.func @main(%x: tensor<16x14336xf32>) -> tensor<16x4096xf32> {
  %p = arith.constant dense<17> : tensor<4096x7168xi8>
  %s = arith.constant dense<0.5> : tensor<4096x112xf32>
  %0 = lowbit.qlinear %x, %p scales %s {in_features = 14336 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<16x14336xf32>, tensor<4096x7168xi8>, tensor<4096x112xf32>) -> tensor<16x4096xf32>
  return %0 : tensor<16x4096xf32>
}
