func.func @main(%x: tensor<?x4xf32> {lowbit.name = "tokens"}) -> tensor<?x4xf32> {
  return %x : tensor<?x4xf32>
}
