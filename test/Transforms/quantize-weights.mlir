// RUN: lowbit-opt %s --lowbit-quantize-weights -split-input-file -verify-diagnostics | FileCheck %s
// RUN: lowbit-opt %s --lowbit-quantize-weights=method=mse -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=MSE
// One clip candidate is the ratio 1: MSE clipping then gives exactly RTN.
// RUN: lowbit-opt %s --lowbit-quantize-weights="method=mse clip-candidates=1" -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=ONE
// RUN: not lowbit-opt %s --lowbit-quantize-weights=method=bogus 2>&1 | FileCheck %s --check-prefix=BAD-METHOD
// RUN: not lowbit-opt %s --lowbit-quantize-weights="method=mse clip-candidates=0" 2>&1 | FileCheck %s --check-prefix=BAD-CANDIDATES
// RUN: not lowbit-opt %s --lowbit-quantize-weights="method=mse min-clip-ratio=1.5" 2>&1 | FileCheck %s --check-prefix=BAD-RATIO

// BAD-METHOD: error: unknown method 'bogus'; expected rtn, mse, gptq or awq
// BAD-CANDIDATES: error: clip-candidates must be between 1 and 1000; got 0
// BAD-RATIO: error: min-clip-ratio must be in (0, 1]; got 1.5

// Expected codes, bytes and scales below come from
// Inputs/quantize_weights_reference.py, which re-derives them from the
// formulas documented in include/lowbit/Numerics.

// 4 bits, symmetric, groups of 4. Codes (z = 8):
//   row 0: 15 4 9 8 | 11 1 10 8   (-0.875 / 0.25 = -3.5 ties to -4)
//   row 1:  1 11 10 7 | 10 12 13 15
// Two 4-bit codes per byte, the first in the low nibble: 0x4F = 79, ...
// CHECK-LABEL: func.func @sym_group4_4bit
// CHECK-SAME: (%[[X:.*]]: tensor<3x8xf32>)
// CHECK-NEXT: %[[P:.*]] = arith.constant dense<{{\[\[}}79, -119, 27, -118], [-79, 122, -54, -3]]> : tensor<2x4xi8>
// CHECK-NEXT: %[[S:.*]] = arith.constant dense<{{\[\[}}2.500000e-01, 0.142857149], [0.285714298, 0.0571428575]]> : tensor<2x2xf32>
// CHECK-NEXT: %[[Q:.*]] = lowbit.qlinear %[[X]], %[[P]] scales %[[S]] {in_features = 8 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 4>} : (tensor<3x8xf32>, tensor<2x4xi8>, tensor<2x2xf32>) -> tensor<3x2xf32>
// CHECK-NEXT: return %[[Q]]
// CHECK-NOT: lowbit.linear
func.func @sym_group4_4bit(%x: tensor<3x8xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[1.75, -0.875, 0.25, 0.0, 0.5, -1.0, 0.3, 0.0625],
                             [-2.0, 1.0, 0.5, -0.25, 0.1, 0.2, 0.3, 0.4]]> : tensor<2x8xf32>
  %0 = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 4>}
       : (tensor<3x8xf32>, tensor<2x8xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// Asymmetric per channel: row 0 spans [-1, 2.5] (z = 4), row 1 is all
// positive, so its range is extended to 0 (z = 0). Bias, act_qconfig and
// a rank-3 input are carried over.
// CHECK-LABEL: func.func @asym_channel_4bit
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x8xf32>, %[[B:.*]]: tensor<2xf32>)
// CHECK-NEXT: %[[P:.*]] = arith.constant dense<{{\[\[}}32, 100, -88, -3], [66, -122, -71, -3]]> : tensor<2x4xi8>
// CHECK-NEXT: %[[S:.*]] = arith.constant dense<{{\[\[}}0.233333334], [0.0533333346]]> : tensor<2x1xf32>
// CHECK-NEXT: %[[Z:.*]] = arith.constant dense<{{\[\[}}4], [0]]> : tensor<2x1xi8>
// CHECK-NEXT: lowbit.qlinear %[[X]], %[[P]] scales %[[S]] zero_points %[[Z]] bias %[[B]] {act_qconfig = #lowbit.qconfig<bits = 8, granularity = token>, in_features = 8 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, symmetric = false>} : (tensor<1x3x8xf32>, tensor<2x4xi8>, tensor<2x1xf32>, tensor<2x1xi8>, tensor<2xf32>) -> tensor<1x3x2xf32>
func.func @asym_channel_4bit(%x: tensor<1x3x8xf32>, %b: tensor<2xf32>) -> tensor<1x3x2xf32> {
  %w = arith.constant dense<[[-1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5],
                             [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]]> : tensor<2x8xf32>
  %0 = lowbit.linear %x, %w, %b {weight_qconfig = #lowbit.qconfig<bits = 4, symmetric = false>,
                                 act_qconfig = #lowbit.qconfig<bits = 8, granularity = token>}
       : (tensor<1x3x8xf32>, tensor<2x8xf32>, tensor<2xf32>) -> tensor<1x3x2xf32>
  return %0 : tensor<1x3x2xf32>
}

// -----

// 3 bits: eight codes fill 3 bytes and codes straddle bytes. Row 1 is
// 7 6 5 4 3 2 1 6 (1.5 ties to 2): bits 111 011 101 001 110 010 100 011
// from the LSB give 0x77, 0x39, 0xC5 = 119, 57, -59.
// CHECK-LABEL: func.func @sym_channel_3bit
// CHECK-NEXT: %[[P:.*]] = arith.constant dense<{{\[\[}}-113, 71, -117], [119, 57, -59]]> : tensor<2x3xi8>
// CHECK-NEXT: %[[S:.*]] = arith.constant dense<{{\[\[}}1.000000e-01], [1.000000e+00]]> : tensor<2x1xf32>
// CHECK-NEXT: lowbit.qlinear %{{.*}}, %[[P]] scales %[[S]] {in_features = 8 : i64, weight_qconfig = #lowbit.qconfig<bits = 3>}
func.func @sym_channel_3bit(%x: tensor<3x8xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[0.3, -0.3, 0.2, -0.1, 0.0, 0.15, -0.25, 0.05],
                             [3.0, 2.0, 1.0, 0.0, -1.0, -2.0, -3.0, 1.5]]> : tensor<2x8xf32>
  %0 = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 3>}
       : (tensor<3x8xf32>, tensor<2x8xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// An all-negative row at 8 bits: the zero point is code 255, stored in i8
// as its bit pattern, -1. Codes 191 128 223 0.
// CHECK-LABEL: func.func @asym_channel_8bit_negative_row
// CHECK-NEXT: %[[P:.*]] = arith.constant dense<{{\[\[}}-65, -128, -33, 0]]> : tensor<1x4xi8>
// CHECK-NEXT: %[[S:.*]] = arith.constant dense<0.0156862754> : tensor<1x1xf32>
// CHECK-NEXT: %[[Z:.*]] = arith.constant dense<-1> : tensor<1x1xi8>
// CHECK-NEXT: lowbit.qlinear %{{.*}}, %[[P]] scales %[[S]] zero_points %[[Z]]
func.func @asym_channel_8bit_negative_row(%x: tensor<2x4xf32>) -> tensor<2x1xf32> {
  %w = arith.constant dense<[[-1.0, -2.0, -0.5, -4.0]]> : tensor<1x4xf32>
  %0 = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 8, symmetric = false>}
       : (tensor<2x4xf32>, tensor<1x4xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

// Per tensor: one scale (1.75 / 7) for both rows, stored per channel.
// CHECK-LABEL: func.func @per_tensor_4bit
// CHECK-NEXT: %[[P:.*]] = arith.constant dense<{{\[\[}}122, -120], [-49, -108]]> : tensor<2x2xi8>
// CHECK-NEXT: %[[S:.*]] = arith.constant dense<2.500000e-01> : tensor<2x1xf32>
// CHECK-NEXT: lowbit.qlinear %{{.*}}, %[[P]] scales %[[S]] {in_features = 4 : i64, weight_qconfig = #lowbit.qconfig<bits = 4>}
func.func @per_tensor_4bit(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense<[[0.5, -0.25, 0.125, 0.0], [1.75, 0.875, -1.0, 0.25]]> : tensor<2x4xf32>
  %0 = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 4, granularity = tensor>}
       : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// An outlier: RTN spends the 3-bit range on 1.5 (scale 0.5, codes
// 5 4 3 6 4 4 3 7); the MSE search clips to scale 0.4520202 (ratio
// 0.9040404), codes 5 5 3 6 3 4 3 7.
// CHECK-LABEL: func.func @clip_3bit
// CHECK-NEXT: arith.constant dense<{{\[\[}}-27, 76, -18]]> : tensor<1x3xi8>
// CHECK-NEXT: arith.constant dense<5.000000e-01> : tensor<1x1xf32>
// MSE-LABEL: func.func @clip_3bit
// MSE-NEXT: arith.constant dense<{{\[\[}}-19, 60, -18]]> : tensor<1x3xi8>
// MSE-NEXT: arith.constant dense<0.452020198> : tensor<1x1xf32>
// ONE-LABEL: func.func @clip_3bit
// ONE-NEXT: arith.constant dense<{{\[\[}}-27, 76, -18]]> : tensor<1x3xi8>
// ONE-NEXT: arith.constant dense<5.000000e-01> : tensor<1x1xf32>
func.func @clip_3bit(%x: tensor<2x8xf32>) -> tensor<2x1xf32> {
  %w = arith.constant dense<[[0.5, 0.25, -0.5, 0.75, -0.25, 0.125, -0.625, 1.5]]> : tensor<1x8xf32>
  %0 = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 3>}
       : (tensor<2x8xf32>, tensor<1x8xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

// An f16 weight in a dense_resource: [[1, -0.5, 0.25, 0.75],
// [0.1, 0.2, 0.3, -0.4]] as f16. Scales stay f32; activations stay f16.
// CHECK-LABEL: func.func @f16_resource_8bit
// CHECK-NEXT: %[[P:.*]] = arith.constant dense<{{\[\[}}-1, 64, -96, -33], [-96, -64, -33, 1]]> : tensor<2x4xi8>
// CHECK-NEXT: %[[S:.*]] = arith.constant dense<{{\[\[}}0.00787401571], [0.00314883725]]> : tensor<2x1xf32>
// CHECK-NEXT: lowbit.qlinear %{{.*}}, %[[P]] scales %[[S]] {{.*}} : (tensor<3x4xf16>, tensor<2x4xi8>, tensor<2x1xf32>) -> tensor<3x2xf16>
func.func @f16_resource_8bit(%x: tensor<3x4xf16>) -> tensor<3x2xf16> {
  %w = arith.constant dense_resource<f16_weight> : tensor<2x4xf16>
  %0 = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 8>}
       : (tensor<3x4xf16>, tensor<2x4xf16>) -> tensor<3x2xf16>
  return %0 : tensor<3x2xf16>
}

{-#
  dialect_resources: {
    builtin: {
      f16_weight: "0x02000000003C00B80034003A662E6632CD3466B6"
    }
  }
#-}

// -----

// 2 bits, one group of 8: scale 1, codes 2 2 3 3 1 2 2 2 -> 0xFA, 0xA9.
// CHECK-LABEL: func.func @two_bit_group8
// CHECK-NEXT: %[[P:.*]] = arith.constant dense<{{\[\[}}-6, -87]]> : tensor<1x2xi8>
// CHECK-NEXT: %[[S:.*]] = arith.constant dense<1.000000e+00> : tensor<1x1xf32>
// CHECK-NEXT: lowbit.qlinear %{{.*}}, %[[P]] scales %[[S]] {in_features = 8 : i64, weight_qconfig = #lowbit.qconfig<bits = 2, granularity = group, group_size = 8>}
func.func @two_bit_group8(%x: tensor<1x8xf32>) -> tensor<1x1xf32> {
  %w = arith.constant dense<[[0.25, -0.5, 0.75, 1.0, -1.0, 0.5, 0.0, -0.25]]> : tensor<1x8xf32>
  %0 = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 2, granularity = group, group_size = 8>}
       : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// -----

// Large results become dense_resource blobs named after the op: 0.5 is
// code 255 everywhere, the scale 0.5 / 127 is 0x3B810204.
// CHECK-LABEL: func.func @large
// CHECK-NEXT: %[[P:.*]] = arith.constant dense_resource<"/lm_head/MatMul.packed"> : tensor<64x512xi8>
// CHECK-NEXT: %[[S:.*]] = arith.constant dense_resource<"/lm_head/MatMul.scales"> : tensor<64x1xf32>
// CHECK-NEXT: lowbit.qlinear %{{.*}}, %[[P]] scales %[[S]] {in_features = 512 : i64, weight_qconfig = #lowbit.qconfig<bits = 8>}
// CHECK: "/lm_head/MatMul.packed": "0x01000000FFFFFFFFFFFFFFFF
// CHECK: "/lm_head/MatMul.scales": "0x040000000402813B0402813B
func.func @large(%x: tensor<1x512xf32>) -> tensor<1x64xf32> {
  %w = arith.constant dense<0.5> : tensor<64x512xf32>
  %0 = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 8>}
       : (tensor<1x512xf32>, tensor<64x512xf32>) -> tensor<1x64xf32> loc("/lm_head/MatMul")
  return %0 : tensor<1x64xf32>
}

// -----

// A weight shared with an unconfigured linear stays for that one.
// CHECK-LABEL: func.func @shared_weight
// CHECK: %[[W:.*]] = arith.constant dense<{{\[\[}}1.000000e+00, -2.000000e+00]]> : tensor<1x2xf32>
// CHECK: lowbit.qlinear
// CHECK: lowbit.linear %{{.*}}, %[[W]] :
func.func @shared_weight(%x: tensor<1x2xf32>) -> (tensor<1x1xf32>, tensor<1x1xf32>) {
  %w = arith.constant dense<[[1.0, -2.0]]> : tensor<1x2xf32>
  %0 = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 8>}
       : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x1xf32>
  %1 = lowbit.linear %x, %w : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x1xf32>
  return %0, %1 : tensor<1x1xf32>, tensor<1x1xf32>
}

// -----

// Pruned (0 bits), static shape, no bias: the result is zeros.
// CHECK-LABEL: func.func @pruned_static
// CHECK-NEXT: %[[Z:.*]] = arith.constant dense<0.000000e+00> : tensor<3x2xf32>
// CHECK-NEXT: return %[[Z]]
func.func @pruned_static(%x: tensor<3x4xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x4xf32>
  %0 = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 0>}
       : (tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// Pruned with a bias and dynamic rows: the bias broadcast over the rows.
// The weight need not be a constant.
// CHECK-LABEL: func.func @pruned_bias
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>, %[[W:.*]]: tensor<2x4xf32>, %[[B:.*]]: tensor<2xf32>)
// CHECK: %[[D:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x4xf32>
// CHECK-NEXT: %[[E:.*]] = tensor.empty(%[[D]]) : tensor<?x2xf32>
// CHECK-NEXT: %[[R:.*]] = linalg.broadcast ins(%[[B]] : tensor<2xf32>) outs(%[[E]] : tensor<?x2xf32>) dimensions = [0]
// CHECK-NEXT: return %[[R]]
func.func @pruned_bias(%x: tensor<?x4xf32>, %w: tensor<2x4xf32>, %b: tensor<2xf32>) -> tensor<?x2xf32> {
  %0 = lowbit.linear %x, %w, %b {weight_qconfig = #lowbit.qconfig<bits = 0>}
       : (tensor<?x4xf32>, tensor<2x4xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

// Left alone: no config, a 16-bit config, a convolution.
// CHECK-LABEL: func.func @unchanged
// CHECK-NOT: lowbit.qlinear
// CHECK: lowbit.linear
// CHECK: lowbit.linear {{.*}}bits = 16
// CHECK: lowbit.conv {{.*}}bits = 8
// CHECK-NOT: lowbit.qlinear
func.func @unchanged(%x: tensor<1x4xf32>, %img: tensor<1x2x4x4xf32>) -> (tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2x4x4xf32>) {
  %w = arith.constant dense<1.0> : tensor<2x4xf32>
  %0 = lowbit.linear %x, %w : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x2xf32>
  %1 = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 16>}
       : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x2xf32>
  %k = arith.constant dense<1.0> : tensor<2x2x1x1xf32>
  %2 = lowbit.conv %img, %k {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                             weight_qconfig = #lowbit.qconfig<bits = 8>}
       : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %0, %1, %2 : tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2x4x4xf32>
}

// -----

// Left alone with a remark: codebook formats, non-constant weights.
// CHECK-LABEL: func.func @remarks
// CHECK-NOT: lowbit.qlinear
func.func @remarks(%x: tensor<1x8xf32>, %v: tensor<2x8xf32>) -> (tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>) {
  %w = arith.constant dense<1.0> : tensor<2x8xf32>
  // expected-remark @+1 {{weight format nf4 is not supported yet; the weight stays in floating point}}
  %0 = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 4, format = nf4>}
       : (tensor<1x8xf32>, tensor<2x8xf32>) -> tensor<1x2xf32>
  // expected-remark @+1 {{weight format fp8_e4m3 is not supported yet; the weight stays in floating point}}
  %1 = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 8, format = fp8_e4m3>}
       : (tensor<1x8xf32>, tensor<2x8xf32>) -> tensor<1x2xf32>
  // expected-remark @+1 {{weight is not a constant; the weight stays in floating point}}
  %2 = lowbit.linear %x, %v {weight_qconfig = #lowbit.qconfig<bits = 4>}
       : (tensor<1x8xf32>, tensor<2x8xf32>) -> tensor<1x2xf32>
  return %0, %1, %2 : tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>
}

// -----

// CHECK-LABEL: func.func @f64_weight
// CHECK: lowbit.linear
func.func @f64_weight(%x: tensor<1x2xf64>) -> tensor<1x1xf64> {
  %w = arith.constant dense<[[1.0, 2.0]]> : tensor<1x2xf64>
  // expected-remark @+1 {{weight element type f64 is not supported (f32, f16 or bf16); the weight stays in floating point}}
  %0 = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 8>}
       : (tensor<1x2xf64>, tensor<1x2xf64>) -> tensor<1x1xf64>
  return %0 : tensor<1x1xf64>
}

// -----

func.func @nan_weight(%x: tensor<1x2xf32>) -> tensor<1x1xf32> {
  %w = arith.constant dense<[[1.0, 0x7FC00000]]> : tensor<1x2xf32>
  // expected-error @+1 {{weight holds a non-finite value (NaN or infinity)}}
  %0 = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 8>}
       : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// -----

// max - min overflows binary32, so no finite asymmetric scale exists.
func.func @huge_range(%x: tensor<1x2xf32>) -> tensor<1x1xf32> {
  %w = arith.constant dense<[[3.0e38, -3.0e38]]> : tensor<1x2xf32>
  // expected-error @+1 {{weight range is too wide for a finite scale}}
  %0 = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 8, symmetric = false>}
       : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// -----

func.func @truncated_resource(%x: tensor<1x4xf32>) -> tensor<1x1xf32> {
  %w = arith.constant dense_resource<short_weight> : tensor<1x4xf32>
  // expected-error @+1 {{weight resource holds 8 bytes but its type needs 16}}
  %0 = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 8>}
       : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

{-#
  dialect_resources: {
    builtin: {
      short_weight: "0x040000000000803F0000803F"
    }
  }
#-}

// -----

// A splat too large to expand is left, not materialized.
func.func @huge_splat(%x: tensor<1x65536xf32>) -> tensor<1x65536xf32> {
  %w = arith.constant dense<1.0> : tensor<65536x65536xf32>
  // expected-remark @+1 {{weight is too large to quantize; the weight stays in floating point}}
  %0 = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 8>}
       : (tensor<1x65536xf32>, tensor<65536x65536xf32>) -> tensor<1x65536xf32>
  return %0 : tensor<1x65536xf32>
}

// -----

// A resource without data (elided when printed) cannot be read.
// CHECK-LABEL: func.func @elided_resource
// CHECK: lowbit.linear
func.func @elided_resource(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense_resource<__elided__> : tensor<2x4xf32>
  // expected-remark @+1 {{weight resource holds no data; the weight stays in floating point}}
  %0 = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 4>}
       : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}
