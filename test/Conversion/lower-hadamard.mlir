// RUN: lowbit-opt %s --lowbit-lower-to-linalg --split-input-file | FileCheck %s

// Sylvester order 8 without signs: one generic scales by 1/sqrt(8), then
// log2(8) = 3 butterfly stages on the row viewed as [R, P, 2, h]; every
// stage reads both halves and writes a + b (s = 0) or a - b (s = 1).

// CHECK-DAG: #[[LANE:.+]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG: #[[FIRST:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>
// CHECK-DAG: #[[SECOND:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, 1, d3)>
// CHECK-LABEL: func.func @sylvester
// CHECK: %[[C:.+]] = arith.constant dense<0.353553385> : tensor<8xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #[[LANE]], #{{.+}}]
// CHECK: arith.mulf
// CHECK: tensor.expand_shape {{.*}} output_shape [2, 4, 2, 1]
// CHECK: linalg.generic {indexing_maps = [#[[FIRST]], #[[SECOND]], #{{.+}}]
// CHECK: %[[S:.+]] = linalg.index 2
// CHECK: %[[IS0:.+]] = arith.cmpi eq, %[[S]]
// CHECK: %[[SUM:.+]] = arith.addf
// CHECK: %[[DIFF:.+]] = arith.subf
// CHECK: arith.select %[[IS0]], %[[SUM]], %[[DIFF]]
// CHECK: tensor.expand_shape {{.*}} output_shape [2, 2, 2, 2]
// CHECK: linalg.generic
// CHECK: tensor.expand_shape {{.*}} output_shape [2, 1, 2, 4]
// CHECK: linalg.generic
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @sylvester(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %y = lowbit.hadamard %x {size = 8 : i64} : tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

// Order 40 = 2 * 20 (Paley q = 19), two blocks per row, with signs: the
// sign vector carries +-1/sqrt(40), a reduction multiplies every 20-chunk by
// the 20x20 Paley matrix, then one butterfly stage pairs the two chunks of a
// block. An f16 input is transformed in f32.

// CHECK-LABEL: func.func @paley
// CHECK: arith.extf
// CHECK: arith.constant dense<[{{(-?0.158113882, ){39}-?0.158113882}}]> : tensor<40xf32>
// CHECK: tensor<20x20xf32>
// CHECK: iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK: tensor.expand_shape {{.*}} output_shape [3, 2, 2, 20]
// CHECK: arith.select
// CHECK: arith.truncf
// CHECK: return {{.*}} : tensor<3x80xf16>
func.func @paley(%x: tensor<3x80xf16>) -> tensor<3x80xf16> {
  %y = lowbit.hadamard %x {size = 40 : i64, seed = 9 : i64} : tensor<3x80xf16>
  return %y : tensor<3x80xf16>
}
