// RUN: lowbit-opt %s --lowbit-fuse-imported-patterns -split-input-file | FileCheck %s

// The forms the ONNX importer produces: ReduceMean is tosa.reduce_sum then a
// division by the axis length, Sub/Add/Mul are TOSA ops with the scalar and
// per-feature constants reshaped to the input's rank, Div/Sqrt are one-op
// linalg.generics.

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
#scalar = affine_map<(d0, d1) -> ()>

// CHECK-LABEL: func.func @layer_norm_affine
// CHECK-SAME: (%[[X:.*]]: tensor<2x8xf32>)
// CHECK-DAG: %[[G:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00, {{.*}}]> : tensor<8xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[1.000000e-01, 2.000000e-01, {{.*}}]> : tensor<8xf32>
// CHECK: %[[Y:.*]] = lowbit.layer_norm %[[X]], %[[G]], %[[B]] {axis = 1 : i64} : (tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
// CHECK-NOT: tosa.reduce_sum
// CHECK-NOT: linalg.generic
// CHECK: return %[[Y]]
func.func @layer_norm_affine(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %eps = arith.constant dense<9.99999974E-6> : tensor<f32>
  %gamma = arith.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]> : tensor<8xf32>
  %beta = arith.constant dense<[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]> : tensor<8xf32>
  %shift = arith.constant dense<0> : tensor<1xi8>
  %0 = tosa.reduce_sum %x {axis = 1 : i32} : (tensor<2x8xf32>) -> tensor<2x1xf32>
  %e0 = tensor.empty() : tensor<2x1xf32>
  %mean = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%0 : tensor<2x1xf32>) outs(%e0 : tensor<2x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.constant 8.000000e+00 : f32
    %r = arith.divf %in, %n : f32
    linalg.yield %r : f32
  } -> tensor<2x1xf32>
  %d = tosa.sub %x, %mean : (tensor<2x8xf32>, tensor<2x1xf32>) -> tensor<2x8xf32>
  %dd = tosa.mul %d, %d, %shift : (tensor<2x8xf32>, tensor<2x8xf32>, tensor<1xi8>) -> tensor<2x8xf32>
  %1 = tosa.reduce_sum %dd {axis = 1 : i32} : (tensor<2x8xf32>) -> tensor<2x1xf32>
  %e1 = tensor.empty() : tensor<2x1xf32>
  %var = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%1 : tensor<2x1xf32>) outs(%e1 : tensor<2x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.constant 8.000000e+00 : f32
    %r = arith.divf %in, %n : f32
    linalg.yield %r : f32
  } -> tensor<2x1xf32>
  %s11 = tosa.const_shape {values = dense<1> : tensor<2xindex>} : () -> !tosa.shape<2>
  %eps2 = tosa.reshape %eps, %s11 : (tensor<f32>, !tosa.shape<2>) -> tensor<1x1xf32>
  %ve = tosa.add %var, %eps2 : (tensor<2x1xf32>, tensor<1x1xf32>) -> tensor<2x1xf32>
  %e2 = tensor.empty() : tensor<2x1xf32>
  %std = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%ve : tensor<2x1xf32>) outs(%e2 : tensor<2x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = math.sqrt %in : f32
    linalg.yield %r : f32
  } -> tensor<2x1xf32>
  %e3 = tensor.empty() : tensor<2x8xf32>
  %norm = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%d, %std : tensor<2x8xf32>, tensor<2x1xf32>) outs(%e3 : tensor<2x8xf32>) {
  ^bb0(%in: f32, %in2: f32, %out: f32):
    %r = arith.divf %in, %in2 : f32
    linalg.yield %r : f32
  } -> tensor<2x8xf32>
  %s18 = tosa.const_shape {values = dense<[1, 8]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %g2 = tosa.reshape %gamma, %s18 : (tensor<8xf32>, !tosa.shape<2>) -> tensor<1x8xf32>
  %scaled = tosa.mul %norm, %g2, %shift : (tensor<2x8xf32>, tensor<1x8xf32>, tensor<1xi8>) -> tensor<2x8xf32>
  %b2 = tosa.reshape %beta, %s18 : (tensor<8xf32>, !tosa.shape<2>) -> tensor<1x8xf32>
  %y = tosa.add %b2, %scaled : (tensor<1x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>

// Multiplication by rsqrt, x^2 as a power, the mean as a multiplication by
// 1/n, no gamma or beta: a unit gamma.
// CHECK-LABEL: func.func @layer_norm_rsqrt
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x4xf32>)
// CHECK: %[[ONES:.*]] = arith.constant dense<1.000000e+00> : tensor<4xf32>
// CHECK: %[[Y:.*]] = lowbit.layer_norm %[[X]], %[[ONES]] {axis = 2 : i64, epsilon = 1.000000e-03 : f32}
// CHECK: return %[[Y]]
func.func @layer_norm_rsqrt(%x: tensor<1x3x4xf32>) -> tensor<1x3x4xf32> {
  %quarter = arith.constant dense<0.25> : tensor<1x1x1xf32>
  %two = arith.constant dense<2.0> : tensor<1x1x1xf32>
  %eps = arith.constant dense<1.0e-3> : tensor<1x1x1xf32>
  %shift = arith.constant dense<0> : tensor<1xi8>
  %0 = tosa.reduce_sum %x {axis = 2 : i32} : (tensor<1x3x4xf32>) -> tensor<1x3x1xf32>
  %mean = tosa.mul %0, %quarter, %shift : (tensor<1x3x1xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<1x3x1xf32>
  %d = tosa.sub %x, %mean : (tensor<1x3x4xf32>, tensor<1x3x1xf32>) -> tensor<1x3x4xf32>
  %dd = tosa.pow %d, %two : (tensor<1x3x4xf32>, tensor<1x1x1xf32>) -> tensor<1x3x4xf32>
  %1 = tosa.reduce_sum %dd {axis = 2 : i32} : (tensor<1x3x4xf32>) -> tensor<1x3x1xf32>
  %var = tosa.mul %quarter, %1, %shift : (tensor<1x1x1xf32>, tensor<1x3x1xf32>, tensor<1xi8>) -> tensor<1x3x1xf32>
  %ve = tosa.add %eps, %var : (tensor<1x1x1xf32>, tensor<1x3x1xf32>) -> tensor<1x3x1xf32>
  %inv = tosa.rsqrt %ve : (tensor<1x3x1xf32>) -> tensor<1x3x1xf32>
  %y = tosa.mul %inv, %d, %shift : (tensor<1x3x1xf32>, tensor<1x3x4xf32>, tensor<1xi8>) -> tensor<1x3x4xf32>
  return %y : tensor<1x3x4xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
#scalar = affine_map<(d0, d1) -> ()>

// x * (1 / sqrt(mean(x * x) + eps)) * gamma, gamma first in the last product.
// CHECK-LABEL: func.func @rms_norm_div_one
// CHECK-SAME: (%[[X:.*]]: tensor<2x8xf32>)
// CHECK: %[[G:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00, {{.*}}]> : tensor<8xf32>
// CHECK: %[[Y:.*]] = lowbit.rms_norm %[[X]], %[[G]] {axis = 1 : i64} : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
// CHECK-NOT: tosa.mul
// CHECK: return %[[Y]]
func.func @rms_norm_div_one(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %eps = arith.constant dense<9.99999997E-7> : tensor<f32>
  %one = arith.constant dense<1.000000e+00> : tensor<f32>
  %gamma = arith.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]> : tensor<8xf32>
  %shift = arith.constant dense<0> : tensor<1xi8>
  %xx = tosa.mul %x, %x, %shift : (tensor<2x8xf32>, tensor<2x8xf32>, tensor<1xi8>) -> tensor<2x8xf32>
  %0 = tosa.reduce_sum %xx {axis = 1 : i32} : (tensor<2x8xf32>) -> tensor<2x1xf32>
  %e0 = tensor.empty() : tensor<2x1xf32>
  %ms = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%0 : tensor<2x1xf32>) outs(%e0 : tensor<2x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.constant 8.000000e+00 : f32
    %r = arith.divf %in, %n : f32
    linalg.yield %r : f32
  } -> tensor<2x1xf32>
  %s11 = tosa.const_shape {values = dense<1> : tensor<2xindex>} : () -> !tosa.shape<2>
  %eps2 = tosa.reshape %eps, %s11 : (tensor<f32>, !tosa.shape<2>) -> tensor<1x1xf32>
  %mse = tosa.add %ms, %eps2 : (tensor<2x1xf32>, tensor<1x1xf32>) -> tensor<2x1xf32>
  %e1 = tensor.empty() : tensor<2x1xf32>
  %rms = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%mse : tensor<2x1xf32>) outs(%e1 : tensor<2x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = math.sqrt %in : f32
    linalg.yield %r : f32
  } -> tensor<2x1xf32>
  %e2 = tensor.empty() : tensor<2x1xf32>
  %inv = linalg.generic {indexing_maps = [#scalar, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%one, %rms : tensor<f32>, tensor<2x1xf32>) outs(%e2 : tensor<2x1xf32>) {
  ^bb0(%in: f32, %in2: f32, %out: f32):
    %r = arith.divf %in, %in2 : f32
    linalg.yield %r : f32
  } -> tensor<2x1xf32>
  %norm = tosa.mul %x, %inv, %shift : (tensor<2x8xf32>, tensor<2x1xf32>, tensor<1xi8>) -> tensor<2x8xf32>
  %s18 = tosa.const_shape {values = dense<[1, 8]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %g2 = tosa.reshape %gamma, %s18 : (tensor<8xf32>, !tosa.shape<2>) -> tensor<1x8xf32>
  %y = tosa.mul %g2, %norm, %shift : (tensor<1x8xf32>, tensor<2x8xf32>, tensor<1xi8>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>

// LLaMA in float16: the norm computed in float32 between two casts, the
// weight applied after the cast back. The weight moves into the norm,
// converted to float32; the casts stay.
// CHECK-LABEL: func.func @rms_norm_cast
// CHECK-SAME: (%[[X:.*]]: tensor<2x4xf16>)
// CHECK: %[[WIDE:.*]] = linalg.generic
// CHECK: arith.extf
// CHECK: %[[G:.*]] = arith.constant dense<[5.000000e-01, 1.000000e+00, 1.500000e+00, 2.000000e+00]> : tensor<4xf32>
// CHECK: %[[N:.*]] = lowbit.rms_norm %[[WIDE]], %[[G]] {axis = 1 : i64, epsilon = 9.99999974E-6 : f32} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} ins(%[[N]] : tensor<2x4xf32>)
// CHECK: arith.truncf
// CHECK-NOT: tosa.mul
// CHECK: return %[[Y]]
func.func @rms_norm_cast(%x: tensor<2x4xf16>) -> tensor<2x4xf16> {
  %eps = arith.constant dense<9.99999974E-6> : tensor<1x1xf32>
  %gamma = arith.constant dense<[0.5, 1.0, 1.5, 2.0]> : tensor<4xf16>
  %shift = arith.constant dense<0> : tensor<1xi8>
  %e0 = tensor.empty() : tensor<2x4xf32>
  %x32 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<2x4xf16>) outs(%e0 : tensor<2x4xf32>) {
  ^bb0(%in: f16, %out: f32):
    %r = arith.extf %in : f16 to f32
    linalg.yield %r : f32
  } -> tensor<2x4xf32>
  %xx = tosa.mul %x32, %x32, %shift : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<1xi8>) -> tensor<2x4xf32>
  %0 = tosa.reduce_sum %xx {axis = 1 : i32} : (tensor<2x4xf32>) -> tensor<2x1xf32>
  %e1 = tensor.empty() : tensor<2x1xf32>
  %ms = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%0 : tensor<2x1xf32>) outs(%e1 : tensor<2x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.constant 4.000000e+00 : f32
    %r = arith.divf %in, %n : f32
    linalg.yield %r : f32
  } -> tensor<2x1xf32>
  %mse = tosa.add %ms, %eps : (tensor<2x1xf32>, tensor<1x1xf32>) -> tensor<2x1xf32>
  %e2 = tensor.empty() : tensor<2x1xf32>
  %rms = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%mse : tensor<2x1xf32>) outs(%e2 : tensor<2x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = math.sqrt %in : f32
    linalg.yield %r : f32
  } -> tensor<2x1xf32>
  %inv = tosa.reciprocal %rms : (tensor<2x1xf32>) -> tensor<2x1xf32>
  %norm = tosa.mul %x32, %inv, %shift : (tensor<2x4xf32>, tensor<2x1xf32>, tensor<1xi8>) -> tensor<2x4xf32>
  %e3 = tensor.empty() : tensor<2x4xf16>
  %n16 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%norm : tensor<2x4xf32>) outs(%e3 : tensor<2x4xf16>) {
  ^bb0(%in: f32, %out: f16):
    %r = arith.truncf %in : f32 to f16
    linalg.yield %r : f16
  } -> tensor<2x4xf16>
  %s14 = tosa.const_shape {values = dense<[1, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %g2 = tosa.reshape %gamma, %s14 : (tensor<4xf16>, !tosa.shape<2>) -> tensor<1x4xf16>
  %y = tosa.mul %g2, %n16, %shift : (tensor<1x4xf16>, tensor<2x4xf16>, tensor<1xi8>) -> tensor<2x4xf16>
  return %y : tensor<2x4xf16>
}

// -----

// CHECK-LABEL: func.func @linear_bias
// CHECK-SAME: (%[[X:.*]]: tensor<2x4xf32>, %[[W:.*]]: tensor<3x4xf32>)
// CHECK: %[[B:.*]] = arith.constant dense<[5.000000e-01, 2.500000e-01, 1.250000e-01]> : tensor<3xf32>
// CHECK: %[[Y:.*]] = lowbit.linear %[[X]], %[[W]], %[[B]] : (tensor<2x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-NOT: tosa.add
// CHECK: return %[[Y]]
func.func @linear_bias(%x: tensor<2x4xf32>, %w: tensor<3x4xf32>) -> tensor<2x3xf32> {
  %b = arith.constant dense<[0.5, 0.25, 0.125]> : tensor<3xf32>
  %h = lowbit.linear %x, %w : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  %s = tosa.const_shape {values = dense<[1, 3]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %b2 = tosa.reshape %b, %s : (tensor<3xf32>, !tosa.shape<2>) -> tensor<1x3xf32>
  %y = tosa.add %h, %b2 : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// Negative cases: each differs from a norm in one checked detail and stays
// as it is.

// The mean is taken over the first axis, not the last.
// CHECK-LABEL: func.func @wrong_axis
// CHECK-NOT: lowbit.layer_norm
// CHECK-NOT: lowbit.rms_norm
// CHECK: tosa.rsqrt
func.func @wrong_axis(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %quarter = arith.constant dense<0.25> : tensor<1x1xf32>
  %eps = arith.constant dense<1.0e-5> : tensor<1x1xf32>
  %shift = arith.constant dense<0> : tensor<1xi8>
  %0 = tosa.reduce_sum %x {axis = 0 : i32} : (tensor<4x4xf32>) -> tensor<1x4xf32>
  %mean = tosa.mul %0, %quarter, %shift : (tensor<1x4xf32>, tensor<1x1xf32>, tensor<1xi8>) -> tensor<1x4xf32>
  %d = tosa.sub %x, %mean : (tensor<4x4xf32>, tensor<1x4xf32>) -> tensor<4x4xf32>
  %dd = tosa.mul %d, %d, %shift : (tensor<4x4xf32>, tensor<4x4xf32>, tensor<1xi8>) -> tensor<4x4xf32>
  %1 = tosa.reduce_sum %dd {axis = 0 : i32} : (tensor<4x4xf32>) -> tensor<1x4xf32>
  %var = tosa.mul %1, %quarter, %shift : (tensor<1x4xf32>, tensor<1x1xf32>, tensor<1xi8>) -> tensor<1x4xf32>
  %ve = tosa.add %var, %eps : (tensor<1x4xf32>, tensor<1x1xf32>) -> tensor<1x4xf32>
  %inv = tosa.rsqrt %ve : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %y = tosa.mul %d, %inv, %shift : (tensor<4x4xf32>, tensor<1x4xf32>, tensor<1xi8>) -> tensor<4x4xf32>
  return %y : tensor<4x4xf32>
}

// -----

// x^3 instead of x^2.
// CHECK-LABEL: func.func @wrong_exponent
// CHECK-NOT: lowbit.rms_norm
// CHECK: tosa.pow
// CHECK: tosa.rsqrt
func.func @wrong_exponent(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %quarter = arith.constant dense<0.25> : tensor<1x1xf32>
  %three = arith.constant dense<3.0> : tensor<1x1xf32>
  %eps = arith.constant dense<1.0e-5> : tensor<1x1xf32>
  %shift = arith.constant dense<0> : tensor<1xi8>
  %xx = tosa.pow %x, %three : (tensor<2x4xf32>, tensor<1x1xf32>) -> tensor<2x4xf32>
  %0 = tosa.reduce_sum %xx {axis = 1 : i32} : (tensor<2x4xf32>) -> tensor<2x1xf32>
  %ms = tosa.mul %0, %quarter, %shift : (tensor<2x1xf32>, tensor<1x1xf32>, tensor<1xi8>) -> tensor<2x1xf32>
  %mse = tosa.add %ms, %eps : (tensor<2x1xf32>, tensor<1x1xf32>) -> tensor<2x1xf32>
  %inv = tosa.rsqrt %mse : (tensor<2x1xf32>) -> tensor<2x1xf32>
  %y = tosa.mul %x, %inv, %shift : (tensor<2x4xf32>, tensor<2x1xf32>, tensor<1xi8>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// The sum is divided by 3, not by the axis length 4 (not a mean); and a
// negative epsilon.
// CHECK-LABEL: func.func @wrong_divisor
// CHECK-NOT: lowbit.rms_norm
// CHECK: tosa.rsqrt
// CHECK-LABEL: func.func @negative_epsilon
// CHECK-NOT: lowbit.rms_norm
// CHECK: tosa.rsqrt
func.func @wrong_divisor(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %third = arith.constant dense<0.333333343> : tensor<1x1xf32>
  %eps = arith.constant dense<1.0e-5> : tensor<1x1xf32>
  %shift = arith.constant dense<0> : tensor<1xi8>
  %xx = tosa.mul %x, %x, %shift : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<1xi8>) -> tensor<2x4xf32>
  %0 = tosa.reduce_sum %xx {axis = 1 : i32} : (tensor<2x4xf32>) -> tensor<2x1xf32>
  %ms = tosa.mul %0, %third, %shift : (tensor<2x1xf32>, tensor<1x1xf32>, tensor<1xi8>) -> tensor<2x1xf32>
  %mse = tosa.add %ms, %eps : (tensor<2x1xf32>, tensor<1x1xf32>) -> tensor<2x1xf32>
  %inv = tosa.rsqrt %mse : (tensor<2x1xf32>) -> tensor<2x1xf32>
  %y = tosa.mul %x, %inv, %shift : (tensor<2x4xf32>, tensor<2x1xf32>, tensor<1xi8>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}
func.func @negative_epsilon(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %quarter = arith.constant dense<0.25> : tensor<1x1xf32>
  %eps = arith.constant dense<-1.0e-5> : tensor<1x1xf32>
  %shift = arith.constant dense<0> : tensor<1xi8>
  %xx = tosa.mul %x, %x, %shift : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<1xi8>) -> tensor<2x4xf32>
  %0 = tosa.reduce_sum %xx {axis = 1 : i32} : (tensor<2x4xf32>) -> tensor<2x1xf32>
  %ms = tosa.mul %0, %quarter, %shift : (tensor<2x1xf32>, tensor<1x1xf32>, tensor<1xi8>) -> tensor<2x1xf32>
  %mse = tosa.add %ms, %eps : (tensor<2x1xf32>, tensor<1x1xf32>) -> tensor<2x1xf32>
  %inv = tosa.rsqrt %mse : (tensor<2x1xf32>) -> tensor<2x1xf32>
  %y = tosa.mul %x, %inv, %shift : (tensor<2x4xf32>, tensor<2x1xf32>, tensor<1xi8>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// The numerator is not the squared value: y / rms(x).
// CHECK-LABEL: func.func @other_numerator
// CHECK-NOT: lowbit.rms_norm
// CHECK: tosa.rsqrt
func.func @other_numerator(%x: tensor<2x4xf32>, %z: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %quarter = arith.constant dense<0.25> : tensor<1x1xf32>
  %eps = arith.constant dense<1.0e-5> : tensor<1x1xf32>
  %shift = arith.constant dense<0> : tensor<1xi8>
  %xx = tosa.mul %x, %x, %shift : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<1xi8>) -> tensor<2x4xf32>
  %0 = tosa.reduce_sum %xx {axis = 1 : i32} : (tensor<2x4xf32>) -> tensor<2x1xf32>
  %ms = tosa.mul %0, %quarter, %shift : (tensor<2x1xf32>, tensor<1x1xf32>, tensor<1xi8>) -> tensor<2x1xf32>
  %mse = tosa.add %ms, %eps : (tensor<2x1xf32>, tensor<1x1xf32>) -> tensor<2x1xf32>
  %inv = tosa.rsqrt %mse : (tensor<2x1xf32>) -> tensor<2x1xf32>
  %y = tosa.mul %z, %inv, %shift : (tensor<2x4xf32>, tensor<2x1xf32>, tensor<1xi8>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// A scale that varies along rows is not a gamma: the norm keeps a unit
// gamma and the product stays.
// CHECK-LABEL: func.func @scale_per_row
// CHECK-SAME: (%[[X:.*]]: tensor<2x4xf32>, %[[S:.*]]: tensor<2x1xf32>)
// CHECK: %[[ONES:.*]] = arith.constant dense<1.000000e+00> : tensor<4xf32>
// CHECK: %[[N:.*]] = lowbit.rms_norm %[[X]], %[[ONES]]
// CHECK: %[[Y:.*]] = tosa.mul %[[N]], %[[S]]
// CHECK: return %[[Y]]
func.func @scale_per_row(%x: tensor<2x4xf32>, %s: tensor<2x1xf32>) -> tensor<2x4xf32> {
  %quarter = arith.constant dense<0.25> : tensor<1x1xf32>
  %eps = arith.constant dense<1.0e-5> : tensor<1x1xf32>
  %shift = arith.constant dense<0> : tensor<1xi8>
  %xx = tosa.mul %x, %x, %shift : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<1xi8>) -> tensor<2x4xf32>
  %0 = tosa.reduce_sum %xx {axis = 1 : i32} : (tensor<2x4xf32>) -> tensor<2x1xf32>
  %ms = tosa.mul %0, %quarter, %shift : (tensor<2x1xf32>, tensor<1x1xf32>, tensor<1xi8>) -> tensor<2x1xf32>
  %mse = tosa.add %ms, %eps : (tensor<2x1xf32>, tensor<1x1xf32>) -> tensor<2x1xf32>
  %inv = tosa.rsqrt %mse : (tensor<2x1xf32>) -> tensor<2x1xf32>
  %n = tosa.mul %x, %inv, %shift : (tensor<2x4xf32>, tensor<2x1xf32>, tensor<1xi8>) -> tensor<2x4xf32>
  %y = tosa.mul %n, %s, %shift : (tensor<2x4xf32>, tensor<2x1xf32>, tensor<1xi8>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// A constant that is not one value per output feature is not a bias.
// CHECK-LABEL: func.func @linear_add_per_row
// CHECK: %[[L:.*]] = lowbit.linear %{{.*}}, %{{.*}} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
// CHECK: tosa.add %[[L]]
func.func @linear_add_per_row(%x: tensor<2x4xf32>, %w: tensor<3x4xf32>) -> tensor<2x3xf32> {
  %c = arith.constant dense<[[0.5], [0.25]]> : tensor<2x1xf32>
  %h = lowbit.linear %x, %w : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  %y = tosa.add %h, %c : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
