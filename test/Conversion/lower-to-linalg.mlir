// RUN: lowbit-opt %s --lowbit-lower-to-linalg --split-input-file | FileCheck %s

// The leading axes are flattened into rows, the [N, K] weight is read
// through a transposed map and the bias initializes the accumulator.
// CHECK-DAG: #[[BIAS:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[A:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[BT:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[C:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @linear
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>, %[[W:.+]]: tensor<5x4xf32>, %[[B:.+]]: tensor<5xf32>)
// CHECK: %[[ROWS:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<6x5xf32>
// CHECK: %[[INIT:.+]] = linalg.generic {indexing_maps = [#[[BIAS]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[B]] : tensor<5xf32>) outs(%[[EMPTY]] : tensor<6x5xf32>)
// CHECK: %[[MM:.+]] = linalg.matmul indexing_maps = [#[[A]], #[[BT]], #[[C]]] ins(%[[ROWS]], %[[W]] : tensor<6x4xf32>, tensor<5x4xf32>) outs(%[[INIT]] : tensor<6x5xf32>)
// CHECK: %[[Y:.+]] = tensor.expand_shape %[[MM]] {{\[}}[0, 1], [2]] output_shape [2, 3, 5]
// CHECK: return %[[Y]] : tensor<2x3x5xf32>
func.func @linear(%x: tensor<2x3x4xf32>, %w: tensor<5x4xf32>, %b: tensor<5xf32>) -> tensor<2x3x5xf32> {
  %y = lowbit.linear %x, %w, %b : (tensor<2x3x4xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<2x3x5xf32>
  return %y : tensor<2x3x5xf32>
}

// -----

// f16 accumulates in f32 from zeros and rounds once; a vector is one row.
// CHECK-LABEL: func.func @linear_f16_vector
// CHECK: %[[ROW:.+]] = tensor.expand_shape %{{.+}} {{\[}}[0, 1]] output_shape [1, 4] : tensor<4xf16> into tensor<1x4xf16>
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[ACC:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<1x5xf32>)
// CHECK: %[[MM:.+]] = linalg.matmul {{.*}} ins(%[[ROW]], %{{.+}} : tensor<1x4xf16>, tensor<5x4xf16>) outs(%[[ACC]] : tensor<1x5xf32>)
// CHECK: %[[ROUNDED:.+]] = linalg.generic {{.*}} ins(%[[MM]] : tensor<1x5xf32>) outs(%{{.+}} : tensor<1x5xf16>)
// CHECK:   arith.truncf %{{.+}} : f32 to f16
// CHECK: tensor.collapse_shape %[[ROUNDED]] {{\[}}[0, 1]] : tensor<1x5xf16> into tensor<5xf16>
func.func @linear_f16_vector(%x: tensor<4xf16>, %w: tensor<5x4xf16>) -> tensor<5xf16> {
  %y = lowbit.linear %x, %w : (tensor<4xf16>, tensor<5x4xf16>) -> tensor<5xf16>
  return %y : tensor<5xf16>
}

// -----

// CHECK-LABEL: func.func @conv2d_padded_strided
// CHECK-SAME: (%[[X:.+]]: tensor<1x3x8x8xf32>, %[[W:.+]]: tensor<4x3x3x3xf32>, %[[B:.+]]: tensor<4xf32>)
// CHECK: %[[PADDED:.+]] = tensor.pad %[[X]] low[0, 0, 1, 2] high[0, 0, 1, 0]
// CHECK: } : tensor<1x3x8x8xf32> to tensor<1x3x10x10xf32>
// CHECK: %[[INIT:.+]] = linalg.generic {{.*}} ins(%[[B]] : tensor<4xf32>) outs(%{{.+}} : tensor<1x4x4x4xf32>)
// CHECK: %[[Y:.+]] = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[PADDED]], %[[W]] : tensor<1x3x10x10xf32>, tensor<4x3x3x3xf32>) outs(%[[INIT]] : tensor<1x4x4x4xf32>)
// CHECK: return %[[Y]]
func.func @conv2d_padded_strided(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  %y = lowbit.conv %x, %w, %b {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 2, 1, 0>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  return %y : tensor<1x4x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @conv1d_dilated
// CHECK-NOT: tensor.pad
// CHECK: linalg.conv_1d_ncw_fcw {dilations = dense<2> : tensor<1xi64>, strides = dense<1> : tensor<1xi64>} ins(%{{.+}}, %{{.+}} : tensor<2x3x9xf32>, tensor<5x3x3xf32>) outs(%{{.+}} : tensor<2x5x5xf32>)
func.func @conv1d_dilated(%x: tensor<2x3x9xf32>, %w: tensor<5x3x3xf32>) -> tensor<2x5x5xf32> {
  %y = lowbit.conv %x, %w {strides = array<i64: 1>, dilations = array<i64: 2>, pads = array<i64: 0, 0>} : (tensor<2x3x9xf32>, tensor<5x3x3xf32>) -> tensor<2x5x5xf32>
  return %y : tensor<2x5x5xf32>
}

// -----

// CHECK-LABEL: func.func @conv3d
// CHECK: linalg.conv_3d_ncdhw_fcdhw {{.*}} ins(%{{.+}}, %{{.+}} : tensor<1x2x4x4x4xf32>, tensor<3x2x2x2x2xf32>) outs(%{{.+}} : tensor<1x3x3x3x3xf32>)
func.func @conv3d(%x: tensor<1x2x4x4x4xf32>, %w: tensor<3x2x2x2x2xf32>) -> tensor<1x3x3x3x3xf32> {
  %y = lowbit.conv %x, %w {strides = array<i64: 1, 1, 1>, dilations = array<i64: 1, 1, 1>, pads = array<i64: 0, 0, 0, 0, 0, 0>} : (tensor<1x2x4x4x4xf32>, tensor<3x2x2x2x2xf32>) -> tensor<1x3x3x3x3xf32>
  return %y : tensor<1x3x3x3x3xf32>
}

// -----

// Groups are split out of the channel axes and merged back.
// CHECK-LABEL: func.func @conv2d_grouped
// CHECK: %[[X:.+]] = tensor.expand_shape %{{.+}} {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 2, 2, 5, 5] : tensor<1x4x5x5xf32> into tensor<1x2x2x5x5xf32>
// CHECK: %[[W:.+]] = tensor.expand_shape %{{.+}} {{\[}}[0, 1], [2], [3], [4]] output_shape [2, 3, 2, 3, 3] : tensor<6x2x3x3xf32> into tensor<2x3x2x3x3xf32>
// CHECK: %[[ACC:.+]] = tensor.expand_shape %{{.+}} {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 2, 3, 3, 3] : tensor<1x6x3x3xf32> into tensor<1x2x3x3x3xf32>
// CHECK: %[[Y:.+]] = linalg.conv_2d_ngchw_gfchw {{.*}} ins(%[[X]], %[[W]] : tensor<1x2x2x5x5xf32>, tensor<2x3x2x3x3xf32>) outs(%[[ACC]] : tensor<1x2x3x3x3xf32>)
// CHECK: tensor.collapse_shape %[[Y]] {{\[}}[0], [1, 2], [3], [4]] : tensor<1x2x3x3x3xf32> into tensor<1x6x3x3xf32>
func.func @conv2d_grouped(%x: tensor<1x4x5x5xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x3x3xf32> {
  %y = lowbit.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 2 : i64} : (tensor<1x4x5x5xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x3x3xf32>
  return %y : tensor<1x6x3x3xf32>
}

// -----

// CHECK-LABEL: func.func @conv2d_depthwise
// CHECK: %[[FILTER:.+]] = tensor.collapse_shape %{{.+}} {{\[}}[0, 1], [2], [3]] : tensor<4x1x3x3xf32> into tensor<4x3x3xf32>
// CHECK: linalg.depthwise_conv_2d_nchw_chw {{.*}} ins(%{{.+}}, %[[FILTER]] : tensor<1x4x7x7xf32>, tensor<4x3x3xf32>) outs(%{{.+}} : tensor<1x4x5x5xf32>)
func.func @conv2d_depthwise(%x: tensor<1x4x7x7xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x5x5xf32> {
  %y = lowbit.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 4 : i64} : (tensor<1x4x7x7xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x5x5xf32>
  return %y : tensor<1x4x5x5xf32>
}

// -----

// A grouped 1-D convolution is one generic: loops b, g, o, e (parallel), c,
// k (reduction), the input read at e * stride + k * dilation.
// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4, d3 * 2 + d5 * 3)>
// CHECK-DAG: #[[FILT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d2, d4, d5)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @conv1d_grouped
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[FILT]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%{{.+}}, %{{.+}} : tensor<1x2x2x12xf32>, tensor<2x2x2x2xf32>) outs(%{{.+}} : tensor<1x2x2x5xf32>)
// CHECK: ^bb0(%[[I:.+]]: f32, %[[F:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK:   %[[P:.+]] = arith.mulf %[[I]], %[[F]] : f32
// CHECK:   %[[S:.+]] = arith.addf %[[ACC]], %[[P]] : f32
// CHECK:   linalg.yield %[[S]] : f32
// CHECK: tensor.collapse_shape %{{.+}} {{\[}}[0], [1, 2], [3]] : tensor<1x2x2x5xf32> into tensor<1x4x5xf32>
func.func @conv1d_grouped(%x: tensor<1x4x10xf32>, %w: tensor<4x2x2xf32>) -> tensor<1x4x5xf32> {
  %y = lowbit.conv %x, %w {strides = array<i64: 2>, dilations = array<i64: 3>, pads = array<i64: 1, 1>, group = 2 : i64} : (tensor<1x4x10xf32>, tensor<4x2x2xf32>) -> tensor<1x4x5xf32>
  return %y : tensor<1x4x5xf32>
}

// -----

// Sum, sum of squared deviations, 1 / sqrt(var + eps) per row, then one
// elementwise normalization with gamma and beta.
// CHECK-DAG: #[[FULL:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1, d2) -> (d0)>
// CHECK-DAG: #[[NORM:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>, %[[G:.+]]: tensor<3x4xf32>, %[[B:.+]]: tensor<3x4xf32>)
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[FULL]], #[[ROW]]], iterator_types = ["parallel", "reduction", "reduction"]} ins(%[[X]] : tensor<2x3x4xf32>)
// CHECK:   arith.addf
// CHECK: %[[SQ:.+]] = linalg.generic {indexing_maps = [#[[FULL]], #[[ROW]], #[[ROW]]], iterator_types = ["parallel", "reduction", "reduction"]} ins(%[[X]], %[[SUM]] : tensor<2x3x4xf32>, tensor<2xf32>)
// CHECK:   %[[INV:.+]] = arith.constant 0.0833333{{.*}} : f32
// CHECK:   %[[MEAN:.+]] = arith.mulf %{{.+}}, %[[INV]] : f32
// CHECK:   %[[DEV:.+]] = arith.subf %{{.+}}, %[[MEAN]] : f32
// CHECK:   arith.mulf %[[DEV]], %[[DEV]] : f32
// CHECK: %[[RSTD:.+]] = linalg.generic {{.*}} ins(%[[SQ]] : tensor<2xf32>)
// CHECK:   arith.constant 9.99999974E-6 : f32
// CHECK:   math.sqrt
// CHECK:   arith.divf
// CHECK: %[[Y:.+]] = linalg.generic {indexing_maps = [#[[FULL]], #[[ROW]], #[[ROW]], #[[NORM]], #[[NORM]], #[[FULL]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[X]], %[[SUM]], %[[RSTD]], %[[G]], %[[B]] :
// CHECK: return %[[Y]]
func.func @layer_norm(%x: tensor<2x3x4xf32>, %g: tensor<3x4xf32>, %b: tensor<3x4xf32>) -> tensor<2x3x4xf32> {
  %y = lowbit.layer_norm %x, %g, %b {epsilon = 1.0e-5 : f32, axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<2x3x4xf32>
  return %y : tensor<2x3x4xf32>
}

// -----

// Over every axis: the statistics are rank-0 tensors.
// CHECK-LABEL: func.func @layer_norm_all_axes_f16
// CHECK: %[[SUM:.+]] = linalg.generic {{.*}} ins(%{{.+}} : tensor<8xf16>) outs(%{{.+}} : tensor<f32>)
// CHECK:   arith.extf %{{.+}} : f16 to f32
// CHECK: linalg.generic {{.*}} outs(%{{.+}} : tensor<8xf16>)
// CHECK:   arith.truncf %{{.+}} : f32 to f16
func.func @layer_norm_all_axes_f16(%x: tensor<8xf16>, %g: tensor<8xf16>) -> tensor<8xf16> {
  %y = lowbit.layer_norm %x, %g {axis = 0 : i64} : (tensor<8xf16>, tensor<8xf16>) -> tensor<8xf16>
  return %y : tensor<8xf16>
}

// -----

// CHECK-LABEL: func.func @rms_norm
// CHECK: %[[SQ:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%{{.+}} : tensor<2x8xf32>)
// CHECK:   %[[SQUARE:.+]] = arith.mulf %[[V:.+]], %[[V]] : f32
// CHECK:   arith.addf %{{.+}}, %[[SQUARE]] : f32
// CHECK: %[[RSTD:.+]] = linalg.generic {{.*}} ins(%[[SQ]] : tensor<2xf32>)
// CHECK:   arith.constant 9.99999997E-7 : f32
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%{{.+}}, %[[RSTD]], %{{.+}} : tensor<2x8xf32>, tensor<2xf32>, tensor<8xf32>)
// CHECK-NOT: lowbit.
func.func @rms_norm(%x: tensor<2x8xf32>, %g: tensor<8xf32>) -> tensor<2x8xf32> {
  %y = lowbit.rms_norm %x, %g : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

// CHECK-LABEL: func.func @observe
// CHECK-SAME: (%[[X:.+]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]] : tensor<4xf32>
func.func @observe(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = lowbit.observe %x "probe/input" : tensor<4xf32>
  return %y : tensor<4xf32>
}
