func.func @main(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %y = lowbit.hadamard %x {size = 8 : i64} : tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}
