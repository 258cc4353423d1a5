// RUN: lowbit-opt %s --lowbit-fake-quantize-activations --split-input-file --verify-diagnostics | FileCheck %s

// Per token: a fake_quant without scale operands; the decision is consumed.
// CHECK-LABEL: func.func @token
// CHECK: %[[F:.*]] = lowbit.fake_quant %arg0 {qconfig = #lowbit.qconfig<bits = 8, granularity = token>} : tensor<2x16xf32>
// CHECK: lowbit.linear %[[F]], %arg1 : (tensor<2x16xf32>, tensor<4x16xf32>) -> tensor<2x4xf32>
// CHECK-NOT: act_qconfig
func.func @token(%x: tensor<2x16xf32>, %w: tensor<4x16xf32>) -> tensor<2x4xf32> {
  %y = lowbit.linear %x, %w {act_qconfig = #lowbit.qconfig<bits = 8, granularity = token>} : (tensor<2x16xf32>, tensor<4x16xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// Per tensor: the calibrated scale and zero point become rank-0 operands.
// CHECK-LABEL: func.func @static_scale
// CHECK-DAG: %[[S:.*]] = arith.constant dense<2.500000e-01> : tensor<f32>
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<-3> : tensor<i32>
// CHECK: %[[F:.*]] = lowbit.fake_quant %arg0 scale %[[S]] : tensor<f32> zero_point %[[Z]] : tensor<i32> {qconfig = #lowbit.qconfig<bits = 8, granularity = tensor, symmetric = false>}
// CHECK: lowbit.linear %[[F]], %arg1 :
func.func @static_scale(%x: tensor<2x16xf32>, %w: tensor<4x16xf32>) -> tensor<2x4xf32> {
  %y = lowbit.linear %x, %w {act_qconfig = #lowbit.qconfig<bits = 8, granularity = tensor, symmetric = false>, act_scale = 0.25 : f32, act_zero_point = -3 : i64} : (tensor<2x16xf32>, tensor<4x16xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// Nothing to do without an activation config.
// CHECK-LABEL: func.func @float
// CHECK-NOT: lowbit.fake_quant
func.func @float(%x: tensor<2x16xf32>, %w: tensor<4x16xf32>) -> tensor<2x4xf32> {
  %y = lowbit.linear %x, %w : (tensor<2x16xf32>, tensor<4x16xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @uncalibrated(%x: tensor<2x16xf32>, %w: tensor<4x16xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{a per-tensor act_qconfig needs a calibrated act_scale to be fake-quantized}}
  %y = lowbit.linear %x, %w {act_qconfig = #lowbit.qconfig<bits = 8, granularity = tensor>} : (tensor<2x16xf32>, tensor<4x16xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}
