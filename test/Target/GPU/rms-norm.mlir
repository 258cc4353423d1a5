// RUN: lowbit-opt %s --lowbit-gpu-rms-norm -split-input-file | FileCheck %s

// An RMSNorm over the last axis of [1, 2, 1024] is one launch: a block of
// 128 threads per row (2 rows), on [2, 1024] and gamma [1024] views.
// CHECK-LABEL: func.func @norm
// CHECK: %[[X:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<1x2x1024xf32> into tensor<2x1024xf32>
// CHECK: %[[Y:.*]] = memref.alloc() : memref<2x1024xf32>
// CHECK-DAG: %[[ROWS:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[THREADS:.*]] = arith.constant 128 : index
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@rms_norm_r2_w1024_eps[[EPS:[0-9]+]] blocks in (%[[ROWS]], %{{.*}}, %{{.*}}) threads in (%[[THREADS]], %{{.*}}, %{{.*}}) args(%{{.*}} : memref<2x1024xf32>, %{{.*}} : memref<1024xf32>, %[[Y]] : memref<2x1024xf32>)
// CHECK: %[[T:.*]] = bufferization.to_tensor %[[Y]]
// CHECK: tensor.expand_shape %[[T]] {{\[\[}}0, 1], [2]] {{.*}} : tensor<2x1024xf32> into tensor<1x2x1024xf32>
// CHECK-NOT: lowbit.rms_norm
// CHECK: gpu.func @rms_norm_r2_w1024_eps[[EPS]](%{{.*}}: memref<2x1024xf32>, %{{.*}}: memref<1024xf32>, %{{.*}}: memref<2x1024xf32>) workgroup(%{{.*}} : memref<4xf32, #gpu.address_space<workgroup>>) kernel
// The sum of squares over elements tid, tid + 128, ..., then 5 shuffles,
// one barrier, 1 / sqrt(sum / 1024 + 1e-5), and the scaling.
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// CHECK: arith.mulf
// CHECK-COUNT-5: gpu.shuffle  xor
// CHECK: gpu.barrier
// CHECK: arith.constant 9.765625E-4 : f32
// CHECK: arith.constant 9.99999974E-6 : f32
// CHECK: math.sqrt
// CHECK: arith.divf
// CHECK: scf.for
// CHECK: memref.store
module {
  func.func @norm(%x: tensor<1x2x1024xf32>, %g: tensor<1024xf32>) -> tensor<1x2x1024xf32> {
    %0 = lowbit.rms_norm %x, %g {epsilon = 1.0e-5 : f32} : (tensor<1x2x1024xf32>, tensor<1024xf32>) -> tensor<1x2x1024xf32>
    return %0 : tensor<1x2x1024xf32>
  }
}

// -----

// Too few values per row (16 < min-width) and no leading axis: left to the
// generic lowering.
// CHECK-LABEL: func.func @left_alone
// CHECK: lowbit.rms_norm
// CHECK: lowbit.rms_norm
// CHECK-NOT: gpu.launch_func
module {
  func.func @left_alone(%x: tensor<4x16xf32>, %g: tensor<16xf32>, %v: tensor<1024xf32>, %h: tensor<1024xf32>) -> (tensor<4x16xf32>, tensor<1024xf32>) {
    %0 = lowbit.rms_norm %x, %g : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
    %1 = lowbit.rms_norm %v, %h : (tensor<1024xf32>, tensor<1024xf32>) -> tensor<1024xf32>
    return %0, %1 : tensor<4x16xf32>, tensor<1024xf32>
  }
}
