// RUN: lowbit-opt %s --lowbit-lower-observers-to-calls -split-input-file -verify-diagnostics | FileCheck %s

// Each probe becomes a call with its id; the tags are listed in id order.
// CHECK-LABEL: module attributes {lowbit.observer_tags = ["fc1/input", "fc2/input"]}
// CHECK: func.func private @__lowbit_observe(i64, memref<*xf32>) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[X:.*]]: tensor<2x8xf32>, %[[W:.*]]: tensor<4x8xf32>, %[[W2:.*]]: tensor<3x4xf32>)
// CHECK-NEXT: %[[B:.*]] = bufferization.to_buffer %[[X]] read_only : tensor<2x8xf32> to memref<2x8xf32>
// CHECK-NEXT: %[[U:.*]] = memref.cast %[[B]] : memref<2x8xf32> to memref<*xf32>
// CHECK-NEXT: %[[ID:.*]] = arith.constant 0 : i64
// CHECK-NEXT: call @__lowbit_observe(%[[ID]], %[[U]]) : (i64, memref<*xf32>) -> ()
// CHECK-NEXT: %[[H:.*]] = lowbit.linear %[[X]], %[[W]]
// CHECK: %[[ID1:.*]] = arith.constant 1 : i64
// CHECK-NEXT: call @__lowbit_observe(%[[ID1]], %{{.*}})
// CHECK-NEXT: lowbit.linear %[[H]], %[[W2]]
// CHECK-NOT: lowbit.observe
func.func @main(%x: tensor<2x8xf32>, %w: tensor<4x8xf32>, %w2: tensor<3x4xf32>) -> tensor<2x3xf32> {
  %p = lowbit.observe %x "fc1/input" : tensor<2x8xf32>
  %h = lowbit.linear %p, %w : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32>
  %q = lowbit.observe %h "fc2/input" : tensor<2x4xf32>
  %y = lowbit.linear %q, %w2 : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// A module without probes is left alone.
// CHECK-LABEL: func.func @no_probes
// CHECK-NOT: __lowbit_observe
func.func @no_probes(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  return %x : tensor<2x8xf32>
}

// -----

func.func @half(%x: tensor<2x8xf16>, %w: tensor<4x8xf16>) -> tensor<2x4xf16> {
  // expected-error @+1 {{calibration reads f32 activations; probe 'fc/input' observes 'tensor<2x8xf16>'}}
  %p = lowbit.observe %x "fc/input" : tensor<2x8xf16>
  %h = lowbit.linear %p, %w : (tensor<2x8xf16>, tensor<4x8xf16>) -> tensor<2x4xf16>
  return %h : tensor<2x4xf16>
}

// -----

// expected-error @+1 {{the module already has a function '__lowbit_observe' of another type}}
module {
  func.func private @__lowbit_observe(i32)
  func.func @clash(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
    %p = lowbit.observe %x "t" : tensor<2x8xf32>
    return %p : tensor<2x8xf32>
  }
}
