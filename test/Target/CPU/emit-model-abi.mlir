// RUN: lowbit-opt %s --lowbit-cpu-emit-model-abi --split-input-file --verify-diagnostics | FileCheck %s

// A [2, 3] input and a rank-0 output: each memref descriptor is built from
// the data pointer and the static shape, with row-major strides.
// CHECK-LABEL: module {
// CHECK: llvm.func hidden @__lowbit_model_invoke(%[[BUFFERS:.+]]: !llvm.ptr) {
// CHECK-NEXT: %[[SLOT0:.+]] = llvm.getelementptr %[[BUFFERS]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK-NEXT: %[[IN:.+]] = llvm.load %[[SLOT0]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT: %[[OFFSET:.+]] = llvm.mlir.constant(0 : i64) : i64
// CHECK-NEXT: %[[ROWS:.+]] = llvm.mlir.constant(2 : i64) : i64
// CHECK-NEXT: %[[COLS:.+]] = llvm.mlir.constant(3 : i64) : i64
// CHECK-NEXT: %[[ROW_STRIDE:.+]] = llvm.mlir.constant(3 : i64) : i64
// CHECK-NEXT: %[[COL_STRIDE:.+]] = llvm.mlir.constant(1 : i64) : i64
// CHECK-NEXT: %[[SLOT1:.+]] = llvm.getelementptr %[[BUFFERS]][1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK-NEXT: %[[OUT:.+]] = llvm.load %[[SLOT1]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT: %[[OUT_OFFSET:.+]] = llvm.mlir.constant(0 : i64) : i64
// CHECK-NEXT: llvm.call @main(%[[IN]], %[[IN]], %[[OFFSET]], %[[ROWS]], %[[COLS]], %[[ROW_STRIDE]], %[[COL_STRIDE]], %[[OUT]], %[[OUT]], %[[OUT_OFFSET]]) : (!llvm.ptr, !llvm.ptr, i64, i64, i64, i64, i64, !llvm.ptr, !llvm.ptr, i64) -> ()
// CHECK-NEXT: llvm.return
// The description: magic, size 70 ('F'), one input, one output; dtype 1
// (float32), rank 2, dims 2 and 3, name "x"; dtype 7 (int64), rank 0,
// name "count".
// CHECK: llvm.mlir.global external hidden constant @__lowbit_model_metadata("LOWBITM1F\00\00\00\00\00\00\00\01\00\00\00\01\00\00\00\01\00\00\00\02\00\00\00\02\00\00\00\00\00\00\00\03\00\00\00\00\00\00\00\01\00\00\00x\07\00\00\00\00\00\00\00\05\00\00\00count") {addr_space = 0 : i32, alignment = 8 : i64}
// CHECK-NOT: lowbit.model_abi
module attributes {lowbit.model_abi = {entry = "main", inputs = [{dtype = "float32", name = "x", shape = array<i64: 2, 3>}], outputs = [{dtype = "int64", name = "count", shape = array<i64>}]}} {
  llvm.func @main(%a: !llvm.ptr, %b: !llvm.ptr, %c: i64, %d: i64, %e: i64, %f: i64, %g: i64, %h: !llvm.ptr, %i: !llvm.ptr, %j: i64) {
    llvm.return
  }
}

// -----

// expected-error @+1 {{the module has no lowbit.model_abi attribute; run --lowbit-cpu-record-model-abi before bufferization}}
module {
}

// -----

// Results must have become out-params.
// expected-error @+1 {{expected the entry function 'main' lowered to LLVM with its results as out-params}}
module attributes {lowbit.model_abi = {entry = "main", inputs = [{dtype = "float32", name = "x", shape = array<i64: 2>}], outputs = [{dtype = "float32", name = "y", shape = array<i64: 2>}]}} {
  llvm.func @main(%a: !llvm.ptr, %b: !llvm.ptr, %c: i64, %d: i64, %e: i64) -> !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)> {
    %0 = llvm.mlir.poison : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>
    llvm.return %0 : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>
  }
}

// -----

// expected-error @+1 {{malformed lowbit.model_abi attribute}}
module attributes {lowbit.model_abi = {entry = "main", inputs = [{dtype = "float128", name = "x", shape = array<i64: 2>}], outputs = []}} {
}
