func.func @main(%x: tensor<1x4x7x6xf32> {lowbit.name = "x"}, %w: tensor<6x2x3x2xf32> {lowbit.name = "w"}) -> (tensor<1x6x7x3xf32> {lowbit.name = "y"}) {
  %y = lowbit.conv %x, %w {strides = array<i64: 1, 2>, dilations = array<i64: 2, 1>, pads = array<i64: 2, 0, 2, 1>, group = 2 : i64} : (tensor<1x4x7x6xf32>, tensor<6x2x3x2xf32>) -> tensor<1x6x7x3xf32>
  return %y : tensor<1x6x7x3xf32>
}
