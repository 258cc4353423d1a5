// RUN: lowbit-opt %s --lowbit-lower-to-linalg --split-input-file --verify-diagnostics

func.func @dynamic(%x: tensor<?x4xf32>, %w: tensor<5x4xf32>) -> tensor<?x5xf32> {
  // expected-error @+1 {{'lowbit.linear' op needs static shapes to be compiled; fix the model's input shapes with --input-shape}}
  %y = lowbit.linear %x, %w : (tensor<?x4xf32>, tensor<5x4xf32>) -> tensor<?x5xf32>
  return %y : tensor<?x5xf32>
}

// -----

func.func @hadamard_dynamic(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  // expected-error @+1 {{'lowbit.hadamard' op needs static shapes to be compiled; fix the model's input shapes with --input-shape}}
  %y = lowbit.hadamard %x {size = 8 : i64, seed = 3 : i64} : tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// -----

func.func @qlinear_odd_k(%x: tensor<1x33xf32>) -> tensor<1x2xf32> {
  %p = arith.constant dense<1> : tensor<2x17xi8>
  %s = arith.constant dense<1.0> : tensor<2x1xf32>
  // expected-error @+1 {{'lowbit.qlinear' op cannot be compiled yet: 4-bit codes come in units of 2 and a scale covers 33 of them}}
  %y = lowbit.qlinear %x, %p scales %s {in_features = 33 : i64, weight_qconfig = #lowbit.qconfig<bits = 4>} : (tensor<1x33xf32>, tensor<2x17xi8>, tensor<2x1xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

func.func @fake_quant_codebook(%x: tensor<2x8xf32>, %s: tensor<2x1xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'lowbit.fake_quant' op only 2 to 8 bit integer quantization can be compiled}}
  %y = lowbit.fake_quant %x scale %s : tensor<2x1xf32> {qconfig = #lowbit.qconfig<bits = 4, format = nf4>} : tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}
