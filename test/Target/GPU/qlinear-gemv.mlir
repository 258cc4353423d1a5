// RUN: lowbit-opt %s --lowbit-gpu-qlinear-gemv="tensor-core-min-rows=3 tensor-core-f16-x-min-rows=17 tensor-core-stages=0 tensor-core-f16-stages=0" -split-input-file | FileCheck %s

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
// Codes 0-4 of a word are masked in place (code 4: 0xF0000), codes 5-7
// after one shift by 12; the masked word, read as a float, is the subnormal
// c * 16^i * 2^-149, and x is taken times 2^(85 - 4 i) (2^85 for code 0),
// so the fma follows the mask directly.
// CHECK: arith.constant 3.86856262E+25 : f32
// CHECK: arith.shrui %{{.*}}, %{{.*}} : i32
// CHECK: %[[MASK4:.*]] = arith.constant 983040 : i32
// CHECK: %[[CODE4:.*]] = arith.andi %{{.*}}, %[[MASK4]] : i32
// CHECK-NOT: arith.ori
// CHECK: %[[FLOAT4:.*]] = arith.bitcast %[[CODE4]] : i32 to f32
// CHECK-NOT: arith.subf
// CHECK: llvm.intr.fma(%{{.*}}, %[[FLOAT4]], %{{.*}})
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

// 4-bit codes at one row of a large matrix (2^25 weights here): 16 output
// channels per warp and block, 512 blocks for N = 8192.
// CHECK-LABEL: func.func @large_matrix
// CHECK-DAG: %[[BLOCKS:.*]] = arith.constant 512 : index
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4_m1_n8192_k4096_g128_s32 blocks in (%[[BLOCKS]],
// CHECK: gpu.func @gemv_w4_m1_n8192_k4096_g128_s32({{.*}}) workgroup(%{{.*}}: memref<4x16xf32, #gpu.address_space<workgroup>>) kernel
module {
  func.func @large_matrix(%x: tensor<1x4096xf32>) -> tensor<1x8192xf32> {
    %p = arith.constant dense<17> : tensor<8192x2048xi8>
    %s = arith.constant dense<0.5> : tensor<8192x32xf32>
    %0 = lowbit.qlinear %x, %p scales %s {in_features = 4096 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<1x4096xf32>, tensor<8192x2048xi8>, tensor<8192x32xf32>) -> tensor<1x8192xf32>
    return %0 : tensor<1x8192xf32>
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
// 1024, 2-bit weights, a batch of 32 with 8 output channels (the
// tensor-core GEMM takes N in blocks of 64).
// CHECK-LABEL: func.func @left_alone
// CHECK-COUNT-3: lowbit.qlinear
// CHECK-NOT: gpu.launch_func
module {
  func.func @left_alone(%x: tensor<1x512xf32>, %p: tensor<8x256xi8>, %s: tensor<8x4xf32>,
                        %x8: tensor<1x1024xf32>, %p8: tensor<8x256xi8>, %s8: tensor<8x1xf32>,
                        %x32: tensor<32x1024xf32>, %p32: tensor<8x512xi8>, %s32: tensor<8x8xf32>)
      -> (tensor<1x8xf32>, tensor<1x8xf32>, tensor<32x8xf32>) {
    %0 = lowbit.qlinear %x, %p scales %s {in_features = 512 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<1x512xf32>, tensor<8x256xi8>, tensor<8x4xf32>) -> tensor<1x8xf32>
    %1 = lowbit.qlinear %x8, %p8 scales %s8 {in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 2>} : (tensor<1x1024xf32>, tensor<8x256xi8>, tensor<8x1xf32>) -> tensor<1x8xf32>
    %2 = lowbit.qlinear %x32, %p32 scales %s32 {in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<32x1024xf32>, tensor<8x512xi8>, tensor<8x8xf32>) -> tensor<32x8xf32>
    return %0, %1, %2 : tensor<1x8xf32>, tensor<1x8xf32>, tensor<32x8xf32>
  }
}

// -----

// From 3 rows of x on: the tensor-core kernel, 16 output channels per block
// (2 n-tiles), 2 x 8 mma.sync m16n8k16 per 128 values of K, codes read by
// one 16-byte load per n-tile and step, x as float4 rounded to f16; codes s
// and s + 4 of a word become one f16 pair by masking with 0x000F000F and
// or-ing 0x64006400 (one lop3), or, for odd s, by masking with 0x00F000F0,
// or-ing the same, and an f16 fma by 1/16. Each warp's partial sums, 16
// rows of 16 channels, are kept in shared memory with rows 20 values apart
// (fewer bank conflicts).
// CHECK-LABEL: func.func @tensor_cores
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4tc2_m4_n16_k1024_g128_s32 blocks in ({{.*}}) threads in ({{.*}}) args({{.*}} : memref<4x1024xf32>, {{.*}} : memref<16x512xi8>, {{.*}} : memref<16x8xf32>, {{.*}} : memref<4x16xf32>)
// CHECK: gpu.func @gemv_w4tc2_m4_n16_k1024_g128_s32({{.*}}) workgroup(%{{.*}}: memref<4x320xf32, #gpu.address_space<workgroup>>) kernel
// With 8 steps for 4 warps, each warp loads its first step before the loop
// (through empty moves) and the next one in it.
// CHECK: vector.load %{{.*}} {alignment = 16 : i64} : memref<16x512xi8>, vector<16xi8>
// CHECK-COUNT-4: llvm.inline_asm "mov.b32 $0, $1;", "=r,r"
// CHECK: vector.load %{{.*}} {alignment = 16 : i64} : memref<16x512xi8>, vector<16xi8>
// CHECK-COUNT-4: llvm.inline_asm "mov.b32 $0, $1;", "=r,r"
// CHECK: scf.for
// CHECK: arith.minui %{{.*}}, %{{.*}} : index
// CHECK-COUNT-2: vector.load %{{.*}} {alignment = 16 : i64} : memref<16x512xi8>, vector<16xi8>
// CHECK-NOT: vector<4xi8>
// CHECK: vector.load %{{.*}} {alignment = 16 : i64} : memref<4x1024xf32>, vector<4xf32>
// CHECK: arith.truncf %{{.*}} : vector<4xf32> to vector<4xf16>
// CHECK-DAG: llvm.inline_asm "lop3.b32 $0, $1, 0xf000f, 0x64006400, 0xEA;", "=r,r"
// CHECK-DAG: llvm.inline_asm "lop3.b32 $0, $1, 0xf000f0, 0x64006400, 0xEA;", "=r,r"
// CHECK-DAG: arith.constant dense<6.250000e-02> : vector<2xf16>
// CHECK-DAG: llvm.intr.fma(%{{.*}}, %{{.*}}, %{{.*}}) : (vector<2xf16>, vector<2xf16>, vector<2xf16>) -> vector<2xf16>
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
// blocks: here one channel group, so 4 splits of 16 steps (8 warps a block,
// as K has 16 steps per block and the grid is small); the kernel writes
// partial sums [4, M, N] and an elementwise op adds the four slices in
// order, from 0.
// CHECK-LABEL: func.func @split_k
// CHECK: %[[P:.*]] = memref.alloc() : memref<4x4x16xf32>
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4tc2_m4_n16_k8192_g128_s32_w8_ks4 blocks in ({{.*}}) threads in ({{.*}}) args({{.*}}, %[[P]] : memref<4x4x16xf32>)
// CHECK: %[[T:.*]] = bufferization.to_tensor %[[P]]
// CHECK: %[[S0:.*]] = tensor.extract_slice %[[T]][0, 0, 0] [1, 4, 16] [1, 1, 1] : tensor<4x4x16xf32> to tensor<4x16xf32>
// CHECK: %[[S3:.*]] = tensor.extract_slice %[[T]][3, 0, 0] [1, 4, 16] [1, 1, 1] : tensor<4x4x16xf32> to tensor<4x16xf32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%[[S0]], %{{.*}}, %{{.*}}, %[[S3]] : {{.*}})
// CHECK: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %[[C:.*]]: f32, %[[D:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[SA:.*]] = arith.addf %{{.*}}, %[[A]] : f32
// CHECK: %[[SB:.*]] = arith.addf %[[SA]], %[[B]] : f32
// CHECK: %[[SC:.*]] = arith.addf %[[SB]], %[[C]] : f32
// CHECK: arith.addf %[[SC]], %[[D]] : f32
// CHECK: gpu.block_id  y
module {
  func.func @split_k(%x: tensor<4x8192xf32>, %p: tensor<16x4096xi8>, %s: tensor<16x64xf32>) -> tensor<4x16xf32> {
    %0 = lowbit.qlinear %x, %p scales %s {in_features = 8192 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<4x8192xf32>, tensor<16x4096xi8>, tensor<16x64xf32>) -> tensor<4x16xf32>
    return %0 : tensor<4x16xf32>
  }
}

// -----

// More than 16 rows of x: the tensor-core GEMM. 80 rows are 5 tiles of 16:
// 4 per block, so 2 blocks along M (grid z); the four warps split N, each
// with its n-tiles of 8 channels for every row tile: beyond 64 rows 4 of
// them (tensor-core-wide-tiles), 128 channels per block, 1 block along N.
// One weight fragment feeds 4 mma (4 x 4 x 8 = 128 per step of 128); the
// results are stored directly, rows past M skipped, without shared memory.
// x is rounded to f16 once, by an elementwise linalg.generic before the
// launch. The 2 blocks are too few for the GPU: K is split in 4 (8 steps of
// 128 each), grid y.
// CHECK-LABEL: func.func @gemm
// CHECK: %[[XH:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<80x4096xf32>) outs(%{{.*}} : tensor<80x4096xf16>)
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: bufferization.to_buffer %[[XH]] read_only : tensor<80x4096xf16>
// CHECK-DAG: %[[ONE:c1_[0-9]*]] = arith.constant 1 : index
// CHECK-DAG: %[[FOUR:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[T128:.*]] = arith.constant 128 : index
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4tc4_m80_n128_k4096_g128_s32_mt4_ks4 blocks in (%[[ONE]], %[[FOUR]], %[[TWO:c2[_0-9]*]]) threads in (%[[T128]], %{{.*}}, %{{.*}}) args({{.*}} : memref<80x4096xf16>, {{.*}} : memref<128x2048xi8>, {{.*}} : memref<128x32xf32>, {{.*}} : memref<4x80x128xf32>)
// CHECK: linalg.generic
// CHECK: gpu.func @gemv_w4tc4_m80_n128_k4096_g128_s32_mt4_ks4({{[^)]*}}: memref<4x80x128xf32>) kernel
// CHECK: gpu.block_id  z
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args({{([^,]*, ){63}[^,]*}}) -> (f32,
// CHECK-COUNT-4: vector.load %{{.*}} {alignment = 16 : i64} : memref<128x2048xi8>, vector<16xi8>
// CHECK: vector.load %{{.*}} {alignment = 16 : i64} : memref<80x4096xf16>, vector<8xf16>
// CHECK-COUNT-16: nvgpu.mma.sync
// CHECK-COUNT-112: nvgpu.mma.sync
// CHECK-NOT: nvgpu.mma.sync
// CHECK-NOT: gpu.barrier
// CHECK: scf.if
// CHECK: memref.store %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}] : memref<4x80x128xf32>
// CHECK: gpu.return
module {
  func.func @gemm(%x: tensor<80x4096xf32>, %p: tensor<128x2048xi8>, %s: tensor<128x32xf32>) -> tensor<80x128xf32> {
    %0 = lowbit.qlinear %x, %p scales %s {in_features = 4096 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<80x4096xf32>, tensor<128x2048xi8>, tensor<128x32xf32>) -> tensor<80x128xf32>
    return %0 : tensor<80x128xf32>
  }
}

// -----

// 8-bit codes (per channel here): the CUDA-core kernel at one row covers
// 512 values of K per warp step (16 codes per 16-byte load, 4 per word),
// byte t of a word going to 2^23 + code by one byte permute with
// 0x4B000000 (selector 0x765t);
// the tensor-core kernel loads 16 bytes twice per row and step and turns
// bytes (0, 2) and (1, 3) of each word into f16 pairs by a byte permute
// with 0x64646464 (1684300900), selectors 0x4240 (16960) and 0x4341 (17217).
// CHECK-LABEL: func.func @eight_bit
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w8_m1_n16_k1024_g1024_s32
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w8tc2_m4_n16_k1024_g1024_s32_zp
// CHECK: gpu.func @gemv_w8_m1_n16_k1024_g1024_s32(%{{.*}}: memref<1x1024xf32>, %{{.*}}: memref<16x1024xi8>,
// CHECK: vector.load %{{.*}} {alignment = 16 : i64} : memref<16x1024xi8>, vector<16xi8>
// CHECK: %[[SEL0:.*]] = arith.constant 30288 : i32
// CHECK: nvvm.prmt <default> %[[SEL0]], %{{.*}}, %{{.*}} : i32
// CHECK: %[[SEL3:.*]] = arith.constant 30291 : i32
// CHECK: nvvm.prmt <default> %[[SEL3]], %{{.*}}, %{{.*}} : i32
// CHECK-NOT: arith.andi
// CHECK: gpu.func @gemv_w8tc2_m4_n16_k1024_g1024_s32_zp
// CHECK: scf.for
// CHECK-COUNT-4: vector.load %{{.*}} {alignment = 16 : i64} : memref<16x1024xi8>, vector<16xi8>
// CHECK-DAG: nvvm.prmt <default> %c16960_i32{{[_0-9]*}}, %{{.*}}, %c1684300900_i32{{[_0-9]*}} : i32
// CHECK-DAG: nvvm.prmt <default> %c17217_i32{{[_0-9]*}}, %{{.*}}, %c1684300900_i32{{[_0-9]*}} : i32
// CHECK-COUNT-16: nvgpu.mma.sync
module {
  func.func @eight_bit(%x1: tensor<1x1024xf32>, %x4: tensor<4x1024xf32>, %p: tensor<16x1024xi8>, %s: tensor<16x1xf32>, %z: tensor<16x1xi8>) -> (tensor<1x16xf32>, tensor<4x16xf32>) {
    %0 = lowbit.qlinear %x1, %p scales %s {in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 8>} : (tensor<1x1024xf32>, tensor<16x1024xi8>, tensor<16x1xf32>) -> tensor<1x16xf32>
    %1 = lowbit.qlinear %x4, %p scales %s zero_points %z {in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 8, symmetric = false>} : (tensor<4x1024xf32>, tensor<16x1024xi8>, tensor<16x1xf32>, tensor<16x1xi8>) -> tensor<4x16xf32>
    return %0, %1 : tensor<1x16xf32>, tensor<4x16xf32>
  }
}

// -----

// More steps of K than warps (20 steps of 1024 here; beyond 16 the
// default keeps 4 warps): each warp loads the codes, scales and zero
// points of its next step before it works on the current one (the next
// step clamped to the last), carrying them through the loop; the first
// step's words pass an empty inline-asm move so that LLVM does not merge
// the two loads back into one.
// CHECK-LABEL: func.func @prefetch
// CHECK: gpu.func @gemv_w4_m1_n8_k20480_g128_s16_zp
// CHECK-COUNT-4: llvm.inline_asm "mov.b32 $0, $1;", "=r,r"
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(
// CHECK: arith.minui %{{.*}}, %{{.*}} : index
// CHECK: vector.load %{{.*}} {alignment = 16 : i64} : memref<8x10240xi8>, vector<16xi8>
// CHECK: memref.load %{{.*}} : memref<8x160xf16>
// CHECK: memref.load %{{.*}} : memref<8x160xi8>
// CHECK: scf.yield
module {
  func.func @prefetch(%x: tensor<1x20480xf32>, %p: tensor<8x10240xi8>, %s: tensor<8x160xf16>, %z: tensor<8x160xi8>) -> tensor<1x8xf32> {
    %0 = lowbit.qlinear %x, %p scales %s zero_points %z {in_features = 20480 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128, symmetric = false>} : (tensor<1x20480xf32>, tensor<8x10240xi8>, tensor<8x160xf16>, tensor<8x160xi8>) -> tensor<1x8xf32>
    return %0 : tensor<1x8xf32>
  }
}

// -----

// 5 to 16 steps of K (8 here) with 4-bit codes at one row: one warp per
// step (8 warps, 256 threads), each loading its one step at once, with no
// step to prefetch; 8-bit codes (and two rows) keep 4 warps.
// CHECK-LABEL: func.func @warp_per_step
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4_m1_n8_k8192_g128_s16_zp_w8 blocks in (%{{.*}}, %{{.*}}, %{{.*}}) threads in (%c256,
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w8_m1_n8_k8192_g128_s16 blocks
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4_m2_n8_k8192_g128_s16_zp blocks in (%{{.*}}, %{{.*}}, %{{.*}}) threads in (%c128{{(_[0-9]+)?}},
// CHECK: gpu.func @gemv_w4_m1_n8_k8192_g128_s16_zp_w8
// CHECK-NOT: llvm.inline_asm
// CHECK: gpu.func @gemv_w8_m1_n8_k8192_g128_s16
module {
  func.func @warp_per_step(%x: tensor<1x8192xf32>, %x2: tensor<2x8192xf32>, %p: tensor<8x4096xi8>, %p8: tensor<8x8192xi8>, %s: tensor<8x64xf16>, %z: tensor<8x64xi8>) -> (tensor<1x8xf32>, tensor<1x8xf32>, tensor<2x8xf32>) {
    %0 = lowbit.qlinear %x, %p scales %s zero_points %z {in_features = 8192 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128, symmetric = false>} : (tensor<1x8192xf32>, tensor<8x4096xi8>, tensor<8x64xf16>, tensor<8x64xi8>) -> tensor<1x8xf32>
    %1 = lowbit.qlinear %x, %p8 scales %s {in_features = 8192 : i64, weight_qconfig = #lowbit.qconfig<bits = 8, granularity = group, group_size = 128>} : (tensor<1x8192xf32>, tensor<8x8192xi8>, tensor<8x64xf16>) -> tensor<1x8xf32>
    %2 = lowbit.qlinear %x2, %p scales %s zero_points %z {in_features = 8192 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128, symmetric = false>} : (tensor<2x8192xf32>, tensor<8x4096xi8>, tensor<8x64xf16>, tensor<8x64xi8>) -> tensor<2x8xf32>
    return %0, %1, %2 : tensor<1x8xf32>, tensor<1x8xf32>, tensor<2x8xf32>
  }
}

// -----

// W8A8 (activations quantized per token, symmetric 8-bit weights per
// channel): x is quantized before the launch by lowbit.quantize_per_token
// (the CPU lowering's numerics) and enters the integer tensor cores as
// codes, at any M; the warps split N (64 channels per block: 2 blocks).
// This file pins tensor-core-stages=0: each lane loads its fragments from
// global memory (qlinear-gemv-staged.mlir tests the default, staged form).
// Weights are flipped to signed bytes (code ^ 0x80 = code - 128), the
// mma are m16n8k32 on i8 with i32 accumulators carried over all of K,
// and each output is (x_scale[m] * scale[n]) * float(acc) + bias.
// CHECK-LABEL: func.func @w8a8
// CHECK-SAME: (%[[X:.*]]: tensor<4x256xf32>
// CHECK: %[[Q:.*]], %[[XS:.*]] = lowbit.quantize_per_token %[[X]] {qconfig = #lowbit.qconfig<bits = 8, granularity = token>} : tensor<4x256xf32> -> tensor<4x256xi8>, tensor<4x1xf32>
// CHECK: %[[XS1:.*]] = tensor.collapse_shape %[[XS]] {{\[\[}}0, 1]] : tensor<4x1xf32> into tensor<4xf32>
// CHECK: %[[QB:.*]] = bufferization.to_buffer %[[Q]] read_only : tensor<4x256xi8>
// CHECK: %[[XSB:.*]] = bufferization.to_buffer %[[XS1]] read_only : tensor<4xf32>
// CHECK-DAG: %[[GRID:.*]] = arith.constant 2 : index
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w8tc2_m4_n128_k256_g256_s32_a8_mt1_b32 blocks in (%[[GRID]], %{{.*}}, %{{.*}}) threads in ({{.*}}) args(%[[QB]] : memref<4x256xi8>, %{{.*}} : memref<128x256xi8>, %{{.*}} : memref<128x1xf32>, %{{.*}} : memref<128xf32>, %[[XSB]] : memref<4xf32>, %{{.*}} : memref<4x128xf32>)
// CHECK-NOT: lowbit.qlinear
// CHECK: gpu.func @gemv_w8tc2_m4_n128_k256_g256_s32_a8_mt1_b32(%[[KX:.*]]: memref<4x256xi8>, %[[KP:.*]]: memref<128x256xi8>, %[[KS:.*]]: memref<128x1xf32>, %[[KB:.*]]: memref<128xf32>, %[[KXS:.*]]: memref<4xf32>, %{{.*}}: memref<4x128xf32>) kernel
// CHECK: %[[FLIP:.*]] = arith.constant -2139062144 : i32
// CHECK: scf.for {{.*}} -> (vector<2x2xi32>, vector<2x2xi32>)
// CHECK: vector.load %[[KP]]{{.*}} {alignment = 16 : i64} : memref<128x256xi8>, vector<16xi8>
// CHECK: arith.xori %{{.*}}, %[[FLIP]] : i32
// CHECK: vector.load %[[KX]]{{.*}} {alignment = 16 : i64} : memref<4x256xi8>, vector<16xi8>
// CHECK-COUNT-4: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 32]} : (vector<4x4xi8>, vector<2x4xi8>, vector<2x2xi32>) -> vector<2x2xi32>
// CHECK: scf.yield
// CHECK: %[[RS:.*]] = memref.load %[[KXS]]
// CHECK: %[[CS:.*]] = memref.load %[[KS]]
// CHECK: %[[PROD:.*]] = arith.mulf %[[RS]], %[[CS]] : f32
// CHECK: %[[ACC:.*]] = arith.sitofp %{{.*}} : i32 to f32
// CHECK: arith.mulf %[[PROD]], %[[ACC]] : f32
module {
  func.func @w8a8(%x: tensor<4x256xf32>, %w: tensor<128x256xi8>, %s: tensor<128x1xf32>, %b: tensor<128xf32>) -> tensor<4x128xf32> {
    %y = lowbit.qlinear %x, %w scales %s bias %b {act_qconfig = #lowbit.qconfig<bits = 8, granularity = token>, in_features = 256 : i64, weight_qconfig = #lowbit.qconfig<bits = 8>} : (tensor<4x256xf32>, tensor<128x256xi8>, tensor<128x1xf32>, tensor<128xf32>) -> tensor<4x128xf32>
    return %y : tensor<4x128xf32>
  }
}

// -----

// W8A8 below tensor-core-min-rows: the CUDA-core kernel, dp4a on four codes
// at a time (4 words x (8 rows + the sum of x) per step at one row), where
// K is a multiple of 512; with K = 256 the tensor-core kernel.
// CHECK-LABEL: func.func @w8a8_one_row
// CHECK: lowbit.quantize_per_token
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w8_m1_n64_k512_g512_s32_a8 blocks
// CHECK: lowbit.quantize_per_token
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w8tc2_m1_n64_k256_g256_s32_a8_mt1 blocks
// CHECK: gpu.func @gemv_w8_m1_n64_k512_g512_s32_a8(%{{.*}}: memref<1x512xi8>, %{{.*}}: memref<64x512xi8>, %{{.*}}: memref<64x1xf32>, %{{.*}}: memref<1xf32>, %{{.*}}: memref<1x64xf32>) workgroup(%{{.*}}: memref<4x8xf32, #gpu.address_space<workgroup>>)
// CHECK-COUNT-36: nvvm.dot.accumulate.4way %{{.*}} <unsigned>, %{{.*}} <signed>
// CHECK-NOT: nvvm.dot.accumulate.4way
// CHECK: arith.sitofp %{{.*}} : i32 to f32
// CHECK: gpu.func @gemv_w8tc2_m1_n64_k256_g256_s32_a8_mt1
// CHECK: nvgpu.mma.sync
module {
  func.func @w8a8_one_row(%x: tensor<1x512xf32>, %w: tensor<64x512xi8>, %s: tensor<64x1xf32>,
                          %x2: tensor<1x256xf32>, %w2: tensor<64x256xi8>, %s2: tensor<64x1xf32>)
      -> (tensor<1x64xf32>, tensor<1x64xf32>) {
    %y = lowbit.qlinear %x, %w scales %s {act_qconfig = #lowbit.qconfig<bits = 8, granularity = token>, in_features = 512 : i64, weight_qconfig = #lowbit.qconfig<bits = 8>} : (tensor<1x512xf32>, tensor<64x512xi8>, tensor<64x1xf32>) -> tensor<1x64xf32>
    %y2 = lowbit.qlinear %x2, %w2 scales %s2 {act_qconfig = #lowbit.qconfig<bits = 8, granularity = token>, in_features = 256 : i64, weight_qconfig = #lowbit.qconfig<bits = 8>} : (tensor<1x256xf32>, tensor<64x256xi8>, tensor<64x1xf32>) -> tensor<1x64xf32>
    return %y, %y2 : tensor<1x64xf32>, tensor<1x64xf32>
  }
}

// -----

// Activation configs the integer kernel does not take stay with the
// generic lowering: asymmetric per-token codes, and 4-bit weights.
// CHECK-LABEL: func.func @w8a8_left_alone
// CHECK-COUNT-2: lowbit.qlinear
// CHECK-NOT: gpu.launch_func
module {
  func.func @w8a8_left_alone(%x: tensor<4x256xf32>, %w: tensor<128x256xi8>, %s: tensor<128x1xf32>, %w4: tensor<128x128xi8>, %s4: tensor<128x2xf32>) -> (tensor<4x128xf32>, tensor<4x128xf32>) {
    %y = lowbit.qlinear %x, %w scales %s {act_qconfig = #lowbit.qconfig<bits = 8, granularity = token, symmetric = false>, in_features = 256 : i64, weight_qconfig = #lowbit.qconfig<bits = 8>} : (tensor<4x256xf32>, tensor<128x256xi8>, tensor<128x1xf32>) -> tensor<4x128xf32>
    %z = lowbit.qlinear %x, %w4 scales %s4 {act_qconfig = #lowbit.qconfig<bits = 8, granularity = token>, in_features = 256 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<4x256xf32>, tensor<128x128xi8>, tensor<128x2xf32>) -> tensor<4x128xf32>
    return %y, %z : tensor<4x128xf32>, tensor<4x128xf32>
  }
}

// -----

// W8A8 with one calibrated activation scale (symmetric, per tensor): x is
// quantized by lowbit.quantize with that scale, and the kernel gets it as
// the scale of every row.
// CHECK-LABEL: func.func @w8a8_static
// CHECK: %[[S0:.*]] = arith.constant dense<2.500000e-02> : tensor<f32>
// CHECK: %[[Q:.*]] = lowbit.quantize %{{.*}} scale %[[S0]] : tensor<f32> {qconfig = #lowbit.qconfig<bits = 8, granularity = tensor>} : tensor<16x256xf32> -> tensor<16x256xi8>
// CHECK: %[[SM:.*]] = arith.constant dense<2.500000e-02> : tensor<16xf32>
// CHECK-DAG: %[[QB:.*]] = bufferization.to_buffer %[[Q]] read_only : tensor<16x256xi8>
// CHECK-DAG: %[[SB:.*]] = bufferization.to_buffer %[[SM]] read_only : tensor<16xf32>
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w8tc2_m16_n64_k256_g256_s32_a8_mt1 {{.*}} args(%[[QB]] : memref<16x256xi8>, %{{.*}} : memref<64x256xi8>, %{{.*}} : memref<64x1xf32>, %[[SB]] : memref<16xf32>, %{{.*}} : memref<16x64xf32>)
module {
  func.func @w8a8_static(%x: tensor<16x256xf32>, %w: tensor<64x256xi8>, %s: tensor<64x1xf32>) -> tensor<16x64xf32> {
    %y = lowbit.qlinear %x, %w scales %s {act_qconfig = #lowbit.qconfig<bits = 8, granularity = tensor>, act_scale = 2.500000e-02 : f32, in_features = 256 : i64, weight_qconfig = #lowbit.qconfig<bits = 8>} : (tensor<16x256xf32>, tensor<64x256xi8>, tensor<64x1xf32>) -> tensor<16x64xf32>
    return %y : tensor<16x64xf32>
  }
}
