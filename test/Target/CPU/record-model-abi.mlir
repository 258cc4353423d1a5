// RUN: lowbit-opt %s --lowbit-cpu-record-model-abi --split-input-file --verify-diagnostics | FileCheck %s

// Names and dtypes come from the importer's attributes (an i8 tensor may be
// uint8), which then leave the signature; arguments become read-only.
// CHECK-LABEL: module attributes {lowbit.model_abi = {entry = "main", inputs = [{dtype = "float32", name = "pixels", shape = array<i64: 1, 3, 4, 4>}, {dtype = "uint8", name = "mask", shape = array<i64: 4>}], outputs = [{dtype = "float32", name = "logits", shape = array<i64: 1, 10>}, {dtype = "int64", name = "output1", shape = array<i64>}]}}
// CHECK: func.func @main(%{{.+}}: tensor<1x3x4x4xf32> {bufferization.writable = false}, %{{.+}}: tensor<4xi8> {bufferization.writable = false}) -> (tensor<1x10xf32>, tensor<i64>) attributes {llvm.emit_c_interface}
func.func @main(%x: tensor<1x3x4x4xf32> {lowbit.name = "pixels", lowbit.dtype = "float32"},
                %m: tensor<4xi8> {lowbit.name = "mask", lowbit.dtype = "uint8"})
    -> (tensor<1x10xf32> {lowbit.name = "logits", lowbit.dtype = "float32"}, tensor<i64>) {
  %y = arith.constant dense<0.0> : tensor<1x10xf32>
  %n = arith.constant dense<3> : tensor<i64>
  return %y, %n : tensor<1x10xf32>, tensor<i64>
}

// -----

// expected-error @+1 {{the module has no function 'main' to compile as the model}}
module {
  func.func private @main(%x: tensor<2xf32>) -> tensor<2xf32>
}

// -----

// expected-error @+1 {{input 'x' has type 'tensor<?xf32>'; a compiled model needs tensors of static shape}}
func.func @main(%x: tensor<?xf32> {lowbit.name = "x"}) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}

// -----

// expected-error @+1 {{input 'input0' has type 'memref<2xf32>'; a compiled model needs tensors of static shape}}
func.func @main(%x: memref<2xf32>) -> memref<2xf32> {
  return %x : memref<2xf32>
}

// -----

// expected-error @+1 {{input 'input0' has element type 'complex<f32>', which a compiled model cannot take or give}}
func.func @main(%x: tensor<2xcomplex<f32>>) -> tensor<2xf32> {
  %y = arith.constant dense<1.0> : tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

// A dtype that contradicts the element type.
// expected-error @+1 {{input 'ids' has element type 'i32', which a compiled model cannot take or give}}
func.func @main(%x: tensor<2xi32> {lowbit.name = "ids", lowbit.dtype = "int64"}) -> tensor<2xi32> {
  return %x : tensor<2xi32>
}
