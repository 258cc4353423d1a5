// What the importer makes of Inputs/conv2d.onnxtext (weights as inputs).
func.func @main(%x: tensor<2x3x11x9xf32> {lowbit.name = "x"}, %w: tensor<8x3x3x3xf32> {lowbit.name = "w"}, %b: tensor<8xf32> {lowbit.name = "b"}) -> (tensor<2x8x6x5xf32> {lowbit.name = "y"}) {
  %y = lowbit.conv %x, %w, %b {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<2x3x11x9xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<2x8x6x5xf32>
  return %y : tensor<2x8x6x5xf32>
}
