// Round trip of every lowbit op, in the generic and the custom form.
// RUN: lowbit-opt %s | FileCheck %s
// RUN: lowbit-opt %s --mlir-print-op-generic | lowbit-opt | FileCheck %s

// CHECK-LABEL: func.func @linear
func.func @linear(%x: tensor<2x16x64xf32>, %w: tensor<256x64xf32>, %b: tensor<256xf32>)
    -> (tensor<2x16x256xf32>, tensor<2x16x256xf32>) {
  // CHECK: lowbit.linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x16x64xf32>, tensor<256x64xf32>, tensor<256xf32>) -> tensor<2x16x256xf32>
  %0 = lowbit.linear %x, %w, %b : (tensor<2x16x64xf32>, tensor<256x64xf32>, tensor<256xf32>) -> tensor<2x16x256xf32>
  // CHECK: lowbit.linear %{{.*}}, %{{.*}} {act_qconfig = #lowbit.qconfig<bits = 8, granularity = token>, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 32>} : (tensor<2x16x64xf32>, tensor<256x64xf32>) -> tensor<2x16x256xf32>
  %1 = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 32>,
                             act_qconfig = #lowbit.qconfig<bits = 8, granularity = token>}
       : (tensor<2x16x64xf32>, tensor<256x64xf32>) -> tensor<2x16x256xf32>
  return %0, %1 : tensor<2x16x256xf32>, tensor<2x16x256xf32>
}

// CHECK-LABEL: func.func @linear_dynamic_batch
func.func @linear_dynamic_batch(%x: tensor<?x64xf16>, %w: tensor<32x64xf16>) -> tensor<?x32xf16> {
  // CHECK: lowbit.linear %{{.*}}, %{{.*}} : (tensor<?x64xf16>, tensor<32x64xf16>) -> tensor<?x32xf16>
  %0 = lowbit.linear %x, %w : (tensor<?x64xf16>, tensor<32x64xf16>) -> tensor<?x32xf16>
  return %0 : tensor<?x32xf16>
}

// CHECK-LABEL: func.func @conv
func.func @conv(%x: tensor<1x8x32x32xf32>, %w: tensor<16x4x3x3xf32>, %b: tensor<16xf32>) -> tensor<1x16x16x16xf32> {
  // CHECK: lowbit.conv %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, weight_qconfig = #lowbit.qconfig<bits = 8>}
  %0 = lowbit.conv %x, %w, %b {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 2 : i64,
                               weight_qconfig = #lowbit.qconfig<bits = 8>}
       : (tensor<1x8x32x32xf32>, tensor<16x4x3x3xf32>, tensor<16xf32>) -> tensor<1x16x16x16xf32>
  return %0 : tensor<1x16x16x16xf32>
}

// CHECK-LABEL: func.func @conv1d
func.func @conv1d(%x: tensor<2x3x10xf32>, %w: tensor<5x3x4xf32>) -> tensor<2x5x4xf32> {
  // CHECK: lowbit.conv %{{.*}}, %{{.*}} {dilations = array<i64: 2>, pads = array<i64: 0, 0>, strides = array<i64: 1>}
  %0 = lowbit.conv %x, %w {strides = array<i64: 1>, dilations = array<i64: 2>, pads = array<i64: 0, 0>}
       : (tensor<2x3x10xf32>, tensor<5x3x4xf32>) -> tensor<2x5x4xf32>
  return %0 : tensor<2x5x4xf32>
}

// CHECK-LABEL: func.func @norms
func.func @norms(%x: tensor<2x16x64xf32>, %g: tensor<64xf32>, %b: tensor<64xf32>, %g2: tensor<16x64xf32>)
    -> (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>) {
  // CHECK: lowbit.layer_norm %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  %0 = lowbit.layer_norm %x, %g, %b : (tensor<2x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  // CHECK: lowbit.layer_norm %{{.*}}, %{{.*}} {axis = 1 : i64, epsilon = 9.99999996E-13 : f32}
  %1 = lowbit.layer_norm %x, %g2 {axis = 1 : i64, epsilon = 1.0e-12 : f32} : (tensor<2x16x64xf32>, tensor<16x64xf32>) -> tensor<2x16x64xf32>
  // CHECK: lowbit.rms_norm %{{.*}}, %{{.*}} : (tensor<2x16x64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  %2 = lowbit.rms_norm %x, %g : (tensor<2x16x64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  return %0, %1, %2 : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>
}

// CHECK-LABEL: func.func @observe
func.func @observe(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // CHECK: lowbit.observe %{{.*}} "layers.0/q_proj/input" : tensor<4x8xf32>
  %0 = lowbit.observe %x "layers.0/q_proj/input" : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @fake_quant
func.func @fake_quant(%x: tensor<4x64xf32>, %s: tensor<f32>, %sg: tensor<4x2xf32>, %zg: tensor<4x2xi32>, %sc: tensor<4x1xf32>)
    -> (tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>) {
  // CHECK: lowbit.fake_quant %{{.*}} scale %{{.*}} : tensor<f32> {qconfig = #lowbit.qconfig<bits = 8, granularity = tensor>} : tensor<4x64xf32>
  %0 = lowbit.fake_quant %x scale %s : tensor<f32> {qconfig = #lowbit.qconfig<bits = 8, granularity = tensor>} : tensor<4x64xf32>
  // CHECK: lowbit.fake_quant %{{.*}} scale %{{.*}} : tensor<4x2xf32> zero_point %{{.*}} : tensor<4x2xi32> {qconfig = #lowbit.qconfig<bits = 3, granularity = group, group_size = 32, symmetric = false>}
  %1 = lowbit.fake_quant %x scale %sg : tensor<4x2xf32> zero_point %zg : tensor<4x2xi32>
         {qconfig = #lowbit.qconfig<bits = 3, granularity = group, group_size = 32, symmetric = false>} : tensor<4x64xf32>
  // CHECK: lowbit.fake_quant %{{.*}} {qconfig = #lowbit.qconfig<bits = 4, granularity = token>} : tensor<4x64xf32>
  %2 = lowbit.fake_quant %x {qconfig = #lowbit.qconfig<bits = 4, granularity = token>} : tensor<4x64xf32>
  // CHECK: lowbit.fake_quant %{{.*}} scale %{{.*}} : tensor<4x1xf32> {qconfig = #lowbit.qconfig<bits = 4, format = nf4>}
  %3 = lowbit.fake_quant %x scale %sc : tensor<4x1xf32> {qconfig = #lowbit.qconfig<bits = 4, format = nf4>} : tensor<4x64xf32>
  return %0, %1, %2, %3 : tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>
}

// CHECK-LABEL: func.func @quantize_dequantize
func.func @quantize_dequantize(%x: tensor<4x64xf32>, %s: tensor<f32>, %z: tensor<i32>) -> (tensor<4x64xf32>, tensor<4x64xf32>) {
  // CHECK: %[[Q:.*]] = lowbit.quantize %{{.*}} scale %{{.*}} : tensor<f32> zero_point %{{.*}} : tensor<i32> {qconfig = #lowbit.qconfig<bits = 8, granularity = tensor, symmetric = false>} : tensor<4x64xf32> -> tensor<4x64xi8>
  %q = lowbit.quantize %x scale %s : tensor<f32> zero_point %z : tensor<i32>
         {qconfig = #lowbit.qconfig<bits = 8, granularity = tensor, symmetric = false>} : tensor<4x64xf32> -> tensor<4x64xi8>
  // CHECK: lowbit.dequantize %[[Q]] scale %{{.*}} : tensor<f32> zero_point %{{.*}} : tensor<i32> {qconfig = #lowbit.qconfig<bits = 8, granularity = tensor, symmetric = false>} : tensor<4x64xi8> -> tensor<4x64xf32>
  %d = lowbit.dequantize %q scale %s : tensor<f32> zero_point %z : tensor<i32>
         {qconfig = #lowbit.qconfig<bits = 8, granularity = tensor, symmetric = false>} : tensor<4x64xi8> -> tensor<4x64xf32>
  // CHECK: %[[T:.*]], %[[TS:.*]] = lowbit.quantize_per_token %{{.*}} {qconfig = #lowbit.qconfig<bits = 4, granularity = token>} : tensor<4x64xf32> -> tensor<4x64xi8>, tensor<4x1xf32>
  %t, %ts = lowbit.quantize_per_token %x {qconfig = #lowbit.qconfig<bits = 4, granularity = token>} : tensor<4x64xf32> -> tensor<4x64xi8>, tensor<4x1xf32>
  // CHECK: lowbit.dequantize %[[T]] scale %[[TS]] : tensor<4x1xf32> {qconfig = #lowbit.qconfig<bits = 4, granularity = token>} : tensor<4x64xi8> -> tensor<4x64xf32>
  %td = lowbit.dequantize %t scale %ts : tensor<4x1xf32> {qconfig = #lowbit.qconfig<bits = 4, granularity = token>} : tensor<4x64xi8> -> tensor<4x64xf32>
  return %d, %td : tensor<4x64xf32>, tensor<4x64xf32>
}

// CHECK-LABEL: func.func @quantize_per_token_asymmetric
func.func @quantize_per_token_asymmetric(%x: tensor<2x3x8xf32>) -> tensor<2x3x1xi8> {
  // CHECK: lowbit.quantize_per_token %{{.*}} {qconfig = #lowbit.qconfig<bits = 8, granularity = token, symmetric = false>} : tensor<2x3x8xf32> -> tensor<2x3x8xi8>, tensor<2x3x1xf32>, tensor<2x3x1xi8>
  %q, %s, %z = lowbit.quantize_per_token %x {qconfig = #lowbit.qconfig<bits = 8, granularity = token, symmetric = false>}
      : tensor<2x3x8xf32> -> tensor<2x3x8xi8>, tensor<2x3x1xf32>, tensor<2x3x1xi8>
  return %z : tensor<2x3x1xi8>
}

// CHECK-LABEL: func.func @hadamard
func.func @hadamard(%x: tensor<4x96xf32>) -> (tensor<4x96xf32>, tensor<4x96xf32>) {
  // CHECK: lowbit.hadamard %{{.*}} {seed = 7 : i64, size = 32 : i64} : tensor<4x96xf32>
  %0 = lowbit.hadamard %x {size = 32 : i64, seed = 7 : i64} : tensor<4x96xf32>
  // CHECK: lowbit.hadamard %{{.*}} {size = 12 : i64} : tensor<4x96xf32>
  %1 = lowbit.hadamard %x {size = 12 : i64} : tensor<4x96xf32>
  return %0, %1 : tensor<4x96xf32>, tensor<4x96xf32>
}

// CHECK-LABEL: func.func @qlinear
func.func @qlinear(%x: tensor<1x7x256xf32>, %p4: tensor<64x128xi8>, %s4: tensor<64x2xf16>,
                   %p3: tensor<64x96xi8>, %s3: tensor<64x1xf32>, %z3: tensor<64x1xi8>, %b: tensor<64xf32>)
    -> (tensor<1x7x64xf32>, tensor<1x7x64xf32>) {
  // CHECK: lowbit.qlinear %{{.*}}, %{{.*}} scales %{{.*}} {in_features = 256 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<1x7x256xf32>, tensor<64x128xi8>, tensor<64x2xf16>) -> tensor<1x7x64xf32>
  %0 = lowbit.qlinear %x, %p4 scales %s4 {in_features = 256 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>}
       : (tensor<1x7x256xf32>, tensor<64x128xi8>, tensor<64x2xf16>) -> tensor<1x7x64xf32>
  // CHECK: lowbit.qlinear %{{.*}}, %{{.*}} scales %{{.*}} zero_points %{{.*}} bias %{{.*}} {act_qconfig = #lowbit.qconfig<bits = 8, granularity = token>, in_features = 256 : i64, weight_qconfig = #lowbit.qconfig<bits = 3, symmetric = false>} :
  %1 = lowbit.qlinear %x, %p3 scales %s3 zero_points %z3 bias %b
         {in_features = 256 : i64, weight_qconfig = #lowbit.qconfig<bits = 3, symmetric = false>,
          act_qconfig = #lowbit.qconfig<bits = 8, granularity = token>, layout = #lowbit.layout<k_major>}
       : (tensor<1x7x256xf32>, tensor<64x96xi8>, tensor<64x1xf32>, tensor<64x1xi8>, tensor<64xf32>) -> tensor<1x7x64xf32>
  return %0, %1 : tensor<1x7x64xf32>, tensor<1x7x64xf32>
}
