func.func @main(%x: tensor<1x2x5x6x4xf32> {lowbit.name = "x"}, %w: tensor<4x2x2x3x2xf32> {lowbit.name = "w"}, %b: tensor<4xf32> {lowbit.name = "b"}) -> (tensor<1x4x4x2x3xf32> {lowbit.name = "y"}) {
  %y = lowbit.conv %x, %w, %b {strides = array<i64: 1, 2, 1>, dilations = array<i64: 1, 1, 1>, pads = array<i64: 0, 0, 0, 0, 0, 0>} : (tensor<1x2x5x6x4xf32>, tensor<4x2x2x3x2xf32>, tensor<4xf32>) -> tensor<1x4x4x2x3xf32>
  return %y : tensor<1x4x4x2x3xf32>
}
