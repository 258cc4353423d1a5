func.func @main(%x: tensor<7x100xf32> {lowbit.name = "x"}, %g: tensor<100xf32> {lowbit.name = "gamma"}) -> (tensor<7x100xf32> {lowbit.name = "y"}) {
  %y = lowbit.layer_norm %x, %g : (tensor<7x100xf32>, tensor<100xf32>) -> tensor<7x100xf32>
  return %y : tensor<7x100xf32>
}
