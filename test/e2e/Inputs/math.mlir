// Elementwise math in the TOSA form the importer produces.
func.func @main(%x: tensor<4x37xf32> {lowbit.name = "x"}) -> (tensor<4x37xf32> {lowbit.name = "erf"}, tensor<4x37xf32> {lowbit.name = "tanh"}, tensor<4x37xf32> {lowbit.name = "exp"}, tensor<4x37xf32> {lowbit.name = "sigmoid"}, tensor<4x37xf32> {lowbit.name = "reciprocal"}) {
  %erf = tosa.erf %x : (tensor<4x37xf32>) -> tensor<4x37xf32>
  %tanh = tosa.tanh %x : (tensor<4x37xf32>) -> tensor<4x37xf32>
  %exp = tosa.exp %x : (tensor<4x37xf32>) -> tensor<4x37xf32>
  %sigmoid = tosa.sigmoid %x : (tensor<4x37xf32>) -> tensor<4x37xf32>
  %reciprocal = tosa.reciprocal %x : (tensor<4x37xf32>) -> tensor<4x37xf32>
  return %erf, %tanh, %exp, %sigmoid, %reciprocal : tensor<4x37xf32>, tensor<4x37xf32>, tensor<4x37xf32>, tensor<4x37xf32>, tensor<4x37xf32>
}
