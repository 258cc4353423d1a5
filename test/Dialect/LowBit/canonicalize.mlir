// Folds of the lowbit ops, and the cases where folding would be wrong.
// RUN: lowbit-opt %s -canonicalize -split-input-file | FileCheck %s

// A 16-bit fake_quant keeps the value in floating point.
// CHECK-LABEL: func.func @fake_quant_16bit
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
// CHECK-NOT: lowbit.fake_quant
// CHECK: return %[[X]]
func.func @fake_quant_16bit(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = lowbit.fake_quant %x {qconfig = #lowbit.qconfig<bits = 16>} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// A pruned (0-bit) tensor is zero.
// CHECK-LABEL: func.func @fake_quant_pruned
// CHECK: %[[Z:.*]] = arith.constant dense<0.000000e+00> : tensor<4x8xf32>
// CHECK-NOT: lowbit.fake_quant
// CHECK: return %[[Z]]
func.func @fake_quant_pruned(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = lowbit.fake_quant %x {qconfig = #lowbit.qconfig<bits = 0>} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// 8-bit fake_quant changes values: it stays.
// CHECK-LABEL: func.func @fake_quant_8bit_stays
// CHECK: lowbit.fake_quant
func.func @fake_quant_8bit_stays(%x: tensor<4x8xf32>, %s: tensor<4x1xf32>) -> tensor<4x8xf32> {
  %0 = lowbit.fake_quant %x scale %s : tensor<4x1xf32> {qconfig = #lowbit.qconfig<bits = 8>} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// quantize(dequantize(q)) with the same parameters is q.
// CHECK-LABEL: func.func @requantize
// CHECK-SAME: (%[[Q:.*]]: tensor<4x8xi8>
// CHECK-NOT: lowbit.quantize
// CHECK: return %[[Q]]
func.func @requantize(%q: tensor<4x8xi8>, %s: tensor<f32>, %z: tensor<i32>) -> tensor<4x8xi8> {
  %d = lowbit.dequantize %q scale %s : tensor<f32> zero_point %z : tensor<i32> {qconfig = #lowbit.qconfig<bits = 8, granularity = tensor, symmetric = false>} : tensor<4x8xi8> -> tensor<4x8xf32>
  %r = lowbit.quantize %d scale %s : tensor<f32> zero_point %z : tensor<i32> {qconfig = #lowbit.qconfig<bits = 8, granularity = tensor, symmetric = false>} : tensor<4x8xf32> -> tensor<4x8xi8>
  return %r : tensor<4x8xi8>
}

// -----

// Different scales: re-quantizing moves values to another grid; no fold.
// CHECK-LABEL: func.func @requantize_other_scale
// CHECK: lowbit.dequantize
// CHECK: lowbit.quantize
func.func @requantize_other_scale(%q: tensor<4x8xi8>, %s: tensor<f32>, %t: tensor<f32>) -> tensor<4x8xi8> {
  %d = lowbit.dequantize %q scale %s : tensor<f32> {qconfig = #lowbit.qconfig<bits = 8, granularity = tensor>} : tensor<4x8xi8> -> tensor<4x8xf32>
  %r = lowbit.quantize %d scale %t : tensor<f32> {qconfig = #lowbit.qconfig<bits = 8, granularity = tensor>} : tensor<4x8xf32> -> tensor<4x8xi8>
  return %r : tensor<4x8xi8>
}

// -----

// Fewer bits on the way back: values may saturate; no fold.
// CHECK-LABEL: func.func @requantize_fewer_bits
// CHECK: lowbit.quantize
func.func @requantize_fewer_bits(%q: tensor<4x8xi8>, %s: tensor<f32>) -> tensor<4x8xi8> {
  %d = lowbit.dequantize %q scale %s : tensor<f32> {qconfig = #lowbit.qconfig<bits = 8, granularity = tensor>} : tensor<4x8xi8> -> tensor<4x8xf32>
  %r = lowbit.quantize %d scale %s : tensor<f32> {qconfig = #lowbit.qconfig<bits = 4, granularity = tensor>} : tensor<4x8xf32> -> tensor<4x8xi8>
  return %r : tensor<4x8xi8>
}

// -----

// Two unsigned Sylvester rotations of the same size cancel.
// CHECK-LABEL: func.func @hadamard_twice
// CHECK-SAME: (%[[X:.*]]: tensor<2x64xf32>)
// CHECK-NOT: lowbit.hadamard
// CHECK: return %[[X]]
func.func @hadamard_twice(%x: tensor<2x64xf32>) -> tensor<2x64xf32> {
  %0 = lowbit.hadamard %x {size = 64 : i64} : tensor<2x64xf32>
  %1 = lowbit.hadamard %0 {size = 64 : i64} : tensor<2x64xf32>
  return %1 : tensor<2x64xf32>
}

// -----

// Random signs, a non-symmetric Paley matrix, or two sizes: no fold.
// CHECK-LABEL: func.func @hadamard_no_fold
// CHECK-COUNT-6: lowbit.hadamard
func.func @hadamard_no_fold(%x: tensor<2x48xf32>) -> (tensor<2x48xf32>, tensor<2x48xf32>, tensor<2x48xf32>) {
  %0 = lowbit.hadamard %x {size = 16 : i64, seed = 3 : i64} : tensor<2x48xf32>
  %1 = lowbit.hadamard %0 {size = 16 : i64, seed = 3 : i64} : tensor<2x48xf32>
  %2 = lowbit.hadamard %x {size = 12 : i64} : tensor<2x48xf32>
  %3 = lowbit.hadamard %2 {size = 12 : i64} : tensor<2x48xf32>
  %4 = lowbit.hadamard %x {size = 16 : i64} : tensor<2x48xf32>
  %5 = lowbit.hadamard %4 {size = 8 : i64} : tensor<2x48xf32>
  return %1, %3, %5 : tensor<2x48xf32>, tensor<2x48xf32>, tensor<2x48xf32>
}
