// RUN: lowbit-opt %s --lowbit-gpu-device-buffers -split-input-file -verify-diagnostics | FileCheck %s

// The input is copied to the device at entry, the output computed on the
// device and copied back at exit, the temporary allocated there and freed at
// exit; the constant is the runtime's resident device copy, viewed as 1-D
// for the call and in its shape after it.
// CHECK: func.func private @__lowbit_cuda_constant_f32(memref<?xf32>, i64) -> memref<?xf32> attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[X:.*]]: memref<4xf32>, %[[Y:.*]]: memref<4xf32>)
// CHECK: %[[DX:.*]] = gpu.alloc () : memref<4xf32>
// CHECK-NEXT: gpu.memcpy %[[DX]], %[[X]]
// CHECK-NEXT: %[[DY:.*]] = gpu.alloc () : memref<4xf32>
// CHECK-NOT: gpu.memcpy %[[DY]]
// CHECK: %[[W:.*]] = memref.get_global @w : memref<2x2xf32>
// CHECK: %[[WF:.*]] = memref.reinterpret_cast %[[W]] to offset: [0], sizes: [%{{.*}}], strides: [1] : memref<2x2xf32> to memref<?xf32>
// CHECK: %[[C4:.*]] = arith.constant 4 : i64
// CHECK: %[[DWF:.*]] = call @__lowbit_cuda_constant_f32(%[[WF]], %[[C4]]) : (memref<?xf32>, i64) -> memref<?xf32>
// CHECK: %[[DW:.*]] = memref.reinterpret_cast %[[DWF]] to offset: [0], sizes: [2, 2], strides: [2, 1] : memref<?xf32> to memref<2x2xf32>
// CHECK: %[[DT:.*]] = gpu.alloc () : memref<4xf32>
// CHECK: gpu.launch
// CHECK:   memref.load %[[DX]]
// CHECK:   memref.load %[[DW]]
// CHECK:   memref.store %{{.*}}, %[[DT]]
// CHECK:   memref.store %{{.*}}, %[[DY]]
// CHECK: gpu.memcpy %[[Y]], %[[DY]]
// CHECK-DAG: gpu.dealloc %[[DX]]
// CHECK-DAG: gpu.dealloc %[[DY]]
// CHECK-DAG: gpu.dealloc %[[DT]]
// CHECK-NOT: memref.alloc
// CHECK-NOT: memref.dealloc
// CHECK-NOT: gpu.dealloc %[[DW]]
// CHECK: return
module attributes {lowbit.model_abi = {entry = "main", inputs = [{dtype = "float32", name = "x", shape = array<i64: 4>}], outputs = [{dtype = "float32", name = "y", shape = array<i64: 4>}]}} {
  memref.global "private" constant @w : memref<2x2xf32> = dense<1.0>
  func.func @main(%x: memref<4xf32>, %y: memref<4xf32>) {
    %w = memref.get_global @w : memref<2x2xf32>
    %t = memref.alloc() : memref<4xf32>
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
               threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
      %a = memref.load %x[%tx] : memref<4xf32>
      %c0 = arith.constant 0 : index
      %b = memref.load %w[%c0, %c0] : memref<2x2xf32>
      %s = arith.addf %a, %b : f32
      memref.store %s, %t[%tx] : memref<4xf32>
      memref.store %s, %y[%tx] : memref<4xf32>
      gpu.terminator
    }
    memref.dealloc %t : memref<4xf32>
    return
  }
}

// -----

// Host code that reads a buffer would read GPU memory.
module attributes {lowbit.model_abi = {entry = "main", inputs = [{dtype = "float32", name = "x", shape = array<i64: 4>}], outputs = [{dtype = "float32", name = "y", shape = array<i64: 4>}]}} {
  func.func @main(%x: memref<4xf32>, %y: memref<4xf32>) {
    %c0 = arith.constant 0 : index
    // expected-error @+1 {{'memref.load' is left in host code and would access GPU memory from the host}}
    %v = memref.load %x[%c0] : memref<4xf32>
    memref.store %v, %y[%c0] : memref<4xf32>
    return
  }
}

// -----

// expected-error @+1 {{the module has no lowbit.model_abi attribute}}
module {
  func.func @main(%x: memref<4xf32>) {
    return
  }
}
