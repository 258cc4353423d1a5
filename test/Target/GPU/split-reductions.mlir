// RUN: lowbit-opt %s --pass-pipeline="builtin.module(func.func(lowbit-gpu-split-reductions))" -split-input-file | FileCheck %s

// An RMSNorm's sum of squares at one token (one output, 1024 terms) becomes
// 32 strided partial sums, computed in parallel, and a sum of the partials.
// The reduction loop is moved innermost (the GPU mapping makes threads of
// the parallel loops outside it): partial j, the second loop, reads
// element (i, j) of the [32, 32] view of the row, i.e. term 32 i + j.
// CHECK-DAG: #[[STRIDED:.+]] = affine_map<(d0, d1, d2) -> (d0, d2, d1)>
// CHECK-LABEL: func.func @one_row
// CHECK: %[[V:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2]] output_shape [1, 32, 32] : tensor<1x1024xf32> into tensor<1x32x32xf32>
// CHECK: %[[P:.*]] = linalg.generic {indexing_maps = [#[[STRIDED]], #{{.*}}], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[V]] : tensor<1x32x32xf32>) outs(%{{.*}} : tensor<1x32xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[P]] : tensor<1x32xf32>) outs(%{{.*}} : tensor<1xf32>)
func.func @one_row(%x: tensor<1x1024xf32>) -> tensor<1xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1xf32>) -> tensor<1xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<1x1024xf32>) outs(%init : tensor<1xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %sq = arith.mulf %in, %in : f32
    %sum = arith.addf %acc, %sq : f32
    linalg.yield %sum : f32
  } -> tensor<1xf32>
  return %s : tensor<1xf32>
}

// -----

// Short reductions (under 256 terms) and reductions with many outputs keep
// one thread per output.
// CHECK-LABEL: func.func @left_alone
// CHECK-COUNT-2: linalg.reduce
// CHECK-NOT: tensor.expand_shape
func.func @left_alone(%a: tensor<4x128xf32>, %b: tensor<8192x512xf32>) -> (tensor<4xf32>, tensor<8192xf32>) {
  %zero = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<4xf32>
  %i1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4xf32>) -> tensor<4xf32>
  %r1 = linalg.reduce ins(%a : tensor<4x128xf32>) outs(%i1 : tensor<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %e2 = tensor.empty() : tensor<8192xf32>
  %i2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<8192xf32>) -> tensor<8192xf32>
  %r2 = linalg.reduce ins(%b : tensor<8192x512xf32>) outs(%i2 : tensor<8192xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return %r1, %r2 : tensor<4xf32>, tensor<8192xf32>
}
