// RUN: lowbit-opt %s --lowbit-gpu-quantize-per-token -split-input-file | FileCheck %s

// Symmetric 8-bit per-token codes of a [2, 3, 256] input become one kernel
// launch, one block of 128 threads per row (6 rows): each thread takes the
// largest |x| of its strided float4s, the warps combine theirs with xor
// shuffles and through shared memory, the scale is max / 127 (1 for a row
// of zeros) and the codes are clamp(roundeven(x / scale), -128, 127), the
// CPU lowering's operations.
// CHECK-LABEL: func.func @per_token
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x256xf32>)
// CHECK: %[[X2:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1], [2]] : tensor<2x3x256xf32> into tensor<6x256xf32>
// CHECK: %[[XB:.*]] = bufferization.to_buffer %[[X2]] read_only
// CHECK: %[[Q:.*]] = memref.alloc() : memref<6x256xi8>
// CHECK: %[[S:.*]] = memref.alloc() : memref<6xf32>
// CHECK-DAG: %[[ROWS:.*]] = arith.constant 6 : index
// CHECK-DAG: %[[THREADS:.*]] = arith.constant 128 : index
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@quantize_per_token_r6_w256_b8 blocks in (%[[ROWS]], %{{.*}}, %{{.*}}) threads in (%[[THREADS]], %{{.*}}, %{{.*}}) args(%[[XB]] : memref<6x256xf32>, %[[Q]] : memref<6x256xi8>, %[[S]] : memref<6xf32>)
// CHECK: %[[QT:.*]] = bufferization.to_tensor %[[Q]]
// CHECK: %[[ST:.*]] = bufferization.to_tensor %[[S]]
// CHECK: %[[Q3:.*]] = tensor.expand_shape %[[QT]] {{\[\[}}0, 1], [2]] output_shape [2, 3, 256]
// CHECK: %[[S3:.*]] = tensor.expand_shape %[[ST]] {{\[\[}}0, 1, 2]] output_shape [2, 3, 1]
// CHECK: return %[[Q3]], %[[S3]]
// CHECK: gpu.func @quantize_per_token_r6_w256_b8(%[[KX:.*]]: memref<6x256xf32>, %[[KQ:.*]]: memref<6x256xi8>, %[[KS:.*]]: memref<6xf32>) workgroup(%[[SH:.*]] : memref<4xf32, #gpu.address_space<workgroup>>) kernel
// CHECK-SAME: known_block_size = array<i32: 128, 1, 1>
// CHECK: %[[C512:.*]] = arith.constant 512 : index
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[C512]]
// CHECK: vector.load %[[KX]]{{.*}} {alignment = 16 : i64} : memref<6x256xf32>, vector<4xf32>
// CHECK: %[[ABS:.*]] = math.absf
// CHECK: arith.maxnumf %{{.*}}, %[[ABS]]
// CHECK-COUNT-5: gpu.shuffle  xor
// CHECK: memref.store %{{.*}}, %[[SH]]
// CHECK: gpu.barrier
// CHECK: %[[QMAX:.*]] = arith.constant 1.270000e+02 : f32
// CHECK: %[[SC:.*]] = arith.divf %{{.*}}, %[[QMAX]] : f32
// CHECK: %[[ZERO:.*]] = arith.cmpf oeq, %[[SC]]
// CHECK: %[[SCALE:.*]] = arith.select %[[ZERO]], %{{.*}}, %[[SC]] : f32
// CHECK: memref.store %[[SCALE]], %[[KS]]
// CHECK: scf.for
// CHECK: %[[VS:.*]] = vector.load %[[KX]]
// CHECK: %[[V:.*]] = vector.extract %[[VS]][0]
// CHECK: %[[D:.*]] = arith.divf %[[V]], %[[SCALE]] : f32
// CHECK: %[[R:.*]] = math.roundeven %[[D]] : f32
// CHECK: arith.maxnumf
// CHECK: %[[C:.*]] = arith.minnumf
// CHECK: %[[I:.*]] = arith.fptosi %[[C]] : f32 to i8
// CHECK: %[[CODES:.*]] = vector.from_elements %[[I]], %{{.*}}, %{{.*}}, %{{.*}} : vector<4xi8>
// CHECK: vector.store %[[CODES]], %[[KQ]]{{.*}} {alignment = 4 : i64} : memref<6x256xi8>, vector<4xi8>
module {
  func.func @per_token(%x: tensor<2x3x256xf32>) -> (tensor<2x3x256xi8>, tensor<2x3x1xf32>) {
    %q, %s = lowbit.quantize_per_token %x {qconfig = #lowbit.qconfig<bits = 8, granularity = token>} : tensor<2x3x256xf32> -> tensor<2x3x256xi8>, tensor<2x3x1xf32>
    return %q, %s : tensor<2x3x256xi8>, tensor<2x3x1xf32>
  }
}

// -----

// Long rows get more threads (about 16 values each: 896 for 14336), rows
// whose length is not a multiple of 4 scalar loads and stores.
// CHECK-LABEL: func.func @shapes
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@quantize_per_token_r1_w14336_b8 {{.*}} threads in (%[[T896:.*]], %{{.*}}, %{{.*}})
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@quantize_per_token_r2_w130_b4
// CHECK: gpu.func @quantize_per_token_r1_w14336_b8
// CHECK-SAME: known_block_size = array<i32: 896, 1, 1>
// CHECK: gpu.func @quantize_per_token_r2_w130_b4
// CHECK: vector.load {{.*}} : memref<2x130xf32>, vector<1xf32>
// CHECK: arith.constant 7.000000e+00 : f32
// CHECK: arith.constant -8.000000e+00 : f32
// CHECK: vector.store {{.*}} : memref<2x130xi8>, vector<1xi8>
module {
  func.func @shapes(%x: tensor<1x14336xf32>, %y: tensor<2x130xf32>) -> (tensor<1x14336xi8>, tensor<1x1xf32>, tensor<2x130xi8>, tensor<2x1xf32>) {
    %q, %s = lowbit.quantize_per_token %x {qconfig = #lowbit.qconfig<bits = 8, granularity = token>} : tensor<1x14336xf32> -> tensor<1x14336xi8>, tensor<1x1xf32>
    %q4, %s4 = lowbit.quantize_per_token %y {qconfig = #lowbit.qconfig<bits = 4, granularity = token>} : tensor<2x130xf32> -> tensor<2x130xi8>, tensor<2x1xf32>
    return %q, %s, %q4, %s4 : tensor<1x14336xi8>, tensor<1x1xf32>, tensor<2x130xi8>, tensor<2x1xf32>
  }
}

// -----

// Asymmetric codes (a zero point per row) stay with the generic lowering.
// CHECK-LABEL: func.func @asymmetric
// CHECK: lowbit.quantize_per_token
// CHECK-NOT: gpu.launch_func
module {
  func.func @asymmetric(%x: tensor<4x256xf32>) -> (tensor<4x256xi8>, tensor<4x1xf32>, tensor<4x1xi8>) {
    %q, %s, %z = lowbit.quantize_per_token %x {qconfig = #lowbit.qconfig<bits = 8, granularity = token, symmetric = false>} : tensor<4x256xf32> -> tensor<4x256xi8>, tensor<4x1xf32>, tensor<4x1xi8>
    return %q, %s, %z : tensor<4x256xi8>, tensor<4x1xf32>, tensor<4x1xi8>
  }
}
