// RUN: lowbit-opt %s --lowbit-gpu-qlinear-gemv -split-input-file | FileCheck %s
// RUN: lowbit-opt %s --lowbit-gpu-qlinear-gemv="tensor-core-stages=2 tensor-core-warp-rows=1 tensor-core-stage-k=64" -split-input-file | FileCheck %s --check-prefix=TWO
// RUN: lowbit-opt %s --lowbit-gpu-qlinear-gemv="tensor-core-stages=8 tensor-core-f16-stages=8 tensor-core-warp-rows=1 tensor-core-stage-k=64" -split-input-file | FileCheck %s --check-prefix=BIG
// RUN: lowbit-opt %s --lowbit-gpu-qlinear-gemv="tensor-core-f16-stages=0" -split-input-file | FileCheck %s --check-prefix=DIRECT
// RUN: lowbit-opt %s --lowbit-gpu-qlinear-gemv="tensor-core-stage-k=64" -split-input-file | FileCheck %s --check-prefix=K64

// W8A8 with 40 rows of x through shared memory, with
// tensor-core-stage-k=64: 4 cp.async stages of 64 values of K. The 4 warps
// form a 2 x 2 grid (warps along M by default for staged W8A8 where one
// warp along M would leave fewer than 128 blocks), each 2 row tiles of 16
// and 2 n-tiles of 8:
// a block covers 64 rows (one block along M) and 32 channels (8 blocks).
// The stages (16-byte aligned) hold [64 rows, 64] bytes of x codes and [32 channels, 64]
// bytes of weight codes: x chunks take two rounds of the 128 threads, the
// weights one. Three stages are started before the loop; each step waits
// until at most 2 groups are pending, then a barrier, then starts the
// stage 3 ahead into the slot read the step before, then reads its
// fragments from shared memory (the 16 bytes at 16 q of rows r, r + 8) for
// 2 x 2 x 2 = 8 mma.
// K64-LABEL: func.func @gemm
// K64-DAG: %[[EIGHT:.*]] = arith.constant 8 : index
// K64: gpu.launch_func @lowbit_gemv_kernels::@gemv_w8tc2_m40_n256_k1024_g1024_s32_a8_mt2_wm2_st4 blocks in (%[[EIGHT]], %{{.*}}, %{{.*}}) threads in (%{{.*}}, %{{.*}}, %{{.*}}) args(%{{.*}} : memref<40x1024xi8>, %{{.*}} : memref<256x1024xi8>, %{{.*}} : memref<256x1xf32>, %{{.*}} : memref<40xf32>, %{{.*}} : memref<40x256xf32>)
// K64: gpu.func @gemv_w8tc2_m40_n256_k1024_g1024_s32_a8_mt2_wm2_st4(%[[X:[^:]*]]: memref<40x1024xi8>, %[[W:[^:]*]]: memref<256x1024xi8>, %{{.*}}) workgroup(%[[XS:[^ ]*]] : memref<4x64x64xi8, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %[[WS:[^ ]*]] : memref<4x32x64xi8, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// K64-COUNT-2: nvgpu.device_async_copy %[[X]][{{.*}}], %[[XS]][%c0{{.*}}], 16, %{{.*}} {bypassL1}
// K64: nvgpu.device_async_copy %[[W]][{{.*}}], %[[WS]][%c0{{.*}}], 16, %{{.*}} {bypassL1}
// K64: nvgpu.device_async_create_group
// K64-COUNT-6: nvgpu.device_async_copy
// K64: %[[LAST:.*]] = nvgpu.device_async_create_group
// K64-NOT: nvgpu.device_async_copy
// K64: scf.for
// K64-NEXT: arith.subi
// K64-NEXT: nvgpu.device_async_wait %[[LAST]] {numGroups = 2 : i32}
// K64-NEXT: gpu.barrier
// K64-COUNT-3: nvgpu.device_async_copy
// K64: nvgpu.device_async_create_group
// K64-NOT: nvgpu.device_async_copy
// K64-COUNT-2: vector.load %[[WS]]{{.*}} {alignment = 16 : i64} : memref<4x32x64xi8, #gpu.address_space<workgroup>>, vector<16xi8>
// K64-COUNT-4: vector.load %[[XS]]{{.*}} {alignment = 16 : i64} : memref<4x64x64xi8, #gpu.address_space<workgroup>>, vector<16xi8>
// K64-NOT: vector.load
// K64-COUNT-8: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 32]}
// K64-NOT: nvgpu.mma.sync
// K64: scf.yield
// K64: nvgpu.device_async_wait %[[LAST]] {numGroups = 0 : i32}
// K64: arith.sitofp

// By default (up to 64 rows) stages of 128 values of K, each kept in two
// 64-byte parts, part 1's rows after part 0's: [128, 64] bytes of x codes
// and [64, 64] of weight codes per stage, 4 x 12 KiB. A step copies 4
// rounds of x chunks and 2 of weight chunks, then reads each part's
// fragments as the 64-value stages do (rows r, r + 8 of part 0, then rows
// 64 + r, ... of x and 32 + r, ... of weights in part 1) for 2 x 8 = 16
// mma.
// CHECK-LABEL: func.func @gemm
// CHECK: gpu.func @gemv_w8tc2_m40_n256_k1024_g1024_s32_a8_mt2_wm2_st4_sk128({{.*}}) workgroup(%[[XS:[^ ]*]] : memref<4x128x64xi8, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %[[WS:[^ ]*]] : memref<4x64x64xi8, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK: scf.for
// CHECK: gpu.barrier
// CHECK-COUNT-6: nvgpu.device_async_copy
// CHECK: nvgpu.device_async_create_group
// CHECK-NOT: nvgpu.device_async_copy
// CHECK-COUNT-2: vector.load %[[WS]]
// CHECK-COUNT-4: vector.load %[[XS]]
// CHECK-COUNT-8: nvgpu.mma.sync
// CHECK-COUNT-2: vector.load %[[WS]]
// CHECK-COUNT-4: vector.load %[[XS]]
// CHECK-COUNT-8: nvgpu.mma.sync
// CHECK-NOT: nvgpu.mma.sync
// CHECK: scf.yield

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

// Weight-only layers are staged too (tensor-core-f16-stages, 2 by default),
// with one warp along M. Eight stages would not fit the 48 KiB of static
// shared memory (W8A8: 8 x (48 + 64) x 64 bytes = 56 KiB; W8A16: 8 x
// (48 x 128 x 2 + 64 x 128) bytes = 160 KiB): as many as fit then (W8A8 6
// of 7 KiB, W8A16 2 of 20 KiB).
// CHECK-LABEL: func.func @staged_both
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w8tc2_m40_n256_k1024_g1024_s32_mt3_st2 blocks
// BIG-LABEL: func.func @staged_both
// BIG: gpu.launch_func @lowbit_gemv_kernels::@gemv_w8tc2_m40_n256_k1024_g1024_s32_mt3_st2 blocks
// BIG: gpu.launch_func @lowbit_gemv_kernels::@gemv_w8tc2_m40_n256_k1024_g1024_s32_a8_mt3_st6 blocks
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w8tc2_m40_n256_k1024_g1024_s32_a8_mt2_wm2_st4_sk128
func.func @staged_both(%x: tensor<40x1024xf32>, %w: tensor<256x1024xi8>, %s: tensor<256x1xf32>) -> (tensor<40x256xf32>, tensor<40x256xf32>) {
  %y = lowbit.qlinear %x, %w scales %s {in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 8>} : (tensor<40x1024xf32>, tensor<256x1024xi8>, tensor<256x1xf32>) -> tensor<40x256xf32>
  %z = lowbit.qlinear %x, %w scales %s {act_qconfig = #lowbit.qconfig<bits = 8, granularity = token>, in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 8>} : (tensor<40x1024xf32>, tensor<256x1024xi8>, tensor<256x1xf32>) -> tensor<40x256xf32>
  return %y, %z : tensor<40x256xf32>, tensor<40x256xf32>
}

// -----

// W4A16 beyond 16 rows, by default (tensor-core-f16-stages=2): a
// stage is one step of 128 values of K, x as f16 [48 rows, 128] (16
// chunks of 16 bytes a row, placed at chunk ^ (2 ((chunk / 4) % 4) +
// row % 2)) and the codes as [64 channels, 64 bytes]. With two stages
// each step waits for all groups, then starts the next stage before its
// products: 4 x 2 x 3 x 2 = 48 mma per step.
// DIRECT-LABEL: func.func @w4
// DIRECT: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4tc2_m40_n128_k1024_g128_s32_mt3 blocks
// DIRECT-NOT: device_async
// CHECK-LABEL: func.func @w4
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4tc2_m40_n128_k1024_g128_s32_mt3_st2 blocks
// CHECK: gpu.func @gemv_w4tc2_m40_n128_k1024_g128_s32_mt3_st2(%[[X:[^:]*]]: memref<40x1024xf16>, %[[W:[^:]*]]: memref<128x512xi8>, {{.*}} workgroup(%[[XS:[^ ]*]] : memref<2x48x128xf16, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %[[WS:[^ ]*]] : memref<2x64x64xi8, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK-COUNT-6: nvgpu.device_async_copy %[[X]][{{.*}}], %[[XS]][{{.*}}], 8, %{{.*}} {bypassL1}
// CHECK-COUNT-2: nvgpu.device_async_copy %[[W]][{{.*}}], %[[WS]][{{.*}}], 16, %{{.*}} {bypassL1}
// CHECK: %[[GROUP:.*]] = nvgpu.device_async_create_group
// CHECK: scf.for
// CHECK: nvgpu.device_async_wait %[[GROUP]] {numGroups = 0 : i32}
// CHECK-NEXT: gpu.barrier
// CHECK-COUNT-8: nvgpu.device_async_copy
// CHECK: nvgpu.device_async_create_group
// CHECK-COUNT-2: vector.load %[[WS]]
// CHECK: arith.xori
// CHECK: vector.load %[[XS]]{{.*}} : memref<2x48x128xf16, #gpu.address_space<workgroup>>, vector<8xf16>
// CHECK-COUNT-48: nvgpu.mma.sync
// CHECK-NOT: nvgpu.mma.sync
// CHECK: scf.yield
func.func @w4(%x: tensor<40x1024xf32>, %w: tensor<128x512xi8>, %s: tensor<128x8xf32>) -> tensor<40x128xf32> {
  %y = lowbit.qlinear %x, %w scales %s {in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<40x1024xf32>, tensor<128x512xi8>, tensor<128x8xf32>) -> tensor<40x128xf32>
  return %y : tensor<40x128xf32>
}

// -----

// K split across blocks when staged: only for K >= 8192, in at most 4
// splits up to 64 rows and 2 beyond. K = 8192 at 40 rows: one warp along
// M (K is long enough to split), 4 blocks of 64 channels, 3 stages of 128
// values of K (4 would not fit 48 KiB), 4 splits; at 200 rows 4 blocks of
// 64 channels (4 n-tiles a warp beyond 64 rows) by 2 of 128 rows, 2
// splits. K = 4096 at 40 rows: two warps along M (fewer than 128 blocks of
// 64 channels); with 8 blocks 4 splits, with 128 blocks (N = 4096) none
// (the direct form splits that in 4).
// CHECK-LABEL: func.func @splits
// DIRECT-LABEL: func.func @splits
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w8tc2_m40_n256_k8192_g8192_s32_a8_mt3_st3_sk128_ks4 blocks
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w8tc4_m200_n256_k8192_g8192_s32_a8_mt4_wm2_st4_ks2 blocks
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w8tc2_m40_n256_k4096_g4096_s32_a8_mt2_wm2_st4_sk128_ks4 blocks
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w8tc2_m40_n4096_k4096_g4096_s32_a8_mt2_wm2_st4_sk128 blocks
func.func @splits(%x: tensor<40x8192xf32>, %x2: tensor<200x8192xf32>, %x3: tensor<40x4096xf32>, %w: tensor<256x8192xi8>, %w3: tensor<256x4096xi8>, %w4: tensor<4096x4096xi8>, %s: tensor<256x1xf32>, %s4: tensor<4096x1xf32>) -> (tensor<40x256xf32>, tensor<200x256xf32>, tensor<40x256xf32>, tensor<40x4096xf32>) {
  %y = lowbit.qlinear %x, %w scales %s {act_qconfig = #lowbit.qconfig<bits = 8, granularity = token>, in_features = 8192 : i64, weight_qconfig = #lowbit.qconfig<bits = 8>} : (tensor<40x8192xf32>, tensor<256x8192xi8>, tensor<256x1xf32>) -> tensor<40x256xf32>
  %y2 = lowbit.qlinear %x2, %w scales %s {act_qconfig = #lowbit.qconfig<bits = 8, granularity = token>, in_features = 8192 : i64, weight_qconfig = #lowbit.qconfig<bits = 8>} : (tensor<200x8192xf32>, tensor<256x8192xi8>, tensor<256x1xf32>) -> tensor<200x256xf32>
  %y3 = lowbit.qlinear %x3, %w3 scales %s {act_qconfig = #lowbit.qconfig<bits = 8, granularity = token>, in_features = 4096 : i64, weight_qconfig = #lowbit.qconfig<bits = 8>} : (tensor<40x4096xf32>, tensor<256x4096xi8>, tensor<256x1xf32>) -> tensor<40x256xf32>
  %y4 = lowbit.qlinear %x3, %w4 scales %s4 {act_qconfig = #lowbit.qconfig<bits = 8, granularity = token>, in_features = 4096 : i64, weight_qconfig = #lowbit.qconfig<bits = 8>} : (tensor<40x4096xf32>, tensor<4096x4096xi8>, tensor<4096x1xf32>) -> tensor<40x4096xf32>
  return %y, %y2, %y3, %y4 : tensor<40x256xf32>, tensor<200x256xf32>, tensor<40x256xf32>, tensor<40x4096xf32>
}
