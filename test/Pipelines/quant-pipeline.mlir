// RUN: lowbit-opt %s --split-input-file --lowbit-quant-pipeline="preset=w8a8" | FileCheck %s --check-prefix=W8A8
// RUN: lowbit-opt %s --split-input-file --lowbit-quant-pipeline="preset=w4a16 group-size=32" | FileCheck %s --check-prefix=W4A16
// RUN: lowbit-opt %s --split-input-file --lowbit-quant-pipeline="preset=w8a8 fake=true" | FileCheck %s --check-prefix=FAKE
// RUN: lowbit-opt %s --split-input-file --lowbit-quant-pipeline | FileCheck %s --check-prefix=NONE

// W8A8-LABEL: func.func @mlp
// W8A8: lowbit.qlinear %arg0, %{{.*}} scales %{{.*}} bias %{{.*}} {act_qconfig = #lowbit.qconfig<bits = 8, granularity = token>, in_features = 64 : i64, weight_qconfig = #lowbit.qconfig<bits = 8>} : (tensor<2x64xf32>, tensor<16x64xi8>, tensor<16x1xf32>, tensor<16xf32>) -> tensor<2x16xf32>
// W4A16-LABEL: func.func @mlp
// W4A16: lowbit.qlinear %arg0, %{{.*}} scales %{{.*}} bias %{{.*}} {in_features = 64 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 32>} : (tensor<2x64xf32>, tensor<16x32xi8>, tensor<16x2xf32>, tensor<16xf32>) -> tensor<2x16xf32>
// FAKE-LABEL: func.func @mlp
// FAKE: %[[F:.*]] = lowbit.fake_quant %arg0 {qconfig = #lowbit.qconfig<bits = 8, granularity = token>}
// FAKE: lowbit.linear %[[F]], %{{.*}}, %{{.*}} : (tensor<2x64xf32>, tensor<16x64xf32>, tensor<16xf32>) -> tensor<2x16xf32>
// FAKE-NOT: qconfig
// NONE-LABEL: func.func @mlp
// NONE: lowbit.linear %arg0, %{{.*}}, %{{.*}} : (
func.func @mlp(%x: tensor<2x64xf32>) -> tensor<2x16xf32> {
  %w = arith.constant dense<0.5> : tensor<16x64xf32>
  %b = arith.constant dense<0.25> : tensor<16xf32>
  %y = lowbit.linear %x, %w, %b : (tensor<2x64xf32>, tensor<16x64xf32>, tensor<16xf32>) -> tensor<2x16xf32>
  return %y : tensor<2x16xf32>
}
