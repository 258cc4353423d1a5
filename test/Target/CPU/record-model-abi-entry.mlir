// RUN: lowbit-opt %s --lowbit-cpu-record-model-abi=entry=forward | FileCheck %s

// Without the importer's attributes: positional names, dtypes from the
// element types; other functions are left alone.
// CHECK-LABEL: module attributes {lowbit.model_abi = {entry = "forward", inputs = [{dtype = "bool", name = "input0", shape = array<i64: 2>}, {dtype = "float16", name = "input1", shape = array<i64: 2>}], outputs = [{dtype = "bfloat16", name = "output0", shape = array<i64: 2>}]}}
// CHECK: func.func @other(%{{.+}}: tensor<2xf32>) -> tensor<2xf32> {
// CHECK: func.func @forward(%{{.+}}: tensor<2xi1> {bufferization.writable = false}, %{{.+}}: tensor<2xf16> {bufferization.writable = false}) -> tensor<2xbf16> attributes {llvm.emit_c_interface}
module {
  func.func @other(%x: tensor<2xf32>) -> tensor<2xf32> {
    return %x : tensor<2xf32>
  }
  func.func @forward(%b: tensor<2xi1>, %h: tensor<2xf16>) -> tensor<2xbf16> {
    %y = arith.constant dense<1.0> : tensor<2xbf16>
    return %y : tensor<2xbf16>
  }
}

