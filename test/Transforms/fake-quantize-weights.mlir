// RUN: lowbit-opt %s --lowbit-fake-quantize-weights -split-input-file -verify-diagnostics | FileCheck %s
// The rewritten linears lose their weight config, so a second run changes nothing.
// RUN: lowbit-opt %s --lowbit-fake-quantize-weights --lowbit-fake-quantize-weights -split-input-file -verify-diagnostics | FileCheck %s
// RUN: lowbit-opt %s --lowbit-fake-quantize-weights=method=mse -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=MSE
// RUN: not lowbit-opt %s --lowbit-fake-quantize-weights=method=bogus 2>&1 | FileCheck %s --check-prefix=BAD-METHOD

// BAD-METHOD: error: unknown method 'bogus'; expected rtn, mse, gptq or awq

// Expected values come from Inputs/quantize_weights_reference.py.

// Values already on the 4-bit grid (multiples of 0.875 / 7 = 0.125) come
// back unchanged; the activation config stays, the weight config goes.
// CHECK-LABEL: func.func @on_grid
// CHECK-NEXT: %[[W:.*]] = arith.constant dense<{{\[\[}}8.750000e-01, -5.000000e-01, 2.500000e-01, 0.000000e+00, -1.250000e-01, 3.750000e-01, -8.750000e-01, 6.250000e-01]]> : tensor<1x8xf32>
// CHECK-NEXT: lowbit.linear %{{.*}}, %[[W]] {act_qconfig = #lowbit.qconfig<bits = 8, granularity = token>} :
// CHECK-NOT: weight_qconfig
func.func @on_grid(%x: tensor<2x8xf32>) -> tensor<2x1xf32> {
  %w = arith.constant dense<[[0.875, -0.5, 0.25, 0.0, -0.125, 0.375, -0.875, 0.625]]> : tensor<1x8xf32>
  %0 = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 4>,
                             act_qconfig = #lowbit.qconfig<bits = 8, granularity = token>}
       : (tensor<2x8xf32>, tensor<1x8xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

// 4 bits in groups of 4: row 0's second group has scale 1/7, so 0.5 becomes
// 3/7 = 0.428571463 and 0.0625 becomes 0.
// CHECK-LABEL: func.func @group4
// CHECK-NEXT: %[[W:.*]] = arith.constant dense<{{\[\[}}1.750000e+00, -1.000000e+00, 2.500000e-01, 0.000000e+00, 0.428571463, -1.000000e+00, 0.285714298, 0.000000e+00], [-2.000000e+00, 0.857142925, 0.571428597, -0.285714298, 0.114285715, 0.22857143, 0.285714298, 4.000000e-01]]> : tensor<2x8xf32>
// CHECK-NEXT: lowbit.linear %{{.*}}, %[[W]] :
func.func @group4(%x: tensor<3x8xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[1.75, -0.875, 0.25, 0.0, 0.5, -1.0, 0.3, 0.0625],
                             [-2.0, 1.0, 0.5, -0.25, 0.1, 0.2, 0.3, 0.4]]> : tensor<2x8xf32>
  %0 = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 4>}
       : (tensor<3x8xf32>, tensor<2x8xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// RTN keeps the outlier 1.5 exactly; MSE clips it to 3 * 0.4520202.
// CHECK-LABEL: func.func @clip_3bit
// CHECK-NEXT: arith.constant dense<{{\[\[}}5.000000e-01, 0.000000e+00, -5.000000e-01, 1.000000e+00, 0.000000e+00, 0.000000e+00, -5.000000e-01, 1.500000e+00]]> : tensor<1x8xf32>
// MSE-LABEL: func.func @clip_3bit
// MSE-NEXT: arith.constant dense<{{\[\[}}0.452020198, 0.452020198, -0.452020198, 0.904040396, -0.452020198, 0.000000e+00, -0.452020198, 1.35606062]]> : tensor<1x8xf32>
func.func @clip_3bit(%x: tensor<2x8xf32>) -> tensor<2x1xf32> {
  %w = arith.constant dense<[[0.5, 0.25, -0.5, 0.75, -0.25, 0.125, -0.625, 1.5]]> : tensor<1x8xf32>
  %0 = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 3>}
       : (tensor<2x8xf32>, tensor<1x8xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

// f16 and bf16 weights: dequantized in binary32, rounded to the weight type.
// CHECK-LABEL: func.func @half_types
// CHECK-NEXT: %[[H:.*]] = arith.constant dense<{{\[\[}}1.000000e+00, -5.039060e-01, 2.519530e-01, 7.480460e-01], [1.007690e-01, 2.015380e-01, 2.990720e-01, -3.999020e-01]]> : tensor<2x4xf16>
// CHECK-NEXT: lowbit.linear %{{.*}}, %[[H]] :
// CHECK-NEXT: %[[B:.*]] = arith.constant dense<{{\[\[}}2.988280e-01, -6.992180e-01, 1.000980e-01, 4.003910e-01, -2.001950e-01, 1.000980e-01, 5.976560e-01, -4.003910e-01]]> : tensor<1x8xbf16>
// CHECK-NEXT: lowbit.linear %{{.*}}, %[[B]] :
func.func @half_types(%x: tensor<1x4xf16>, %y: tensor<1x8xbf16>) -> (tensor<1x2xf16>, tensor<1x1xbf16>) {
  %h = arith.constant dense<[[1.0, -0.5, 0.25, 0.75], [0.1, 0.2, 0.3, -0.4]]> : tensor<2x4xf16>
  %0 = lowbit.linear %x, %h {weight_qconfig = #lowbit.qconfig<bits = 8>}
       : (tensor<1x4xf16>, tensor<2x4xf16>) -> tensor<1x2xf16>
  %b = arith.constant dense<[[0.3, -0.7, 0.1, 0.45, -0.2, 0.05, 0.6, -0.35]]> : tensor<1x8xbf16>
  %1 = lowbit.linear %y, %b {weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 8>}
       : (tensor<1x8xbf16>, tensor<1x8xbf16>) -> tensor<1x1xbf16>
  return %0, %1 : tensor<1x2xf16>, tensor<1x1xbf16>
}

// -----

// A pruned weight becomes zeros; a large one a dense_resource blob.
// CHECK-LABEL: func.func @pruned_and_large
// CHECK-NEXT: %[[Z:.*]] = arith.constant dense<0.000000e+00> : tensor<2x4xf32>
// CHECK-NEXT: lowbit.linear %{{.*}}, %[[Z]] :
// CHECK-NEXT: %[[L:.*]] = arith.constant dense_resource<big.fake_quant> : tensor<4x8xf32>
// CHECK-NEXT: lowbit.linear %{{.*}}, %[[L]] :
// CHECK: big.fake_quant: "0x040000000000003F0000003F
func.func @pruned_and_large(%x: tensor<1x4xf32>, %y: tensor<1x8xf32>) -> (tensor<1x2xf32>, tensor<1x4xf32>) {
  %w = arith.constant dense<1.0> : tensor<2x4xf32>
  %0 = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 0>}
       : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x2xf32>
  %v = arith.constant dense<0.5> : tensor<4x8xf32>
  %1 = lowbit.linear %y, %v {weight_qconfig = #lowbit.qconfig<bits = 4>}
       : (tensor<1x8xf32>, tensor<4x8xf32>) -> tensor<1x4xf32> loc("big")
  return %0, %1 : tensor<1x2xf32>, tensor<1x4xf32>
}

// -----

// Left alone: no config, 16 bits, codebook formats (remark), non-constant
// weights (remark).
// CHECK-LABEL: func.func @unchanged
// CHECK-SAME: %[[V:[^:]*]]: tensor<2x8xf32>)
// CHECK-NEXT: %[[W:.*]] = arith.constant dense<1.000000e+00> : tensor<2x8xf32>
// CHECK-NEXT: lowbit.linear %{{.*}}, %[[W]] :
// CHECK-NEXT: lowbit.linear %{{.*}}, %[[W]] {weight_qconfig = #lowbit.qconfig<bits = 16>}
// CHECK-NEXT: lowbit.linear %{{.*}}, %[[W]] {weight_qconfig = #lowbit.qconfig<bits = 4, format = fp4_e2m1>}
// CHECK-NEXT: lowbit.linear %{{.*}}, %[[V]] {weight_qconfig = #lowbit.qconfig<bits = 4>}
func.func @unchanged(%x: tensor<1x8xf32>, %v: tensor<2x8xf32>) -> (tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>) {
  %w = arith.constant dense<1.0> : tensor<2x8xf32>
  %0 = lowbit.linear %x, %w : (tensor<1x8xf32>, tensor<2x8xf32>) -> tensor<1x2xf32>
  %1 = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 16>}
       : (tensor<1x8xf32>, tensor<2x8xf32>) -> tensor<1x2xf32>
  // expected-remark @+1 {{weight format fp4_e2m1 is not supported yet; the weight stays in floating point}}
  %2 = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 4, format = fp4_e2m1>}
       : (tensor<1x8xf32>, tensor<2x8xf32>) -> tensor<1x2xf32>
  // expected-remark @+1 {{weight is not a constant; the weight stays in floating point}}
  %3 = lowbit.linear %x, %v {weight_qconfig = #lowbit.qconfig<bits = 4>}
       : (tensor<1x8xf32>, tensor<2x8xf32>) -> tensor<1x2xf32>
  return %0, %1, %2, %3 : tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>
}

// -----

func.func @infinite_weight(%x: tensor<1x2xf32>) -> tensor<1x1xf32> {
  %w = arith.constant dense<[[1.0, 0x7F800000]]> : tensor<1x2xf32>
  // expected-error @+1 {{weight holds a non-finite value (NaN or infinity)}}
  %0 = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 4>}
       : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}
