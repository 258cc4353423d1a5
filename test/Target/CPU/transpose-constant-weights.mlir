// RUN: lowbit-opt %s --pass-pipeline='builtin.module(func.func(lowbit-cpu-transpose-constant-weights))' --split-input-file | FileCheck %s

// The [N, K] = [3, 2] weight read through (n, k) is stored as [K, N] and
// read through (k, n): a plain matmul (default maps are not printed). One
// copy serves both products.
// CHECK-LABEL: func.func @matmul
// CHECK: %[[W:.+]] = arith.constant dense<{{\[}}[1.000000e+00, 3.000000e+00, 5.000000e+00], [2.000000e+00, 4.000000e+00, 6.000000e+00]]> : tensor<2x3xf32>
// CHECK-NOT: arith.constant dense<{{\[}}[1.000000e+00, 2.000000e+00]
// CHECK: linalg.matmul ins(%{{.+}}, %[[W]] : tensor<4x2xf32>, tensor<2x3xf32>)
// CHECK: linalg.matmul ins(%{{.+}}, %[[W]] : tensor<4x2xf32>, tensor<2x3xf32>)
func.func @matmul(%x: tensor<4x2xf32>, %acc: tensor<4x3xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>) {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %p = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
         ins(%x, %w : tensor<4x2xf32>, tensor<3x2xf32>) outs(%acc : tensor<4x3xf32>) -> tensor<4x3xf32>
  %q = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
         ins(%x, %w : tensor<4x2xf32>, tensor<3x2xf32>) outs(%acc : tensor<4x3xf32>) -> tensor<4x3xf32>
  return %p, %q : tensor<4x3xf32>, tensor<4x3xf32>
}

// -----

// A contraction generic with leading axes (what fusion makes of a linear
// on a 3-D input); the splat weight is just reshaped. The original stays
// while something else reads it.
// CHECK-DAG: #[[W:.+]] = affine_map<(d0, d1, d2, d3) -> (d3, d2)>
// CHECK-LABEL: func.func @generic
// CHECK-DAG: %[[ORIGINAL:.+]] = arith.constant dense<5.000000e-01> : tensor<6x4xf32>
// CHECK-DAG: %[[T:.+]] = arith.constant dense<5.000000e-01> : tensor<4x6xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #[[W]], #{{.+}}], {{.*}} ins(%{{.+}}, %[[T]] : tensor<2x3x4xf32>, tensor<4x6xf32>)
// CHECK: return %{{.+}}, %[[ORIGINAL]]
func.func @generic(%x: tensor<2x3x4xf32>, %acc: tensor<2x3x6xf32>) -> (tensor<2x3x6xf32>, tensor<6x4xf32>) {
  %w = arith.constant dense<0.5> : tensor<6x4xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>],
                       iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
         ins(%x, %w : tensor<2x3x4xf32>, tensor<6x4xf32>) outs(%acc : tensor<2x3x6xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x3x6xf32>
  return %y, %w : tensor<2x3x6xf32>, tensor<6x4xf32>
}

// -----

// Left alone: a weight already read as (k, n), and one that is not a
// constant.
// CHECK-DAG: #[[BT:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func.func @unchanged
// CHECK: linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<4x2xf32>, tensor<2x3xf32>)
// CHECK: linalg.matmul indexing_maps = [#{{.+}}, #[[BT]], #{{.+}}] ins(%{{.+}}, %{{.+}} : tensor<4x2xf32>, tensor<3x2xf32>)
func.func @unchanged(%x: tensor<4x2xf32>, %v: tensor<3x2xf32>, %acc: tensor<4x3xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>) {
  %w = arith.constant dense<1.0> : tensor<2x3xf32>
  %p = linalg.matmul ins(%x, %w : tensor<4x2xf32>, tensor<2x3xf32>) outs(%acc : tensor<4x3xf32>) -> tensor<4x3xf32>
  %q = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
         ins(%x, %v : tensor<4x2xf32>, tensor<3x2xf32>) outs(%acc : tensor<4x3xf32>) -> tensor<4x3xf32>
  return %p, %q : tensor<4x3xf32>, tensor<4x3xf32>
}
