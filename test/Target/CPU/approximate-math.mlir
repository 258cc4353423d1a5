// RUN: lowbit-opt %s --pass-pipeline='builtin.module(func.func(lowbit-cpu-approximate-math))' --split-input-file | FileCheck %s

// exp, erf, tanh and log on f32 vectors become arithmetic (no math op is
// left that would lower to one libm call per lane).
// CHECK-LABEL: func.func @vectors
// CHECK-NOT: math.exp
// CHECK-NOT: math.erf
// CHECK-NOT: math.tanh
// CHECK-NOT: math.log
// CHECK: arith.mulf {{.*}} : vector<16xf32>
// CHECK: return
func.func @vectors(%x: vector<16xf32>) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
  %0 = math.exp %x : vector<16xf32>
  %1 = math.erf %x : vector<16xf32>
  %2 = math.tanh %x : vector<16xf32>
  %3 = math.log %x : vector<16xf32>
  return %0, %1, %2, %3 : vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>
}

// -----

// Other functions, and f64, keep their math ops.
// CHECK-LABEL: func.func @untouched
// CHECK: math.sqrt %{{.+}} : vector<16xf32>
// CHECK: math.exp %{{.+}} : f64
func.func @untouched(%x: vector<16xf32>, %y: f64) -> (vector<16xf32>, f64) {
  %0 = math.sqrt %x : vector<16xf32>
  %1 = math.exp %y : f64
  return %0, %1 : vector<16xf32>, f64
}
