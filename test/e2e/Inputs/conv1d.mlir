func.func @main(%x: tensor<3x4x20xf32> {lowbit.name = "x"}, %w: tensor<16x4x3xf32> {lowbit.name = "w"}) -> (tensor<3x16x18xf32> {lowbit.name = "y"}) {
  %y = lowbit.conv %x, %w {strides = array<i64: 1>, dilations = array<i64: 2>, pads = array<i64: 2, 0>} : (tensor<3x4x20xf32>, tensor<16x4x3xf32>) -> tensor<3x16x18xf32>
  return %y : tensor<3x16x18xf32>
}
