func.func @main(%x: tensor<3x64xf32> {lowbit.name = "x"}, %g: tensor<64xf32> {lowbit.name = "gamma"}) -> (tensor<3x64xf32> {lowbit.name = "y"}) {
  %y = lowbit.rms_norm %x, %g {epsilon = 1.0e-5 : f32} : (tensor<3x64xf32>, tensor<64xf32>) -> tensor<3x64xf32>
  return %y : tensor<3x64xf32>
}
