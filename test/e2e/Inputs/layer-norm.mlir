func.func @main(%x: tensor<2x5x48xf32> {lowbit.name = "x"}, %g: tensor<5x48xf32> {lowbit.name = "gamma"}, %b: tensor<5x48xf32> {lowbit.name = "beta"}) -> (tensor<2x5x48xf32> {lowbit.name = "y"}) {
  %y = lowbit.layer_norm %x, %g, %b {epsilon = 1.0e-3 : f32, axis = 1 : i64} : (tensor<2x5x48xf32>, tensor<5x48xf32>, tensor<5x48xf32>) -> tensor<2x5x48xf32>
  return %y : tensor<2x5x48xf32>
}
