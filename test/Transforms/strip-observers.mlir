// RUN: lowbit-opt %s --lowbit-strip-observers | FileCheck %s
// Inserting then stripping gives back the original function.
// RUN: lowbit-opt %s --lowbit-strip-observers --lowbit-insert-observers=outputs=true --lowbit-strip-observers | FileCheck %s

// CHECK-LABEL: func.func @probes
// CHECK-NOT: lowbit.observe
// CHECK: %[[L:.*]] = lowbit.linear %arg0, %arg1
// CHECK-NOT: lowbit.observe
// CHECK: return %[[L]]
func.func @probes(%x: tensor<2x8xf32>, %w: tensor<4x8xf32>) -> tensor<2x4xf32> {
  %p = lowbit.observe %x "x" : tensor<2x8xf32>
  %0 = lowbit.linear %p, %w : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32>
  %q = lowbit.observe %0 "y" : tensor<2x4xf32>
  return %q : tensor<2x4xf32>
}
