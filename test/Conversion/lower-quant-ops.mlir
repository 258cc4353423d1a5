// RUN: lowbit-opt %s --lowbit-lower-to-linalg --split-input-file | FileCheck %s

// Grouped asymmetric quantize: the view [rows, groups, group size], scale
// and zero point read per (row, group); q = clamp(roundeven(x / s) + z).

// CHECK-LABEL: func.func @quantize_group
// CHECK: tensor.expand_shape %arg0 {{\[}}[0], [1, 2]] output_shape [2, 2, 8]
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %arg1, %arg2 : tensor<2x2x8xf32>, tensor<2x2xf32>, tensor<2x2xi8>)
// CHECK: %[[Z:.*]] = arith.extsi %{{.*}} : i8 to i32
// CHECK: %[[D:.*]] = arith.divf
// CHECK: %[[R:.*]] = math.roundeven %[[D]]
// CHECK: %[[ZF:.*]] = arith.sitofp %[[Z]]
// CHECK: %[[T:.*]] = arith.addf %[[R]], %[[ZF]]
// CHECK: %[[LO:.*]] = arith.maxnumf %[[T]], %cst{{.*}}
// CHECK: %[[HI:.*]] = arith.minnumf %[[LO]], %cst{{.*}}
// CHECK: arith.fptosi %[[HI]] : f32 to i8
// CHECK: tensor.collapse_shape {{.*}} into tensor<2x16xi8>
func.func @quantize_group(%x: tensor<2x16xf32>, %s: tensor<2x2xf32>, %z: tensor<2x2xi8>) -> tensor<2x16xi8> {
  %q = lowbit.quantize %x scale %s : tensor<2x2xf32> zero_point %z : tensor<2x2xi8> {qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 8, symmetric = false>} : tensor<2x16xf32> -> tensor<2x16xi8>
  return %q : tensor<2x16xi8>
}

// -----

// Per-tensor dequantize: a rank-0 scale, s * float(q - 0), rounded to f16.

// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0, d1, d2) -> ()>
// CHECK-LABEL: func.func @dequantize_tensor
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[SCALAR]], #{{.*}}]
// CHECK-SAME: ins(%{{.*}}, %arg1 : tensor<3x1x4xi8>, tensor<f32>)
// CHECK: arith.extsi
// CHECK: arith.subi
// CHECK: %[[F:.*]] = arith.sitofp
// CHECK: %[[M:.*]] = arith.mulf %{{.*}}, %[[F]]
// CHECK: arith.truncf %[[M]] : f32 to f16
func.func @dequantize_tensor(%q: tensor<3x4xi8>, %s: tensor<f32>) -> tensor<3x4xf16> {
  %x = lowbit.dequantize %q scale %s : tensor<f32> {qconfig = #lowbit.qconfig<bits = 8, granularity = tensor>} : tensor<3x4xi8> -> tensor<3x4xf16>
  return %x : tensor<3x4xf16>
}

// -----

// Asymmetric per token: lo = min(min x, 0), hi = max(max x, 0) from zeros,
// s = (hi - lo) / 255 (1 where 0), z = clamp(-128 + roundeven(-lo / s)).

// CHECK-LABEL: func.func @per_token
// CHECK: %[[R:.*]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%{{.*}} : tensor<6x8xf32>)
// CHECK: arith.minnumf
// CHECK: arith.maxnumf
// CHECK: %[[P:.*]]:2 = linalg.generic {{.*}} ins(%[[R]]#0, %[[R]]#1 : tensor<6xf32>, tensor<6xf32>) outs(%{{.*}}, %{{.*}} : tensor<6xf32>, tensor<6xi32>)
// CHECK: %[[RANGE:.*]] = arith.subf
// CHECK: %[[S:.*]] = arith.divf %[[RANGE]], %cst{{.*}}
// CHECK: arith.cmpf oeq, %[[S]]
// CHECK: %[[SS:.*]] = arith.select
// CHECK: %[[NEG:.*]] = arith.negf
// CHECK: arith.divf %[[NEG]], %[[SS]]
// CHECK: math.roundeven
// CHECK: arith.fptosi %{{.*}} : f32 to i32
// CHECK: arith.fptosi %{{.*}} : f32 to i8
// CHECK: arith.trunci %{{.*}} : i32 to i8
// CHECK: return %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x3x8xi8>, tensor<2x3x1xf32>, tensor<2x3x1xi8>
func.func @per_token(%x: tensor<2x3x8xf32>) -> (tensor<2x3x8xi8>, tensor<2x3x1xf32>, tensor<2x3x1xi8>) {
  %q, %s, %z = lowbit.quantize_per_token %x {qconfig = #lowbit.qconfig<bits = 8, granularity = token, symmetric = false>} : tensor<2x3x8xf32> -> tensor<2x3x8xi8>, tensor<2x3x1xf32>, tensor<2x3x1xi8>
  return %q, %s, %z : tensor<2x3x8xi8>, tensor<2x3x1xf32>, tensor<2x3x1xi8>
}

// -----

// Fake quantization per token: symmetric scale max|x| / 7, then
// s * (clamp(roundeven(x / s), -8, 7) - 0) in float.

// CHECK-LABEL: func.func @fake_token
// CHECK: math.absf
// CHECK: arith.divf %{{.*}}, %cst{{.*}} : f32
// CHECK: linalg.generic
// CHECK: math.roundeven
// CHECK: %[[C:.*]] = arith.minnumf
// CHECK: %[[D:.*]] = arith.subf %[[C]]
// CHECK: %[[Y:.*]] = arith.mulf %{{.*}}, %[[D]]
// CHECK: linalg.yield %[[Y]]
func.func @fake_token(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = lowbit.fake_quant %x {qconfig = #lowbit.qconfig<bits = 4, granularity = token>} : tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
