// A half-precision linear layer with the weight and bias as inputs; the
// product accumulates in f32.
func.func @main(%x: tensor<6x40xf16> {lowbit.name = "x"}, %w: tensor<24x40xf16> {lowbit.name = "w"}, %b: tensor<24xf16> {lowbit.name = "b"}) -> (tensor<6x24xf16> {lowbit.name = "y"}) {
  %y = lowbit.linear %x, %w, %b : (tensor<6x40xf16>, tensor<24x40xf16>, tensor<24xf16>) -> tensor<6x24xf16>
  return %y : tensor<6x24xf16>
}
