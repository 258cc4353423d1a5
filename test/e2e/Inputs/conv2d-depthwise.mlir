func.func @main(%x: tensor<1x5x8x8xf32> {lowbit.name = "x"}, %w: tensor<5x1x3x3xf32> {lowbit.name = "w"}, %b: tensor<5xf32> {lowbit.name = "b"}) -> (tensor<1x5x8x8xf32> {lowbit.name = "y"}) {
  %y = lowbit.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 5 : i64} : (tensor<1x5x8x8xf32>, tensor<5x1x3x3xf32>, tensor<5xf32>) -> tensor<1x5x8x8xf32>
  return %y : tensor<1x5x8x8xf32>
}
