// RUN: lowbit-opt %s --lowbit-cpu-pipeline=compile-to=linalg | FileCheck %s --check-prefix=LINALG
// RUN: lowbit-opt %s --lowbit-cpu-pipeline | FileCheck %s --check-prefix=LLVM
// RUN: lowbit-opt %s --lowbit-cpu-pipeline="vectorize=false" | FileCheck %s --check-prefix=SCALAR

// A linear layer followed by a TOSA elementwise op, as the importer makes it.

// The linalg phase: lowbit and TOSA ops are gone, the bias feeds the
// accumulator, elementwise ops are fused.
// LINALG: module attributes {lowbit.model_abi = {entry = "main", inputs = [{dtype = "float32", name = "x", shape = array<i64: 4, 32>}], outputs = [{dtype = "float32", name = "y", shape = array<i64: 4, 16>}]}}
// LINALG-LABEL: func.func @main
// LINALG: linalg.matmul
// LINALG: linalg.generic
// LINALG:   arith.maximumf
// LINALG-NOT: tosa.
// LINALG-NOT: lowbit.

// The LLVM phase: only the LLVM dialect is left; the result is written into
// the caller's buffer (an out-param), with vector FMAs for the product.
// LLVM-LABEL: llvm.func @main(
// LLVM-SAME: %{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64)
// LLVM-SAME: attributes {llvm.emit_c_interface}
// LLVM: llvm.intr.fmuladd({{.*}}) : (vector<16xf32>, vector<16xf32>, vector<16xf32>) -> vector<16xf32>
// LLVM: llvm.func @_mlir_ciface_main(
// LLVM: llvm.func hidden @__lowbit_model_invoke(
// LLVM: llvm.mlir.global external hidden constant @__lowbit_model_metadata(
// LLVM-NOT: memref.
// LLVM-NOT: vector.
// LLVM-NOT: linalg.
// LLVM-NOT: builtin.unrealized_conversion_cast

// SCALAR-LABEL: llvm.func @main(
// SCALAR-NOT: vector<
// SCALAR: llvm.fmul {{.*}} : f32
// SCALAR: llvm.func hidden @__lowbit_model_invoke(
func.func @main(%x: tensor<4x32xf32> {lowbit.name = "x", lowbit.dtype = "float32"}) -> (tensor<4x16xf32> {lowbit.name = "y", lowbit.dtype = "float32"}) {
  %w = arith.constant dense<0.125> : tensor<16x32xf32>
  %b = arith.constant dense<-1.0> : tensor<16xf32>
  %h = lowbit.linear %x, %w, %b : (tensor<4x32xf32>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %y = tosa.clamp %h {min_val = 0.0 : f32, max_val = 3.4028235e+38 : f32} : (tensor<4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}
