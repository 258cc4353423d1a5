// RUN: lowbit-opt %s --pass-pipeline='builtin.module(func.func(lowbit-cpu-copies-to-linalg))' | FileCheck %s

// CHECK-LABEL: func.func @into_padded
// CHECK-SAME: (%[[SRC:.+]]: memref<2x3xf32>, %[[DST:.+]]: memref<4x5xf32>)
// CHECK: %[[VIEW:.+]] = memref.subview %[[DST]][1, 1] [2, 3] [1, 1]
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%[[SRC]] : memref<2x3xf32>) outs(%[[VIEW]] : memref<2x3xf32, strided<[5, 1], offset: 6>>)
func.func @into_padded(%src: memref<2x3xf32>, %dst: memref<4x5xf32>) {
  %view = memref.subview %dst[1, 1] [2, 3] [1, 1] : memref<4x5xf32> to memref<2x3xf32, strided<[5, 1], offset: 6>>
  memref.copy %src, %view : memref<2x3xf32> to memref<2x3xf32, strided<[5, 1], offset: 6>>
  return
}
