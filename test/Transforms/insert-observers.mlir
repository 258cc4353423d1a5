// RUN: lowbit-opt %s --lowbit-insert-observers -split-input-file | FileCheck %s
// RUN: lowbit-opt %s --lowbit-insert-observers=outputs=true -split-input-file | FileCheck %s --check-prefix=OUT
// Idempotent: running twice gives the same probes.
// RUN: lowbit-opt %s --lowbit-insert-observers --lowbit-insert-observers -split-input-file | FileCheck %s

// Tags come from the ONNX node names in the locations.
// CHECK-LABEL: func.func @named
// CHECK: %[[P:.*]] = lowbit.observe %arg0 "/layers.0/q_proj/MatMul/input" : tensor<2x8xf32>
// CHECK-NEXT: %[[Q:.*]] = lowbit.linear %[[P]], %arg1
// CHECK-NEXT: %[[P2:.*]] = lowbit.observe %arg0 "/layers.0/k_proj/MatMul/input" : tensor<2x8xf32>
// CHECK-NEXT: lowbit.linear %[[P2]], %arg1
// CHECK-NOT: lowbit.observe
// OUT-LABEL: func.func @named
// OUT: %[[L:.*]] = lowbit.linear
// OUT-NEXT: %[[O:.*]] = lowbit.observe %[[L]] "/layers.0/q_proj/MatMul/output"
// OUT: return %[[O]]
func.func @named(%x: tensor<2x8xf32>, %w: tensor<4x8xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %0 = lowbit.linear %x, %w : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32> loc("/layers.0/q_proj/MatMul")
  %1 = lowbit.linear %x, %w : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32> loc("/layers.0/k_proj/MatMul")
  return %0, %1 : tensor<2x4xf32>, tensor<2x4xf32>
}

// -----

// Unnamed ops get their kind and position; duplicate names get a suffix.
// CHECK-LABEL: func.func @unnamed
// CHECK: lowbit.observe %arg0 "lowbit.conv@0/input"
// CHECK: lowbit.observe %{{.*}} "dup/input"
// CHECK: lowbit.observe %{{.*}} "dup/input#1"
func.func @unnamed(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %0 = lowbit.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}
       : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = lowbit.conv %0, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}
       : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("dup")
  %2 = lowbit.conv %1, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}
       : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("dup")
  return %2 : tensor<1x2x4x4xf32>
}

// -----

// Ops without weights are left alone.
// CHECK-LABEL: func.func @no_weights
// CHECK-NOT: lowbit.observe
func.func @no_weights(%x: tensor<2x8xf32>, %g: tensor<8xf32>) -> tensor<2x8xf32> {
  %0 = lowbit.rms_norm %x, %g : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}
