// RUN: lowbit-opt %s --lowbit-gpu-linear-gemv -split-input-file | FileCheck %s

// A float linear with M = 2 (input [1, 2, K]) and a bias becomes a launch of
// the f32-weight GEMV specialized for its shape: 8 output rows per block of
// 4 warps, two 16-byte weight loads per row and step (128 floats apart).
// CHECK-LABEL: func.func @batch2
// CHECK: %[[X2:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<1x2x512xf32> into tensor<2x512xf32>
// CHECK: %[[XB:.*]] = bufferization.to_buffer %[[X2]] read_only
// CHECK: %[[WB:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<16x512xf32>
// CHECK: %[[BB:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<16xf32>
// CHECK: %[[Y:.*]] = memref.alloc() : memref<2x16xf32>
// CHECK-DAG: %[[GRID:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[BLOCK:.*]] = arith.constant 128 : index
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_f32_m2_n16_k512_b32 blocks in (%[[GRID]], %{{.*}}, %{{.*}}) threads in (%[[BLOCK]], %{{.*}}, %{{.*}}) args(%[[XB]] : memref<2x512xf32>, %[[WB]] : memref<16x512xf32>, %[[BB]] : memref<16xf32>, %[[Y]] : memref<2x16xf32>)
// CHECK-NOT: lowbit.linear
// CHECK: gpu.func @gemv_f32_m2_n16_k512_b32(%{{.*}}: memref<2x512xf32>, %{{.*}}: memref<16x512xf32>, %{{.*}}: memref<16xf32>, %{{.*}}: memref<2x16xf32>) workgroup(%{{.*}}: memref<4x16xf32, #gpu.address_space<workgroup>>) kernel
// CHECK: scf.for
// CHECK-COUNT-16: vector.load %{{.*}} {alignment = 16 : i64} : memref<16x512xf32>, vector<4xf32>
// CHECK: vector.load %{{.*}} {alignment = 16 : i64} : memref<2x512xf32>, vector<4xf32>
// CHECK: llvm.intr.fma
// CHECK: gpu.shuffle  xor
// CHECK: gpu.barrier
func.func @batch2(%x: tensor<1x2x512xf32>) -> tensor<1x2x16xf32> {
  %w = arith.constant dense<0.5> : tensor<16x512xf32>
  %b = arith.constant dense<1.0> : tensor<16xf32>
  %y = lowbit.linear %x, %w, %b : (tensor<1x2x512xf32>, tensor<16x512xf32>, tensor<16xf32>) -> tensor<1x2x16xf32>
  return %y : tensor<1x2x16xf32>
}

// -----

// Shapes the kernel does not take stay lowbit.linear: K not a multiple of
// 256, M above 16, f16 weights.
// CHECK-LABEL: func.func @left_alone
// CHECK-COUNT-3: lowbit.linear
// CHECK-NOT: gpu.launch_func
func.func @left_alone(%x: tensor<1x200xf32>, %w: tensor<8x200xf32>, %x2: tensor<17x256xf32>, %w2: tensor<8x256xf32>, %x3: tensor<1x256xf16>, %w3: tensor<8x256xf16>) -> (tensor<1x8xf32>, tensor<17x8xf32>, tensor<1x8xf16>) {
  %a = lowbit.linear %x, %w : (tensor<1x200xf32>, tensor<8x200xf32>) -> tensor<1x8xf32>
  %b = lowbit.linear %x2, %w2 : (tensor<17x256xf32>, tensor<8x256xf32>) -> tensor<17x8xf32>
  %c = lowbit.linear %x3, %w3 : (tensor<1x256xf16>, tensor<8x256xf16>) -> tensor<1x8xf16>
  return %a, %b, %c : tensor<1x8xf32>, tensor<17x8xf32>, tensor<1x8xf16>
}
