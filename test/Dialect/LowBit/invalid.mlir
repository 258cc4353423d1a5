// Every verifier message of the lowbit dialect, one case each.
// RUN: lowbit-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{bits must be one of 0, 2, 3, 4, 6, 8, 16; got 5}}
func.func @bits() attributes {q = #lowbit.qconfig<bits = 5>} { return }

// -----

// expected-error @+1 {{group_size must be positive with granularity = group}}
func.func @group_without_size() attributes {q = #lowbit.qconfig<bits = 4, granularity = group>} { return }

// -----

// expected-error @+1 {{group_size is only meaningful with granularity = group}}
func.func @size_without_group() attributes {q = #lowbit.qconfig<bits = 4, group_size = 128>} { return }

// -----

// expected-error @+1 {{format fp8_e4m3 needs bits = 8; got 4}}
func.func @fp8_bits() attributes {q = #lowbit.qconfig<bits = 4, format = fp8_e4m3>} { return }

// -----

// expected-error @+1 {{format nf4 needs bits = 4; got 8}}
func.func @nf4_bits() attributes {q = #lowbit.qconfig<bits = 8, format = nf4>} { return }

// -----

// expected-error @+1 {{format fp4_e2m1 is a symmetric codebook; symmetric must be true}}
func.func @fp4_asym() attributes {q = #lowbit.qconfig<bits = 4, symmetric = false, format = fp4_e2m1>} { return }

// -----

func.func @f(%x: tensor<4x64xf32>, %w: tensor<2x32x64xf32>) {
  // expected-error @+1 {{weight must be a [N, K] matrix; got rank 3}}
  %0 = lowbit.linear %x, %w : (tensor<4x64xf32>, tensor<2x32x64xf32>) -> tensor<4x32xf32>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>, %w: tensor<32x64xf16>) {
  // expected-error @+1 {{input, weight, bias and result must share one element type; got 'f32' and 'f16'}}
  %0 = lowbit.linear %x, %w : (tensor<4x64xf32>, tensor<32x64xf16>) -> tensor<4x32xf32>
  return
}

// -----

func.func @f(%x: tensor<f32>, %w: tensor<32x64xf32>) {
  // expected-error @+1 {{input must have rank >= 1}}
  %0 = lowbit.linear %x, %w : (tensor<f32>, tensor<32x64xf32>) -> tensor<32xf32>
  return
}

// -----

func.func @f(%x: tensor<4x32xf32>, %w: tensor<16x64xf32>) {
  // expected-error @+1 {{input feature size 32 differs from the weight's 64}}
  %0 = lowbit.linear %x, %w : (tensor<4x32xf32>, tensor<16x64xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @f(%x: tensor<2x16x64xf32>, %w: tensor<256x64xf32>) {
  // expected-error @+1 {{result shape [2, 16, 128] differs from the expected [2, 16, 256]}}
  %0 = lowbit.linear %x, %w : (tensor<2x16x64xf32>, tensor<256x64xf32>) -> tensor<2x16x128xf32>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>, %w: tensor<256x64xf32>, %b: tensor<128xf32>) {
  // expected-error @+1 {{bias must have shape [256]; got [128]}}
  %0 = lowbit.linear %x, %w, %b : (tensor<4x64xf32>, tensor<256x64xf32>, tensor<128xf32>) -> tensor<4x256xf32>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>, %w: tensor<16x64xf32>) {
  // expected-error @+1 {{weight_qconfig cannot use per-token granularity}}
  %0 = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 4, granularity = token>} : (tensor<4x64xf32>, tensor<16x64xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>, %w: tensor<16x64xf32>) {
  // expected-error @+1 {{group_size 48 does not divide the weight row length 64}}
  %0 = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 48>} : (tensor<4x64xf32>, tensor<16x64xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>, %w: tensor<16x64xf32>) {
  // expected-error @+1 {{act_qconfig must use granularity tensor or token}}
  %0 = lowbit.linear %x, %w {act_qconfig = #lowbit.qconfig<bits = 8, granularity = channel>} : (tensor<4x64xf32>, tensor<16x64xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>, %w: tensor<16x64xf32>) {
  // expected-error @+1 {{act_qconfig needs 2 to 8 bits; got 16}}
  %0 = lowbit.linear %x, %w {act_qconfig = #lowbit.qconfig<bits = 16, granularity = token>} : (tensor<4x64xf32>, tensor<16x64xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @f(%x: tensor<1x8xf32>, %w: tensor<4x8xf32>) {
  // expected-error @+1 {{input must be [B, C, spatial...] with at least one spatial axis; got rank 2}}
  %0 = lowbit.conv %x, %w {strides = array<i64>, dilations = array<i64>, pads = array<i64>} : (tensor<1x8xf32>, tensor<4x8xf32>) -> tensor<1x4xf32>
  return
}

// -----

func.func @f(%x: tensor<1x8x5x5xf32>, %w: tensor<4x8x3xf32>) {
  // expected-error @+1 {{weight rank 3 differs from the input rank 4}}
  %0 = lowbit.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x8x5x5xf32>, tensor<4x8x3xf32>) -> tensor<1x4x3x3xf32>
  return
}

// -----

func.func @f(%x: tensor<1x8x5x5xf32>, %w: tensor<4x8x3x3xbf16>) {
  // expected-error @+1 {{input, weight, bias and result must share one element type; got 'f32' and 'bf16'}}
  %0 = lowbit.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x8x5x5xf32>, tensor<4x8x3x3xbf16>) -> tensor<1x4x3x3xf32>
  return
}

// -----

func.func @f(%x: tensor<1x8x5x5xf32>, %w: tensor<4x8x3x3xf32>) {
  // expected-error @+1 {{strides and dilations need 2 entries}}
  %0 = lowbit.conv %x, %w {strides = array<i64: 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x8x5x5xf32>, tensor<4x8x3x3xf32>) -> tensor<1x4x3x3xf32>
  return
}

// -----

func.func @f(%x: tensor<1x8x5x5xf32>, %w: tensor<4x8x3x3xf32>) {
  // expected-error @+1 {{pads needs 4 entries (begins, then ends)}}
  %0 = lowbit.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0>} : (tensor<1x8x5x5xf32>, tensor<4x8x3x3xf32>) -> tensor<1x4x3x3xf32>
  return
}

// -----

func.func @f(%x: tensor<1x8x5x5xf32>, %w: tensor<4x8x3x3xf32>) {
  // expected-error @+1 {{strides and dilations must be positive}}
  %0 = lowbit.conv %x, %w {strides = array<i64: 0, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x8x5x5xf32>, tensor<4x8x3x3xf32>) -> tensor<1x4x3x3xf32>
  return
}

// -----

func.func @f(%x: tensor<1x8x5x5xf32>, %w: tensor<4x8x3x3xf32>) {
  // expected-error @+1 {{pads must be non-negative}}
  %0 = lowbit.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: -1, 0, 0, 0>} : (tensor<1x8x5x5xf32>, tensor<4x8x3x3xf32>) -> tensor<1x4x3x3xf32>
  return
}

// -----

func.func @f(%x: tensor<1x8x5x5xf32>, %w: tensor<4x8x3x3xf32>) {
  // expected-error @+1 {{group must be >= 1; got 0}}
  %0 = lowbit.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 0 : i64} : (tensor<1x8x5x5xf32>, tensor<4x8x3x3xf32>) -> tensor<1x4x3x3xf32>
  return
}

// -----

func.func @f(%x: tensor<1x8x5x5xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{input has 8 channels but weight expects 3 x group 2}}
  %0 = lowbit.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 2 : i64} : (tensor<1x8x5x5xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x3x3xf32>
  return
}

// -----

func.func @f(%x: tensor<1x8x5x5xf32>, %w: tensor<5x4x3x3xf32>) {
  // expected-error @+1 {{output channels 5 are not divisible by group 2}}
  %0 = lowbit.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 2 : i64} : (tensor<1x8x5x5xf32>, tensor<5x4x3x3xf32>) -> tensor<1x5x3x3xf32>
  return
}

// -----

func.func @f(%x: tensor<1x8x5x5xf32>, %w: tensor<4x8x3x3xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{bias must have shape [4]; got [8]}}
  %0 = lowbit.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x8x5x5xf32>, tensor<4x8x3x3xf32>, tensor<8xf32>) -> tensor<1x4x3x3xf32>
  return
}

// -----

func.func @f(%x: tensor<1x8x4x4xf32>, %w: tensor<4x8x3x3xf32>) {
  // expected-error @+1 {{kernel extent 5 exceeds the padded input extent 4 on spatial axis 0}}
  %0 = lowbit.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 2, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x8x4x4xf32>, tensor<4x8x3x3xf32>) -> tensor<1x4x1x1xf32>
  return
}

// -----

func.func @f(%x: tensor<1x8x5x5xf32>, %w: tensor<4x8x3x3xf32>) {
  // expected-error @+1 {{result shape [1, 4, 5, 5] differs from the expected [1, 4, 3, 3]}}
  %0 = lowbit.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x8x5x5xf32>, tensor<4x8x3x3xf32>) -> tensor<1x4x5x5xf32>
  return
}

// -----

func.func @f(%x: tensor<1x8x5x5xf32>, %w: tensor<4x8x3x3xf32>) {
  // expected-error @+1 {{group_size 64 does not divide the weight row length 72}}
  %0 = lowbit.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 64>} : (tensor<1x8x5x5xf32>, tensor<4x8x3x3xf32>) -> tensor<1x4x3x3xf32>
  return
}

// -----

func.func @f(%x: tensor<2x16x64xf32>, %g: tensor<64xf32>) {
  // expected-error @+1 {{axis 3 is out of range for rank 3}}
  %0 = lowbit.layer_norm %x, %g {axis = 3 : i64} : (tensor<2x16x64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

func.func @f(%x: tensor<2x16x64xf32>, %g: tensor<64xf32>) {
  // expected-error @+1 {{epsilon must be non-negative}}
  %0 = lowbit.layer_norm %x, %g {epsilon = -1.0 : f32} : (tensor<2x16x64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

func.func @f(%x: tensor<2x16x64xf32>, %g: tensor<64xf32>, %b: tensor<64xf16>) {
  // expected-error @+1 {{input, gamma and beta must share one element type; got 'f32' and 'f16'}}
  %0 = lowbit.layer_norm %x, %g, %b : (tensor<2x16x64xf32>, tensor<64xf32>, tensor<64xf16>) -> tensor<2x16x64xf32>
  return
}

// -----

func.func @f(%x: tensor<2x16x64xf32>, %g: tensor<32xf32>) {
  // expected-error @+1 {{gamma must have the normalized shape [64]; got [32]}}
  %0 = lowbit.layer_norm %x, %g : (tensor<2x16x64xf32>, tensor<32xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

func.func @f(%x: tensor<2x16x64xf32>, %g: tensor<16x64xf32>, %b: tensor<64xf32>) {
  // expected-error @+1 {{beta must have the normalized shape [16, 64]; got [64]}}
  %0 = lowbit.layer_norm %x, %g, %b {axis = -2 : i64} : (tensor<2x16x64xf32>, tensor<16x64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

func.func @f(%x: tensor<2x16x64xf32>, %g: tensor<64xf32>) {
  // expected-error @+1 {{axis -4 is out of range for rank 3}}
  %0 = lowbit.rms_norm %x, %g {axis = -4 : i64} : (tensor<2x16x64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

func.func @f(%x: tensor<2x16x64xf32>, %g: tensor<64xf32>) {
  // expected-error @+1 {{epsilon must be non-negative}}
  %0 = lowbit.rms_norm %x, %g {epsilon = -1.0e-6 : f32} : (tensor<2x16x64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

func.func @f(%x: tensor<2x16x64xf32>, %g: tensor<64xbf16>) {
  // expected-error @+1 {{input and gamma must share one element type; got 'f32' and 'bf16'}}
  %0 = lowbit.rms_norm %x, %g : (tensor<2x16x64xf32>, tensor<64xbf16>) -> tensor<2x16x64xf32>
  return
}

// -----

func.func @f(%x: tensor<2x16x64xf32>, %g: tensor<16xf32>) {
  // expected-error @+1 {{gamma must have the normalized shape [64]; got [16]}}
  %0 = lowbit.rms_norm %x, %g : (tensor<2x16x64xf32>, tensor<16xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{tag must not be empty}}
  %0 = lowbit.observe %x "" : tensor<4xf32>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{a 16-bit qconfig takes no scale or zero_point}}
  %0 = lowbit.fake_quant %x scale %s : tensor<f32> {qconfig = #lowbit.qconfig<bits = 16>} : tensor<4x64xf32>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{a 0-bit qconfig takes no scale or zero_point}}
  %0 = lowbit.fake_quant %x scale %s : tensor<f32> {qconfig = #lowbit.qconfig<bits = 0>} : tensor<4x64xf32>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>, %s: tensor<4x1xf32>) {
  // expected-error @+1 {{per-token scales are computed at run time; a token qconfig takes no scale or zero_point}}
  %0 = lowbit.fake_quant %x scale %s : tensor<4x1xf32> {qconfig = #lowbit.qconfig<bits = 8, granularity = token>} : tensor<4x64xf32>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>) {
  // expected-error @+1 {{granularity channel needs a scale operand}}
  %0 = lowbit.fake_quant %x {qconfig = #lowbit.qconfig<bits = 8>} : tensor<4x64xf32>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{scale must have shape [4, 1] for granularity channel; got [4]}}
  %0 = lowbit.fake_quant %x scale %s : tensor<4xf32> {qconfig = #lowbit.qconfig<bits = 8>} : tensor<4x64xf32>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>, %s: tensor<1xf32>) {
  // expected-error @+1 {{scale must have shape [] for granularity tensor; got [1]}}
  %0 = lowbit.fake_quant %x scale %s : tensor<1xf32> {qconfig = #lowbit.qconfig<bits = 8, granularity = tensor>} : tensor<4x64xf32>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>, %s: tensor<4x1xf32>) {
  // expected-error @+1 {{scale must have shape [4, 2] for granularity group; got [4, 1]}}
  %0 = lowbit.fake_quant %x scale %s : tensor<4x1xf32> {qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 32>} : tensor<4x64xf32>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>, %s: tensor<f32>, %z: tensor<i32>) {
  // expected-error @+1 {{a symmetric qconfig takes no zero_point}}
  %0 = lowbit.fake_quant %x scale %s : tensor<f32> zero_point %z : tensor<i32> {qconfig = #lowbit.qconfig<bits = 8, granularity = tensor>} : tensor<4x64xf32>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{an asymmetric qconfig needs a zero_point}}
  %0 = lowbit.fake_quant %x scale %s : tensor<f32> {qconfig = #lowbit.qconfig<bits = 8, granularity = tensor, symmetric = false>} : tensor<4x64xf32>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>, %s: tensor<4x1xf32>, %z: tensor<4x2xi32>) {
  // expected-error @+1 {{zero_point must have shape [4, 1]; got [4, 2]}}
  %0 = lowbit.fake_quant %x scale %s : tensor<4x1xf32> zero_point %z : tensor<4x2xi32> {qconfig = #lowbit.qconfig<bits = 8, symmetric = false>} : tensor<4x64xf32>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>, %s: tensor<4x1xf32>) {
  // expected-error @+1 {{group_size 48 does not divide the last axis 64}}
  %0 = lowbit.fake_quant %x scale %s : tensor<4x1xf32> {qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 48>} : tensor<4x64xf32>
  return
}

// -----

func.func @f(%x: tensor<f32>, %s: tensor<f32>) {
  // expected-error @+1 {{group granularity needs an input of rank >= 1}}
  %0 = lowbit.fake_quant %x scale %s : tensor<f32> {qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 32>} : tensor<f32>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>, %s: tensor<4x1xf32>) {
  // expected-error @+1 {{token granularity is lowbit.quantize_per_token's}}
  %0 = lowbit.quantize %x scale %s : tensor<4x1xf32> {qconfig = #lowbit.qconfig<bits = 8, granularity = token>} : tensor<4x64xf32> -> tensor<4x64xi8>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{integer quantization needs 2 to 8 bits; got 16}}
  %0 = lowbit.quantize %x scale %s : tensor<f32> {qconfig = #lowbit.qconfig<bits = 16, granularity = tensor>} : tensor<4x64xf32> -> tensor<4x64xi16>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{integer quantization needs format int; got fp8_e4m3}}
  %0 = lowbit.quantize %x scale %s : tensor<f32> {qconfig = #lowbit.qconfig<bits = 8, granularity = tensor, format = fp8_e4m3>} : tensor<4x64xf32> -> tensor<4x64xi8>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{result element type 'i2' cannot hold 4-bit values}}
  %0 = lowbit.quantize %x scale %s : tensor<f32> {qconfig = #lowbit.qconfig<bits = 4, granularity = tensor>} : tensor<4x64xf32> -> tensor<4x64xi2>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{result shape must equal the input shape}}
  %0 = lowbit.quantize %x scale %s : tensor<f32> {qconfig = #lowbit.qconfig<bits = 8, granularity = tensor>} : tensor<4x64xf32> -> tensor<64x4xi8>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>) {
  // expected-error @+1 {{needs a qconfig with granularity token}}
  %0, %1 = lowbit.quantize_per_token %x {qconfig = #lowbit.qconfig<bits = 8>} : tensor<4x64xf32> -> tensor<4x64xi8>, tensor<4x1xf32>
  return
}

// -----

func.func @f(%x: tensor<f32>) {
  // expected-error @+1 {{input must have rank >= 1}}
  %0, %1 = lowbit.quantize_per_token %x {qconfig = #lowbit.qconfig<bits = 8, granularity = token>} : tensor<f32> -> tensor<i8>, tensor<f32>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>) {
  // expected-error @+1 {{result shape must equal the input shape}}
  %0, %1 = lowbit.quantize_per_token %x {qconfig = #lowbit.qconfig<bits = 8, granularity = token>} : tensor<4x64xf32> -> tensor<4x32xi8>, tensor<4x1xf32>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>) {
  // expected-error @+1 {{scale must have shape [4, 1] for granularity token; got [4]}}
  %0, %1 = lowbit.quantize_per_token %x {qconfig = #lowbit.qconfig<bits = 8, granularity = token>} : tensor<4x64xf32> -> tensor<4x64xi8>, tensor<4xf32>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>) {
  // expected-error @+1 {{an asymmetric qconfig needs a zero_point}}
  %0, %1 = lowbit.quantize_per_token %x {qconfig = #lowbit.qconfig<bits = 8, granularity = token, symmetric = false>} : tensor<4x64xf32> -> tensor<4x64xi8>, tensor<4x1xf32>
  return
}

// -----

func.func @f(%q: tensor<4x64xi4>, %s: tensor<f32>) {
  // expected-error @+1 {{input element type 'i4' cannot hold 8-bit values}}
  %0 = lowbit.dequantize %q scale %s : tensor<f32> {qconfig = #lowbit.qconfig<bits = 8, granularity = tensor>} : tensor<4x64xi4> -> tensor<4x64xf32>
  return
}

// -----

func.func @f(%q: tensor<4x64xi8>, %s: tensor<f32>) {
  // expected-error @+1 {{result shape must equal the input shape}}
  %0 = lowbit.dequantize %q scale %s : tensor<f32> {qconfig = #lowbit.qconfig<bits = 8, granularity = tensor>} : tensor<4x64xi8> -> tensor<4x32xf32>
  return
}

// -----

func.func @f(%q: tensor<4x64xi8>, %s: tensor<f32>) {
  // expected-error @+1 {{integer quantization needs 2 to 8 bits; got 0}}
  %0 = lowbit.dequantize %q scale %s : tensor<f32> {qconfig = #lowbit.qconfig<bits = 0, granularity = tensor>} : tensor<4x64xi8> -> tensor<4x64xf32>
  return
}

// -----

func.func @f(%x: tensor<4x72xf32>) {
  // expected-error @+1 {{no Hadamard matrix of order 36 is supported (powers of two, and (q + 1) * 2^k for primes q = 3 mod 4)}}
  %0 = lowbit.hadamard %x {size = 36 : i64} : tensor<4x72xf32>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>) {
  // expected-error @+1 {{seed must be non-negative}}
  %0 = lowbit.hadamard %x {size = 64 : i64, seed = -1 : i64} : tensor<4x64xf32>
  return
}

// -----

func.func @f(%x: tensor<f32>) {
  // expected-error @+1 {{input must have rank >= 1}}
  %0 = lowbit.hadamard %x {size = 1 : i64} : tensor<f32>
  return
}

// -----

func.func @f(%x: tensor<4x48xf32>) {
  // expected-error @+1 {{size 32 does not divide the last axis 48}}
  %0 = lowbit.hadamard %x {size = 32 : i64} : tensor<4x48xf32>
  return
}

// -----

func.func @f(%x: tensor<2x256xf32>, %p: tensor<64x512xi8>, %s: tensor<64x1xf32>) {
  // expected-error @+1 {{a packed weight needs 2 to 8 bits; got 16 (0 and 16 bits are not packed)}}
  %0 = lowbit.qlinear %x, %p scales %s {in_features = 256 : i64, weight_qconfig = #lowbit.qconfig<bits = 16>} : (tensor<2x256xf32>, tensor<64x512xi8>, tensor<64x1xf32>) -> tensor<2x64xf32>
  return
}

// -----

func.func @f(%x: tensor<2x256xf32>, %p: tensor<64x128xi8>, %s: tensor<f32>) {
  // expected-error @+1 {{weight_qconfig must use granularity channel or group}}
  %0 = lowbit.qlinear %x, %p scales %s {in_features = 256 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = tensor>} : (tensor<2x256xf32>, tensor<64x128xi8>, tensor<f32>) -> tensor<2x64xf32>
  return
}

// -----

func.func @f(%x: tensor<2x256xf32>, %p: tensor<64x128xi8>, %s: tensor<64x1xf32>) {
  // expected-error @+1 {{in_features must be positive; got 0}}
  %0 = lowbit.qlinear %x, %p scales %s {in_features = 0 : i64, weight_qconfig = #lowbit.qconfig<bits = 4>} : (tensor<2x256xf32>, tensor<64x128xi8>, tensor<64x1xf32>) -> tensor<2x64xf32>
  return
}

// -----

func.func @f(%x: tensor<2x256xf32>, %p: tensor<64x128xi8>, %s: tensor<64x2xf32>) {
  // expected-error @+1 {{group_size 96 does not divide in_features 256}}
  %0 = lowbit.qlinear %x, %p scales %s {in_features = 256 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 96>} : (tensor<2x256xf32>, tensor<64x128xi8>, tensor<64x2xf32>) -> tensor<2x64xf32>
  return
}

// -----

func.func @f(%x: tensor<2x256xf32>, %p: tensor<128xi8>, %s: tensor<64x2xf32>) {
  // expected-error @+1 {{packed must be [N, bytes per row]; got rank 1}}
  %0 = lowbit.qlinear %x, %p scales %s {in_features = 256 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<2x256xf32>, tensor<128xi8>, tensor<64x2xf32>) -> tensor<2x64xf32>
  return
}

// -----

func.func @f(%x: tensor<2x256xf32>, %p: tensor<64x64xi8>, %s: tensor<64x2xf32>) {
  // expected-error @+1 {{packed rows must hold 128 bytes for 256 codes of 4 bits; got 64}}
  %0 = lowbit.qlinear %x, %p scales %s {in_features = 256 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<2x256xf32>, tensor<64x64xi8>, tensor<64x2xf32>) -> tensor<2x64xf32>
  return
}

// -----

func.func @f(%x: tensor<2x256xf32>, %p: tensor<64x128xi8>, %s: tensor<64x1xf32>) {
  // expected-error @+1 {{scales must have shape [64, 2]; got [64, 1]}}
  %0 = lowbit.qlinear %x, %p scales %s {in_features = 256 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<2x256xf32>, tensor<64x128xi8>, tensor<64x1xf32>) -> tensor<2x64xf32>
  return
}

// -----

func.func @f(%x: tensor<2x256xf32>, %p: tensor<64x128xi8>, %s: tensor<64x2xf32>, %z: tensor<64x2xi8>) {
  // expected-error @+1 {{a symmetric weight config takes no zero_points}}
  %0 = lowbit.qlinear %x, %p scales %s zero_points %z {in_features = 256 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<2x256xf32>, tensor<64x128xi8>, tensor<64x2xf32>, tensor<64x2xi8>) -> tensor<2x64xf32>
  return
}

// -----

func.func @f(%x: tensor<2x256xf32>, %p: tensor<64x128xi8>, %s: tensor<64x2xf32>) {
  // expected-error @+1 {{an asymmetric weight config needs zero_points}}
  %0 = lowbit.qlinear %x, %p scales %s {in_features = 256 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128, symmetric = false>} : (tensor<2x256xf32>, tensor<64x128xi8>, tensor<64x2xf32>) -> tensor<2x64xf32>
  return
}

// -----

func.func @f(%x: tensor<2x256xf32>, %p: tensor<64x128xi8>, %s: tensor<64x2xf32>, %z: tensor<64x1xi8>) {
  // expected-error @+1 {{zero_points must have shape [64, 2]; got [64, 1]}}
  %0 = lowbit.qlinear %x, %p scales %s zero_points %z {in_features = 256 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128, symmetric = false>} : (tensor<2x256xf32>, tensor<64x128xi8>, tensor<64x2xf32>, tensor<64x1xi8>) -> tensor<2x64xf32>
  return
}

// -----

func.func @f(%x: tensor<2x256xf32>, %p: tensor<64x128xi8>, %s: tensor<64x2xf32>, %b: tensor<64xf16>) {
  // expected-error @+1 {{input, bias and result must share one element type; got 'f32' and 'f16'}}
  %0 = lowbit.qlinear %x, %p scales %s bias %b {in_features = 256 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<2x256xf32>, tensor<64x128xi8>, tensor<64x2xf32>, tensor<64xf16>) -> tensor<2x64xf32>
  return
}

// -----

func.func @f(%x: tensor<2x128xf32>, %p: tensor<64x128xi8>, %s: tensor<64x2xf32>) {
  // expected-error @+1 {{input feature size 128 differs from the weight's 256}}
  %0 = lowbit.qlinear %x, %p scales %s {in_features = 256 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<2x128xf32>, tensor<64x128xi8>, tensor<64x2xf32>) -> tensor<2x64xf32>
  return
}

// -----

func.func @f(%x: tensor<2x256xf32>, %p: tensor<64x128xi8>, %s: tensor<64x2xf32>, %b: tensor<32xf32>) {
  // expected-error @+1 {{bias must have shape [64]; got [32]}}
  %0 = lowbit.qlinear %x, %p scales %s bias %b {in_features = 256 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<2x256xf32>, tensor<64x128xi8>, tensor<64x2xf32>, tensor<32xf32>) -> tensor<2x64xf32>
  return
}

// -----

func.func @f(%x: tensor<2x256xf32>, %p: tensor<64x128xi8>, %s: tensor<64x2xf32>) {
  // expected-error @+1 {{act_qconfig must use granularity tensor or token}}
  %0 = lowbit.qlinear %x, %p scales %s {in_features = 256 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>, act_qconfig = #lowbit.qconfig<bits = 8, granularity = group, group_size = 32>} : (tensor<2x256xf32>, tensor<64x128xi8>, tensor<64x2xf32>) -> tensor<2x64xf32>
  return
}

// -----

func.func @qlinear_static_act_without_scale(%x: tensor<2x32xf32>, %p: tensor<4x32xi8>, %s: tensor<4x1xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'lowbit.qlinear' op a per-tensor act_qconfig needs an act_scale}}
  %0 = lowbit.qlinear %x, %p scales %s {in_features = 32 : i64, weight_qconfig = #lowbit.qconfig<bits = 8>, act_qconfig = #lowbit.qconfig<bits = 8, granularity = tensor>} : (tensor<2x32xf32>, tensor<4x32xi8>, tensor<4x1xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @qlinear_act_scale_per_token(%x: tensor<2x32xf32>, %p: tensor<4x32xi8>, %s: tensor<4x1xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'lowbit.qlinear' op act_scale and act_zero_point need an act_qconfig with granularity tensor}}
  %0 = lowbit.qlinear %x, %p scales %s {in_features = 32 : i64, weight_qconfig = #lowbit.qconfig<bits = 8>, act_qconfig = #lowbit.qconfig<bits = 8, granularity = token>, act_scale = 0.5 : f32} : (tensor<2x32xf32>, tensor<4x32xi8>, tensor<4x1xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @qlinear_act_zero_point_range(%x: tensor<2x32xf32>, %p: tensor<4x32xi8>, %s: tensor<4x1xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'lowbit.qlinear' op act_zero_point 8 is outside the signed 4-bit range}}
  %0 = lowbit.qlinear %x, %p scales %s {in_features = 32 : i64, weight_qconfig = #lowbit.qconfig<bits = 8>, act_qconfig = #lowbit.qconfig<bits = 4, granularity = tensor, symmetric = false>, act_scale = 0.5 : f32, act_zero_point = 8 : i64} : (tensor<2x32xf32>, tensor<4x32xi8>, tensor<4x1xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @linear_act_scale_negative(%x: tensor<2x32xf32>, %w: tensor<4x32xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'lowbit.linear' op act_scale must be finite and positive; got -1.000000e+00}}
  %0 = lowbit.linear %x, %w {act_qconfig = #lowbit.qconfig<bits = 8, granularity = tensor>, act_scale = -1.0 : f32} : (tensor<2x32xf32>, tensor<4x32xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
