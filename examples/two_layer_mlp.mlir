// A two-layer MLP in the lowbit dialect, as the ONNX importer produces it:
// weights in nn.Linear layout [out, in], node names as locations.
func.func @main(%x: tensor<1x64xf32>, %w1: tensor<256x64xf32>, %b1: tensor<256xf32>,
                %w2: tensor<10x256xf32>) -> tensor<1x10xf32> {
  %h = lowbit.linear %x, %w1, %b1 {weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 32>}
       : (tensor<1x64xf32>, tensor<256x64xf32>, tensor<256xf32>) -> tensor<1x256xf32> loc("/fc1/Gemm")
  %y = lowbit.linear %h, %w2 {weight_qconfig = #lowbit.qconfig<bits = 8>}
       : (tensor<1x256xf32>, tensor<10x256xf32>) -> tensor<1x10xf32> loc("/fc2/Gemm")
  return %y : tensor<1x10xf32>
}
