// RUN: lowbit-opt %s --lowbit-lower-to-linalg --split-input-file | FileCheck %s

// 4-bit codes, groups of 32: units of one byte (2 codes), 16 lanes of units,
// one block per group. The activation is relaid [M, G, U, J, L], the packed
// bytes read as [N, G, U, L]; code j of a byte is (byte >> 4j) & 15, minus
// the symmetric zero point 8, times the group's scale.

// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d2, d3, d4, d5)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d2, d3, d5)>
// CHECK-DAG: #[[S:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d2)>
// CHECK-DAG: #[[ACC:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d5)>
// CHECK-LABEL: func.func @w4a16_group
// CHECK-SAME: (%[[IN:.*]]: tensor<2x64xf32>, %[[BIAS:.*]]: tensor<8xf32>)
// CHECK: %[[P:.*]] = arith.constant dense<33> : tensor<8x32xi8>
// CHECK: %[[SC:.*]] = arith.constant dense<5.000000e-01> : tensor<8x2xf32>
// CHECK: %[[INIT:.*]] = linalg.generic {{.*}} ins(%[[BIAS]] : tensor<8xf32>) outs({{.*}} : tensor<2x8xf32>)
// CHECK: %[[XE:.*]] = tensor.expand_shape %[[IN]] {{\[}}[0], [1, 2, 3, 4]] output_shape [2, 2, 1, 16, 2]
// CHECK: %[[XT:.*]] = linalg.transpose ins(%[[XE]] : tensor<2x2x1x16x2xf32>) outs({{.*}} : tensor<2x2x1x2x16xf32>) permutation = [0, 1, 2, 4, 3]
// CHECK: %[[PE:.*]] = tensor.expand_shape %[[P]] {{\[}}[0], [1, 2, 3]] output_shape [8, 2, 1, 16]
// CHECK: %[[ZERO:.*]] = linalg.fill {{.*}} -> tensor<2x8x16xf32>
// CHECK: %[[PART:.*]] = linalg.generic {indexing_maps = [#[[X]], #[[W]], #[[S]], #[[ACC]]], iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]}
// CHECK-SAME: ins(%[[XT]], %[[PE]], %[[SC]] : tensor<2x2x1x2x16xf32>, tensor<8x2x1x16xi8>, tensor<8x2xf32>) outs(%[[ZERO]] : tensor<2x8x16xf32>)
// CHECK: ^bb0(%[[XV:.*]]: f32, %[[BYTE:.*]]: i8, %[[SV:.*]]: f32, %[[ACCV:.*]]: f32):
// CHECK: %[[WORD:.*]] = arith.extui %[[BYTE]] : i8 to i32
// CHECK: %[[J:.*]] = linalg.index 4 : index
// CHECK: %[[JI:.*]] = arith.index_cast %[[J]] : index to i32
// CHECK: %[[SHIFT:.*]] = arith.muli %[[JI]], %c4_i32
// CHECK: %[[SHIFTED:.*]] = arith.shrui %[[WORD]], %[[SHIFT]]
// CHECK: %[[CODE:.*]] = arith.andi %[[SHIFTED]], %c15_i32
// CHECK: %[[Q:.*]] = arith.subi %[[CODE]], %c8_i32
// CHECK: %[[QF:.*]] = arith.sitofp %[[Q]] : i32 to f32
// CHECK: %[[WV:.*]] = arith.mulf %[[SV]], %[[QF]]
// CHECK: %[[PROD:.*]] = math.fma %[[XV]], %[[WV]], %cst{{.*}} : f32
// CHECK: %[[SUM:.*]] = arith.addf %[[ACCV]], %[[PROD]]
// CHECK: linalg.yield %[[SUM]]
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[PART]] : tensor<2x8x16xf32>) outs(%[[INIT]] : tensor<2x8xf32>)
// CHECK: arith.addf
// CHECK: return %[[Y]]
func.func @w4a16_group(%x: tensor<2x64xf32>, %b: tensor<8xf32>) -> tensor<2x8xf32> {
  %p = arith.constant dense<33> : tensor<8x32xi8>
  %s = arith.constant dense<0.5> : tensor<8x2xf32>
  %y = lowbit.qlinear %x, %p scales %s bias %b {in_features = 64 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 32>} : (tensor<2x64xf32>, tensor<8x32xi8>, tensor<8x2xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

// 8 bits per channel: one code per byte, no shift or mask, no transpose of
// the activation; leading axes flattened.

// CHECK-LABEL: func.func @w8a16_channel
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0, 1], [2]] : tensor<1x3x32xf32> into tensor<3x32xf32>
// CHECK-NOT: linalg.transpose
// CHECK: tensor.expand_shape %{{.*}} output_shape [3, 1, 2, 1, 16] : tensor<3x32xf32> into tensor<3x1x2x1x16xf32>
// CHECK: linalg.generic
// CHECK-SAME: ins({{.*}} : tensor<3x1x2x1x16xf32>, tensor<4x1x2x16xi8>, tensor<4x1xf32>)
// CHECK: %[[B:.*]] = arith.extui %{{.*}} : i8 to i32
// CHECK-NOT: arith.shrui
// CHECK-NOT: arith.andi
// CHECK: arith.subi %[[B]], %c128_i32
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0, 1], [2]] output_shape [1, 3, 4] : tensor<3x4xf32> into tensor<1x3x4xf32>
func.func @w8a16_channel(%x: tensor<1x3x32xf32>) -> tensor<1x3x4xf32> {
  %p = arith.constant dense<3> : tensor<4x32xi8>
  %s = arith.constant dense<0.5> : tensor<4x1xf32>
  %y = lowbit.qlinear %x, %p scales %s {in_features = 32 : i64, weight_qconfig = #lowbit.qconfig<bits = 8>} : (tensor<1x3x32xf32>, tensor<4x32xi8>, tensor<4x1xf32>) -> tensor<1x3x4xf32>
  return %y : tensor<1x3x4xf32>
}

// -----

// 3 bits: units of 3 bytes holding 8 codes, read as three byte planes and
// joined into a 24-bit word; the asymmetric zero point is an unsigned code.

// CHECK-LABEL: func.func @w3_asymmetric
// CHECK: %[[U:.*]] = tensor.expand_shape %{{.*}} output_shape [2, 1, 1, 4, 3] : tensor<2x12xi8> into tensor<2x1x1x4x3xi8>
// CHECK: %[[P0:.*]] = tensor.extract_slice %[[U]][0, 0, 0, 0, 0] [2, 1, 1, 4, 1] [1, 1, 1, 1, 1] : tensor<2x1x1x4x3xi8> to tensor<2x1x1x4xi8>
// CHECK: %[[P1:.*]] = tensor.extract_slice %[[U]][0, 0, 0, 0, 1]
// CHECK: %[[P2:.*]] = tensor.extract_slice %[[U]][0, 0, 0, 0, 2]
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.*}}, %[[P0]], %[[P1]], %[[P2]], %{{.*}}, %[[ZP:.*]] :
// CHECK: ^bb0(%{{.*}}: f32, %[[B0:.*]]: i8, %[[B1:.*]]: i8, %[[B2:.*]]: i8, %{{.*}}: f32, %[[Z:.*]]: i8, %{{.*}}: f32):
// CHECK: arith.extui %[[B1]]
// CHECK: arith.shli %{{.*}}, %c8_i32
// CHECK: arith.ori
// CHECK: arith.extui %[[B2]]
// CHECK: arith.shli %{{.*}}, %c16_i32
// CHECK: arith.ori
// CHECK: arith.muli %{{.*}}, %c3_i32
// CHECK: arith.shrui
// CHECK: arith.andi %{{.*}}, %c7_i32
// CHECK: %[[ZW:.*]] = arith.extui %[[Z]] : i8 to i32
// CHECK: arith.subi %{{.*}}, %[[ZW]]
func.func @w3_asymmetric(%x: tensor<1x32xf32>) -> tensor<1x2xf32> {
  %p = arith.constant dense<5> : tensor<2x12xi8>
  %s = arith.constant dense<0.5> : tensor<2x1xf32>
  %z = arith.constant dense<3> : tensor<2x1xi8>
  %y = lowbit.qlinear %x, %p scales %s zero_points %z {in_features = 32 : i64, weight_qconfig = #lowbit.qconfig<bits = 3, symmetric = false>} : (tensor<1x32xf32>, tensor<2x12xi8>, tensor<2x1xf32>, tensor<2x1xi8>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// W8A8 per channel: per-token scales max|x| / 127 (1 where 0), codes
// clamp(roundeven(x / s), -128, 127), an i32 dot product, and
// y = bias + (sx * sw) * float(sum).

// CHECK-LABEL: func.func @w8a8_token
// CHECK: %[[INIT:.*]] = linalg.generic {{.*}} ins(%arg1 : tensor<4xf32>)
// CHECK: %[[AMAX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%arg0 : tensor<2x32xf32>)
// CHECK: math.absf
// CHECK: arith.maxnumf
// CHECK: %[[SX:.*]] = linalg.generic {{.*}} ins(%[[AMAX]] : tensor<2xf32>)
// CHECK: arith.divf %{{.*}}, %cst{{.*}} : f32
// CHECK: arith.cmpf oeq
// CHECK: arith.select
// CHECK: %[[Q:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<2x1x32xi8>)
// CHECK: arith.divf
// CHECK: math.roundeven
// CHECK: arith.maxnumf %{{.*}}, %cst{{.*}} : f32
// CHECK: arith.minnumf
// CHECK: arith.fptosi %{{.*}} : f32 to i8
// CHECK: %[[PART:.*]] = linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<2x4x16xi32>)
// CHECK: ^bb0(%[[QV:.*]]: i8, %[[WB:.*]]: i8, %[[ZX:.*]]: i32, %[[ACC:.*]]: i32):
// CHECK: %[[WI:.*]] = arith.subi %{{.*}}, %c128_i32
// CHECK: %[[QI:.*]] = arith.extsi %[[QV]] : i8 to i32
// CHECK: %[[QZ:.*]] = arith.subi %[[QI]], %[[ZX]]
// CHECK: %[[PROD:.*]] = arith.muli %[[QZ]], %[[WI]]
// CHECK: arith.addi %[[ACC]], %[[PROD]]
// CHECK: %[[SUMS:.*]] = linalg.generic {{.*}} ins(%[[PART]] : tensor<2x4x16xi32>) outs(%{{.*}} : tensor<2x4xi32>)
// CHECK: linalg.generic {{.*}} ins(%[[SUMS]], %{{.*}}, %{{.*}} : tensor<2x4xi32>, tensor<2xf32>, tensor<4xf32>) outs(%[[INIT]] : tensor<2x4xf32>)
// CHECK: ^bb0(%[[S:.*]]: i32, %[[SXV:.*]]: f32, %[[SW:.*]]: f32, %[[OUT:.*]]: f32):
// CHECK: %[[SF:.*]] = arith.sitofp %[[S]] : i32 to f32
// CHECK: %[[SCALE:.*]] = arith.mulf %[[SXV]], %[[SW]]
// CHECK: %[[T:.*]] = arith.mulf %[[SCALE]], %[[SF]]
// CHECK: arith.addf %[[OUT]], %[[T]]
func.func @w8a8_token(%x: tensor<2x32xf32>, %b: tensor<4xf32>) -> tensor<2x4xf32> {
  %p = arith.constant dense<3> : tensor<4x32xi8>
  %s = arith.constant dense<0.5> : tensor<4x1xf32>
  %y = lowbit.qlinear %x, %p scales %s bias %b {in_features = 32 : i64, weight_qconfig = #lowbit.qconfig<bits = 8>, act_qconfig = #lowbit.qconfig<bits = 8, granularity = token>} : (tensor<2x32xf32>, tensor<4x32xi8>, tensor<4x1xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// W4A4 with groups: products are integers, weighted by the group scale in
// f32; the row scale applies after the lane sum. A static per-tensor scale
// fills the row scales and zero points with constants.

// CHECK-LABEL: func.func @w4a4_static
// CHECK-NOT: math.absf
// CHECK: %[[S:.*]] = arith.constant 2.500000e-01 : f32
// CHECK: linalg.fill ins(%[[S]] : f32) outs(%{{.*}} : tensor<2x1xf32>)
// CHECK: %[[Z:.*]] = arith.constant -1 : i32
// CHECK: linalg.fill ins(%[[Z]] : i32) outs(%{{.*}} : tensor<2x1xi32>)
// CHECK: arith.maxnumf %{{.*}}, %cst{{.*}} : f32
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<2x4x16xf32>)
// CHECK: arith.extsi %{{.*}} : i8 to i32
// CHECK: %[[P:.*]] = arith.muli
// CHECK: %[[PF:.*]] = arith.sitofp %[[P]] : i32 to f32
// CHECK: math.fma %{{.*}}, %[[PF]]
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<2x4xf32>)
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<2x4xf32>, tensor<2xf32>)
func.func @w4a4_static(%x: tensor<2x64xf32>) -> tensor<2x4xf32> {
  %p = arith.constant dense<3> : tensor<4x32xi8>
  %s = arith.constant dense<0.5> : tensor<4x2xf32>
  %y = lowbit.qlinear %x, %p scales %s {in_features = 64 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 32>, act_qconfig = #lowbit.qconfig<bits = 4, granularity = tensor, symmetric = false>, act_scale = 0.25 : f32, act_zero_point = -1 : i64} : (tensor<2x64xf32>, tensor<4x32xi8>, tensor<4x2xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}
