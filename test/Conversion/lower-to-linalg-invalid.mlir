// RUN: lowbit-opt %s --lowbit-lower-to-linalg --split-input-file --verify-diagnostics

func.func @dynamic(%x: tensor<?x4xf32>, %w: tensor<5x4xf32>) -> tensor<?x5xf32> {
  // expected-error @+1 {{'lowbit.linear' op needs static shapes to be compiled; fix the model's input shapes with --input-shape}}
  %y = lowbit.linear %x, %w : (tensor<?x4xf32>, tensor<5x4xf32>) -> tensor<?x5xf32>
  return %y : tensor<?x5xf32>
}

// -----

func.func @no_lowering(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'lowbit.hadamard' op cannot be compiled for the CPU yet: it has no lowering to linalg}}
  %y = lowbit.hadamard %x {size = 8 : i64, seed = 3 : i64} : tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}
