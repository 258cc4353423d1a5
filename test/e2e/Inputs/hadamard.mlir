func.func @main(%a: tensor<2x8xf32> {lowbit.name = "a"}, %b: tensor<3x24xf32> {lowbit.name = "b"}, %c: tensor<2x2x32xf32> {lowbit.name = "c"}, %d: tensor<4x64xf16> {lowbit.name = "d"}, %e: tensor<2x40xf32> {lowbit.name = "e"}, %f: tensor<2x96xf32> {lowbit.name = "f"}) -> (tensor<2x8xf32> {lowbit.name = "a_rot"}, tensor<3x24xf32> {lowbit.name = "b_rot"}, tensor<2x2x32xf32> {lowbit.name = "c_rot"}, tensor<4x64xf16> {lowbit.name = "d_rot"}, tensor<2x40xf32> {lowbit.name = "e_rot"}, tensor<2x96xf32> {lowbit.name = "f_rot"}) {
  %ra = lowbit.hadamard %a {size = 8 : i64} : tensor<2x8xf32>
  %rb = lowbit.hadamard %b {size = 12 : i64, seed = 7 : i64} : tensor<3x24xf32>
  %rc = lowbit.hadamard %c {size = 16 : i64, seed = 5 : i64} : tensor<2x2x32xf32>
  %rd = lowbit.hadamard %d {size = 64 : i64, seed = 1 : i64} : tensor<4x64xf16>
  %re = lowbit.hadamard %e {size = 20 : i64, seed = 3 : i64} : tensor<2x40xf32>
  %rf = lowbit.hadamard %f {size = 48 : i64, seed = 2 : i64} : tensor<2x96xf32>
  return %ra, %rb, %rc, %rd, %re, %rf : tensor<2x8xf32>, tensor<3x24xf32>, tensor<2x2x32xf32>, tensor<4x64xf16>, tensor<2x40xf32>, tensor<2x96xf32>
}
