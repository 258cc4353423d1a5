// RUN: lowbit-opt %s --lowbit-gpu-qlinear-gemv -split-input-file | FileCheck %s
// RUN: lowbit-opt %s --lowbit-gpu-qlinear-gemv="tensor-core-stages=2 tensor-core-warp-rows=1" -split-input-file | FileCheck %s --check-prefix=TWO
// RUN: lowbit-opt %s --lowbit-gpu-qlinear-gemv="tensor-core-stages=8 tensor-core-warp-rows=1" -split-input-file | FileCheck %s --check-prefix=BIG
// RUN: lowbit-opt %s --lowbit-gpu-qlinear-gemv="tensor-core-f16-stages=2" -split-input-file | FileCheck %s --check-prefix=HALF

// W8A8 with 40 rows of x, by default through shared memory: 4 cp.async
// stages of 64 values of K. The 4 warps form a 2 x 2 grid (warps along M
// by default for staged W8A8), each 2 row tiles of 16 and 2 n-tiles of 8:
// a block covers 64 rows (one block along M) and 32 channels (8 blocks).
// The stages (16-byte aligned) hold [64 rows, 64] bytes of x codes and [32 channels, 64]
// bytes of weight codes: x chunks take two rounds of the 128 threads, the
// weights one. Three stages are started before the loop; each step waits
// until at most 2 groups are pending, then a barrier, then starts the
// stage 3 ahead into the slot read the step before, then reads its
// fragments from shared memory (the 16 bytes at 16 q of rows r, r + 8) for
// 2 x 2 x 2 = 8 mma.
// CHECK-LABEL: func.func @gemm
// CHECK-DAG: %[[EIGHT:.*]] = arith.constant 8 : index
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w8tc2_m40_n256_k1024_g1024_s32_a8_mt2_wm2_st4 blocks in (%[[EIGHT]], %{{.*}}, %{{.*}}) threads in (%{{.*}}, %{{.*}}, %{{.*}}) args(%{{.*}} : memref<40x1024xi8>, %{{.*}} : memref<256x1024xi8>, %{{.*}} : memref<256x1xf32>, %{{.*}} : memref<40xf32>, %{{.*}} : memref<40x256xf32>)
// CHECK: gpu.func @gemv_w8tc2_m40_n256_k1024_g1024_s32_a8_mt2_wm2_st4(%[[X:[^:]*]]: memref<40x1024xi8>, %[[W:[^:]*]]: memref<256x1024xi8>, %{{.*}}) workgroup(%[[XS:[^ ]*]] : memref<4x64x64xi8, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %[[WS:[^ ]*]] : memref<4x32x64xi8, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK-COUNT-2: nvgpu.device_async_copy %[[X]][{{.*}}], %[[XS]][%c0{{.*}}], 16, %{{.*}} {bypassL1}
// CHECK: nvgpu.device_async_copy %[[W]][{{.*}}], %[[WS]][%c0{{.*}}], 16, %{{.*}} {bypassL1}
// CHECK: nvgpu.device_async_create_group
// CHECK-COUNT-6: nvgpu.device_async_copy
// CHECK: %[[LAST:.*]] = nvgpu.device_async_create_group
// CHECK-NOT: nvgpu.device_async_copy
// CHECK: scf.for
// CHECK-NEXT: arith.subi
// CHECK-NEXT: nvgpu.device_async_wait %[[LAST]] {numGroups = 2 : i32}
// CHECK-NEXT: gpu.barrier
// CHECK-COUNT-3: nvgpu.device_async_copy
// CHECK: nvgpu.device_async_create_group
// CHECK-NOT: nvgpu.device_async_copy
// CHECK-COUNT-2: vector.load %[[WS]]{{.*}} {alignment = 16 : i64} : memref<4x32x64xi8, #gpu.address_space<workgroup>>, vector<16xi8>
// CHECK-COUNT-4: vector.load %[[XS]]{{.*}} {alignment = 16 : i64} : memref<4x64x64xi8, #gpu.address_space<workgroup>>, vector<16xi8>
// CHECK-NOT: vector.load
// CHECK-COUNT-8: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 32]}
// CHECK-NOT: nvgpu.mma.sync
// CHECK: scf.yield
// CHECK: nvgpu.device_async_wait %[[LAST]] {numGroups = 0 : i32}
// CHECK: arith.sitofp

// Two stages and one warp along M: 2 row tiles per warp cover the 40 rows
// (32 per block, 2 blocks along M), the 4 warps split 64 channels.
// TWO: gpu.launch_func @lowbit_gemv_kernels::@gemv_w8tc2_m40_n256_k1024_g1024_s32_a8_mt3_st2
// TWO: workgroup(%{{.*}} : memref<2x48x64xi8, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %{{.*}} : memref<2x64x64xi8, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// TWO: nvgpu.device_async_wait %{{.*}} {numGroups = 0 : i32}
// TWO-NEXT: gpu.barrier
func.func @gemm(%x: tensor<40x1024xf32>, %w: tensor<256x1024xi8>, %s: tensor<256x1xf32>) -> tensor<40x256xf32> {
  %y = lowbit.qlinear %x, %w scales %s {act_qconfig = #lowbit.qconfig<bits = 8, granularity = token>, in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 8>} : (tensor<40x1024xf32>, tensor<256x1024xi8>, tensor<256x1xf32>) -> tensor<40x256xf32>
  return %y : tensor<40x256xf32>
}

// -----

// Weight-only layers keep the direct loads (stages are for W8A8), and one
// warp along M for them. Eight stages of 48 + 64 rows would take 56 KiB,
// more than the 48 KiB of static shared memory: direct loads again.
// CHECK-LABEL: func.func @not_staged
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w8tc2_m40_n256_k1024_g1024_s32_mt3 blocks
// BIG-LABEL: func.func @not_staged
// BIG: gpu.launch_func @lowbit_gemv_kernels::@gemv_w8tc2_m40_n256_k1024_g1024_s32_mt3 blocks
// BIG: gpu.launch_func @lowbit_gemv_kernels::@gemv_w8tc2_m40_n256_k1024_g1024_s32_a8_mt3 blocks
// BIG-NOT: device_async
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w8tc2_m40_n256_k1024_g1024_s32_a8_mt2_wm2_st4
func.func @not_staged(%x: tensor<40x1024xf32>, %w: tensor<256x1024xi8>, %s: tensor<256x1xf32>) -> (tensor<40x256xf32>, tensor<40x256xf32>) {
  %y = lowbit.qlinear %x, %w scales %s {in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 8>} : (tensor<40x1024xf32>, tensor<256x1024xi8>, tensor<256x1xf32>) -> tensor<40x256xf32>
  %z = lowbit.qlinear %x, %w scales %s {act_qconfig = #lowbit.qconfig<bits = 8, granularity = token>, in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 8>} : (tensor<40x1024xf32>, tensor<256x1024xi8>, tensor<256x1xf32>) -> tensor<40x256xf32>
  return %y, %z : tensor<40x256xf32>, tensor<40x256xf32>
}

// -----

// W4A16 beyond 16 rows with tensor-core-f16-stages=2 (off by default): a
// stage is one step of 128 values of K, x as f16 [48 rows, 128] (16
// chunks of 16 bytes a row, placed at chunk ^ (2 ((chunk / 4) % 4) +
// row % 2)) and the codes as [64 channels, 64 bytes]. With two stages
// each step waits for all groups, then starts the next stage before its
// products: 4 x 2 x 3 x 2 = 48 mma per step.
// CHECK-LABEL: func.func @w4
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4tc2_m40_n128_k1024_g128_s32_mt3 blocks
// CHECK-NOT: device_async
// HALF-LABEL: func.func @w4
// HALF: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4tc2_m40_n128_k1024_g128_s32_mt3_st2 blocks
// HALF: gpu.func @gemv_w4tc2_m40_n128_k1024_g128_s32_mt3_st2(%[[X:[^:]*]]: memref<40x1024xf16>, %[[W:[^:]*]]: memref<128x512xi8>, {{.*}} workgroup(%[[XS:[^ ]*]] : memref<2x48x128xf16, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %[[WS:[^ ]*]] : memref<2x64x64xi8, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// HALF-COUNT-6: nvgpu.device_async_copy %[[X]][{{.*}}], %[[XS]][{{.*}}], 8, %{{.*}} {bypassL1}
// HALF-COUNT-2: nvgpu.device_async_copy %[[W]][{{.*}}], %[[WS]][{{.*}}], 16, %{{.*}} {bypassL1}
// HALF: %[[GROUP:.*]] = nvgpu.device_async_create_group
// HALF: scf.for
// HALF: nvgpu.device_async_wait %[[GROUP]] {numGroups = 0 : i32}
// HALF-NEXT: gpu.barrier
// HALF-COUNT-8: nvgpu.device_async_copy
// HALF: nvgpu.device_async_create_group
// HALF-COUNT-2: vector.load %[[WS]]
// HALF: arith.xori
// HALF: vector.load %[[XS]]{{.*}} : memref<2x48x128xf16, #gpu.address_space<workgroup>>, vector<8xf16>
// HALF-COUNT-48: nvgpu.mma.sync
// HALF-NOT: nvgpu.mma.sync
// HALF: scf.yield
func.func @w4(%x: tensor<40x1024xf32>, %w: tensor<128x512xi8>, %s: tensor<128x8xf32>) -> tensor<40x128xf32> {
  %y = lowbit.qlinear %x, %w scales %s {in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<40x1024xf32>, tensor<128x512xi8>, tensor<128x8xf32>) -> tensor<40x128xf32>
  return %y : tensor<40x128xf32>
}
