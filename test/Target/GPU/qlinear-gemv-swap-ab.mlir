// RUN: lowbit-opt %s --lowbit-gpu-qlinear-gemv="tensor-core-swap-ab=1" | FileCheck %s
// RUN: lowbit-opt %s --lowbit-gpu-qlinear-gemv="tensor-core-swap-ab=1 tensor-core-tiles=1" | FileCheck %s --check-prefix=ODD
// RUN: lowbit-opt %s --lowbit-gpu-qlinear-gemv | FileCheck %s --check-prefix=DEFAULT
// RUN: lowbit-opt %s --lowbit-gpu-qlinear-gemv="tensor-core-swap-ab=-1" | FileCheck %s --check-prefix=NEVER

// tensor-core-swap-ab: at up to 8 rows the codes of 16 channels (n-tiles 2u
// and 2u + 1, the lane's weight rows r and r + 8) are mma's A operand and
// x's rows the 8 columns of B: one mma per 16 channels and 16 values of K,
// 8 per step of 128 with 2 n-tiles (16 when x is A). The rounding kernel
// stores each step's 16 chunks of 8 values in the order the lanes load them
// (4-bit codes: the step's chunks [q, h] transposed to [h, q]) and
// interleaves x in blocks of 8 values of K ([2, 4] transposed to [4, 2];
// 8-bit codes: blocks of 4, chunks in K order) so that words 2j
// and 2j + 1 of a 16-byte load are the B fragment as they are. Each lane
// scales its own two channels (two scale loads per step) and writes rows 2q
// and 2q + 1.
// CHECK-DAG: #[[SWAP:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d3, d2, d5, d4)>
// CHECK-DAG: #[[SAME:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>
// CHECK-DAG: #[[SWAP8:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3, d2)>
// CHECK-DAG: #[[ORDER:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d2, d4)>
// CHECK-LABEL: func.func @four_rows
// CHECK: %[[BLOCKS:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2, 3, 4, 5]] output_shape [4, 8, 4, 4, 2, 4] : tensor<4x1024xf32> into tensor<4x8x4x4x2x4xf32>
// CHECK: %[[HALF:.*]] = linalg.generic {indexing_maps = [#[[SWAP]], #[[SAME]]], {{.*}} ins(%[[BLOCKS]] : tensor<4x8x4x4x2x4xf32>) outs(%{{.*}} : tensor<4x8x4x4x4x2xf16>)
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[HALF]] {{\[\[}}0], [1, 2, 3, 4, 5]] : tensor<4x8x4x4x4x2xf16> into tensor<4x1024xf16>
// CHECK: %[[XB:.*]] = bufferization.to_buffer %[[FLAT]] read_only : tensor<4x1024xf16>
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4tc2_m4_n16_k1024_g128_s32_xl_sw {{.*}} args(%[[XB]] : memref<4x1024xf16>

// CHECK-LABEL: func.func @eight_bit
// CHECK: tensor.expand_shape %{{.*}} output_shape [4, 256, 2, 2] : tensor<4x1024xf32> into tensor<4x256x2x2xf32>
// CHECK: linalg.generic {indexing_maps = [#[[SWAP8]], {{.*}} outs(%{{.*}} : tensor<4x256x2x2xf16>)
// CHECK: tensor.collapse_shape %{{.*}} : tensor<4x256x2x2xf16> into tensor<4x1024xf16>
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w8tc2_m4_n16_k1024_g128_s32_xh_sw

// More than 8 rows: x is A as before, not interleaved, its chunks in load
// order.
// CHECK-LABEL: func.func @sixteen_rows
// CHECK: tensor.expand_shape %{{.*}} output_shape [16, 8, 4, 4, 8] : tensor<16x1024xf32> into tensor<16x8x4x4x8xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ORDER]], {{.*}} outs(%{{.*}} : tensor<16x8x4x4x8xf16>)
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4tc2_m16_n16_k1024_g128_s32_xl blocks

// CHECK: gpu.func @gemv_w4tc2_m4_n16_k1024_g128_s32_xl_sw(
// CHECK: scf.for
// CHECK-COUNT-2: memref.load %{{.*}} : memref<16x8xf32>
// CHECK: %[[X:.*]] = vector.load %{{.*}} {alignment = 16 : i64} : memref<4x1024xf16>, vector<8xf16>
// CHECK: %[[WORDS:.*]] = vector.bitcast %[[X]] : vector<8xf16> to vector<4xi32>
// CHECK: %[[W0:.*]] = vector.extract %[[WORDS]][0] : i32 from vector<4xi32>
// CHECK: %[[V0:.*]] = vector.broadcast %[[W0]] : i32 to vector<1xi32>
// CHECK: %[[P0:.*]] = vector.bitcast %[[V0]] : vector<1xi32> to vector<2xf16>
// CHECK: %[[W1:.*]] = vector.extract %[[WORDS]][1] : i32 from vector<4xi32>
// CHECK: %[[V1:.*]] = vector.broadcast %[[W1]] : i32 to vector<1xi32>
// CHECK: %[[P1:.*]] = vector.bitcast %[[V1]] : vector<1xi32> to vector<2xf16>
// CHECK: %[[B0:.*]] = vector.insert %[[P0]], %{{.*}} [0] : vector<2xf16> into vector<2x2xf16>
// CHECK: %[[B:.*]] = vector.insert %[[P1]], %[[B0]] [1] : vector<2xf16> into vector<2x2xf16>
// CHECK: vector.insert %{{.*}} [3] : vector<2xf16> into vector<4x2xf16>
// CHECK: nvgpu.mma.sync(%{{.*}}, %[[B]], %{{.*}}) {mmaShape = [16, 8, 16]}
// CHECK-COUNT-7: nvgpu.mma.sync
// CHECK-NOT: nvgpu.mma.sync
// CHECK-NOT: memref<16x8xf32>
// CHECK-COUNT-4: memref.store %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] : memref<4x320xf32, #gpu.address_space<workgroup>>
// CHECK: gpu.return

// An odd number of n-tiles cannot pair them: x stays A, not interleaved.
// ODD-LABEL: func.func @four_rows
// ODD: tensor.expand_shape %{{.*}} output_shape [4, 8, 4, 4, 8]
// ODD: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4tc1_m4_n16_k1024_g128_s32_xl blocks
// By default only 4-bit codes with 2 n-tiles swap (8-bit codes measured
// slower swapped).
// DEFAULT: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4tc2_m4_n16_k1024_g128_s32_xl_sw blocks
// DEFAULT: gpu.launch_func @lowbit_gemv_kernels::@gemv_w8tc2_m4_n16_k1024_g128_s32_xh blocks
// DEFAULT: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4tc2_m16_n16_k1024_g128_s32_xl blocks
// NEVER: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4tc2_m4_n16_k1024_g128_s32_xl blocks
func.func @four_rows(%x: tensor<4x1024xf32>) -> tensor<4x16xf32> {
  %p = arith.constant dense<17> : tensor<16x512xi8>
  %s = arith.constant dense<0.5> : tensor<16x8xf32>
  %0 = lowbit.qlinear %x, %p scales %s {in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<4x1024xf32>, tensor<16x512xi8>, tensor<16x8xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

func.func @eight_bit(%x: tensor<4x1024xf32>) -> tensor<4x16xf32> {
  %p = arith.constant dense<17> : tensor<16x1024xi8>
  %s = arith.constant dense<0.5> : tensor<16x8xf32>
  %0 = lowbit.qlinear %x, %p scales %s {in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 8, granularity = group, group_size = 128>} : (tensor<4x1024xf32>, tensor<16x1024xi8>, tensor<16x8xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

func.func @sixteen_rows(%x: tensor<16x1024xf32>) -> tensor<16x16xf32> {
  %p = arith.constant dense<17> : tensor<16x512xi8>
  %s = arith.constant dense<0.5> : tensor<16x8xf32>
  %0 = lowbit.qlinear %x, %p scales %s {in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<16x1024xf32>, tensor<16x512xi8>, tensor<16x8xf32>) -> tensor<16x16xf32>
  return %0 : tensor<16x16xf32>
}
