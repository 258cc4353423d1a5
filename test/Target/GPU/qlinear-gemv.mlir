// RUN: lowbit-opt %s --lowbit-gpu-qlinear-gemv -split-input-file | FileCheck %s

// A 4-bit group-128 qlinear with M = 2 (a rank-3 input [1, 2, K]) becomes a
// launch of a kernel specialized for its shape: one block of 4 warps per 8
// output channels, reading the packed codes with 16-byte vector loads.
// CHECK-LABEL: func.func @batch2
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x1024xf32>)
// CHECK: %[[X2:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1], [2]] : tensor<1x2x1024xf32> into tensor<2x1024xf32>
// CHECK: %[[XB:.*]] = bufferization.to_buffer %[[X2]] read_only
// CHECK: %[[PB:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<16x512xi8>
// CHECK: %[[SB:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<16x8xf32>
// CHECK: %[[Y:.*]] = memref.alloc() : memref<2x16xf32>
// CHECK-DAG: %[[GRID:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[BLOCK:.*]] = arith.constant 128 : index
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4_m2_n16_k1024_g128_s32 blocks in (%[[GRID]], %{{.*}}, %{{.*}}) threads in (%[[BLOCK]], %{{.*}}, %{{.*}}) args(%[[XB]] : memref<2x1024xf32>, %[[PB]] : memref<16x512xi8>, %[[SB]] : memref<16x8xf32>, %[[Y]] : memref<2x16xf32>)
// CHECK: %[[YT:.*]] = bufferization.to_tensor %[[Y]] restrict writable
// CHECK: %[[R:.*]] = tensor.expand_shape %[[YT]] {{\[\[}}0, 1], [2]]
// CHECK: return %[[R]] : tensor<1x2x16xf32>
// CHECK-NOT: lowbit.qlinear
// CHECK: gpu.module @lowbit_gemv_kernels
// CHECK: gpu.func @gemv_w4_m2_n16_k1024_g128_s32(%{{.*}}: memref<2x1024xf32>, %{{.*}}: memref<16x512xi8>, %{{.*}}: memref<16x8xf32>, %{{.*}}: memref<2x16xf32>) workgroup(%{{.*}}: memref<4x16xf32, #gpu.address_space<workgroup>>) kernel
// CHECK-SAME: known_block_size = array<i32: 128, 1, 1>
// CHECK: scf.for
// CHECK: vector.load %{{.*}} {alignment = 16 : i64} : memref<16x512xi8>, vector<16xi8>
// CHECK: vector.bitcast %{{.*}} : vector<16xi8> to vector<4xi32>
// CHECK: vector.load %{{.*}} {alignment = 16 : i64} : memref<2x1024xf32>, vector<4xf32>
// CHECK: arith.ori %{{.*}}, %{{.*}} : i32
// CHECK: llvm.intr.fma
// CHECK: gpu.shuffle  xor
// CHECK: gpu.barrier
// CHECK: memref.store %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] : memref<2x16xf32>
// CHECK: gpu.return
module {
  func.func @batch2(%x: tensor<1x2x1024xf32>) -> tensor<1x2x16xf32> {
    %p = arith.constant dense<17> : tensor<16x512xi8>
    %s = arith.constant dense<0.5> : tensor<16x8xf32>
    %0 = lowbit.qlinear %x, %p scales %s {in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<1x2x1024xf32>, tensor<16x512xi8>, tensor<16x8xf32>) -> tensor<1x2x16xf32>
    return %0 : tensor<1x2x16xf32>
  }
}

// -----

// Zero points, f16 scales and a bias are kernel arguments too; two linears
// of one shape share one kernel.
// CHECK-LABEL: func.func @shared_kernel
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4_m1_n8_k2048_g64_s16_zp_b32
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4_m1_n8_k2048_g64_s16_zp_b32
// CHECK: gpu.module @lowbit_gemv_kernels
// CHECK-COUNT-1: gpu.func
// CHECK-NOT: gpu.func
module {
  func.func @shared_kernel(%x: tensor<1x2048xf32>, %p: tensor<8x1024xi8>, %s: tensor<8x32xf16>, %z: tensor<8x32xi8>, %b: tensor<8xf32>) -> (tensor<1x8xf32>, tensor<1x8xf32>) {
    %0 = lowbit.qlinear %x, %p scales %s zero_points %z bias %b {in_features = 2048 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 64, symmetric = false>} : (tensor<1x2048xf32>, tensor<8x1024xi8>, tensor<8x32xf16>, tensor<8x32xi8>, tensor<8xf32>) -> tensor<1x8xf32>
    %1 = lowbit.qlinear %x, %p scales %s zero_points %z bias %b {in_features = 2048 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 64, symmetric = false>} : (tensor<1x2048xf32>, tensor<8x1024xi8>, tensor<8x32xf16>, tensor<8x32xi8>, tensor<8xf32>) -> tensor<1x8xf32>
    return %0, %1 : tensor<1x8xf32>, tensor<1x8xf32>
  }
}

// -----

// Shapes the kernel does not handle are left alone: K not a multiple of
// 1024, 8-bit weights, a batch of 32.
// CHECK-LABEL: func.func @left_alone
// CHECK-COUNT-3: lowbit.qlinear
// CHECK-NOT: gpu.launch_func
module {
  func.func @left_alone(%x: tensor<1x512xf32>, %p: tensor<8x256xi8>, %s: tensor<8x4xf32>,
                        %x8: tensor<1x1024xf32>, %p8: tensor<8x1024xi8>, %s8: tensor<8x1xf32>,
                        %x32: tensor<32x1024xf32>, %p32: tensor<8x512xi8>, %s32: tensor<8x8xf32>)
      -> (tensor<1x8xf32>, tensor<1x8xf32>, tensor<32x8xf32>) {
    %0 = lowbit.qlinear %x, %p scales %s {in_features = 512 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<1x512xf32>, tensor<8x256xi8>, tensor<8x4xf32>) -> tensor<1x8xf32>
    %1 = lowbit.qlinear %x8, %p8 scales %s8 {in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 8>} : (tensor<1x1024xf32>, tensor<8x1024xi8>, tensor<8x1xf32>) -> tensor<1x8xf32>
    %2 = lowbit.qlinear %x32, %p32 scales %s32 {in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<32x1024xf32>, tensor<8x512xi8>, tensor<8x8xf32>) -> tensor<32x8xf32>
    return %0, %1, %2 : tensor<1x8xf32>, tensor<1x8xf32>, tensor<32x8xf32>
  }
}

// -----

// From 3 rows of x on: the tensor-core kernel, 16 output channels per block
// (2 n-tiles), 2 x 8 mma.sync m16n8k16 per 128 values of K, codes read as
// 32-bit words, x as float4 rounded to f16.
// CHECK-LABEL: func.func @tensor_cores
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4tc2_m4_n16_k1024_g128_s32 blocks in ({{.*}}) threads in ({{.*}}) args({{.*}} : memref<4x1024xf32>, {{.*}} : memref<16x512xi8>, {{.*}} : memref<16x8xf32>, {{.*}} : memref<4x16xf32>)
// CHECK: gpu.func @gemv_w4tc2_m4_n16_k1024_g128_s32({{.*}}) workgroup(%{{.*}}: memref<4x256xf32, #gpu.address_space<workgroup>>) kernel
// CHECK: scf.for
// CHECK-COUNT-8: vector.load %{{.*}} {alignment = 4 : i64} : memref<16x512xi8>, vector<4xi8>
// CHECK: vector.load %{{.*}} {alignment = 16 : i64} : memref<4x1024xf32>, vector<4xf32>
// CHECK: arith.truncf %{{.*}} : vector<4xf32> to vector<4xf16>
// CHECK-COUNT-16: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xf16>, vector<2x2xf16>, vector<2x2xf32>) -> vector<2x2xf32>
// CHECK: llvm.intr.fma
// CHECK: gpu.barrier
module {
  func.func @tensor_cores(%x: tensor<4x1024xf32>, %p: tensor<16x512xi8>, %s: tensor<16x8xf32>) -> tensor<4x16xf32> {
    %0 = lowbit.qlinear %x, %p scales %s {in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<4x1024xf32>, tensor<16x512xi8>, tensor<16x8xf32>) -> tensor<4x16xf32>
    return %0 : tensor<4x16xf32>
  }
}

// -----

// A long K over few channels (down projection shape) is split across
// blocks: here one channel group, so 4 splits of 16 steps; the kernel writes
// partial sums [4, M, N] and a linalg.reduce adds them.
// CHECK-LABEL: func.func @split_k
// CHECK: %[[P:.*]] = memref.alloc() : memref<4x4x16xf32>
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4tc2_m4_n16_k8192_g128_s32_ks4 blocks in ({{.*}}) threads in ({{.*}}) args({{.*}}, %[[P]] : memref<4x4x16xf32>)
// CHECK: %[[T:.*]] = bufferization.to_tensor %[[P]]
// CHECK: linalg.reduce ins(%[[T]] : tensor<4x4x16xf32>) {{.*}} dimensions = [0]
// CHECK: gpu.block_id  y
module {
  func.func @split_k(%x: tensor<4x8192xf32>, %p: tensor<16x4096xi8>, %s: tensor<16x64xf32>) -> tensor<4x16xf32> {
    %0 = lowbit.qlinear %x, %p scales %s {in_features = 8192 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<4x8192xf32>, tensor<16x4096xi8>, tensor<16x64xf32>) -> tensor<4x16xf32>
    return %0 : tensor<4x16xf32>
  }
}
