func.func @main(%x: tensor<2xf32> {lowbit.name = "x"}) -> (tensor<2xf32> {lowbit.name = "a/b"}, tensor<2xf32> {lowbit.name = "a_b"}) {
  return %x, %x : tensor<2xf32>, tensor<2xf32>
}
