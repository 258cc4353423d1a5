// RUN: lowbit-opt %s --lowbit-gpu-map-to-blocks -split-input-file | FileCheck %s
// RUN: lowbit-opt %s --pass-pipeline="builtin.module(func.func(lowbit-gpu-map-to-blocks,gpu-map-parallel-loops),convert-parallel-loops-to-gpu,canonicalize)" -split-input-file | FileCheck %s --check-prefix=LAUNCH
// RUN: not lowbit-opt %s --lowbit-gpu-map-to-blocks=threads-per-block=2048 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: error: threads-per-block must be in [1, 1024], got 2048

// A 2-D loop becomes one loop over 4 * 300 = 1200 indices, tiled by 256
// with a bounds check; the original indices are recovered by div/rem.
// CHECK-LABEL: func.func @collapse_and_tile
// CHECK: %[[N0:.*]] = arith.muli %{{.*}}, %{{.*}} : index
// CHECK: %[[N:.*]] = arith.muli %[[N0]], %{{.*}} : index
// CHECK: %[[C256:.*]] = arith.constant 256 : index
// CHECK: %[[STEP:.*]] = arith.muli %{{.*}}, %[[C256]] : index
// CHECK: scf.parallel (%[[B:.*]]) = (%{{.*}}) to (%[[N]]) step (%[[STEP]])
// CHECK:   scf.parallel (%[[T:.*]]) = (%{{.*}}) to (%[[STEP]])
// CHECK:     arith.cmpi ult, %{{.*}}, %[[N]] : index
// CHECK:     scf.if
// CHECK:       arith.remsi
// CHECK:       arith.divsi
// CHECK:       memref.load
// CHECK:       memref.store
// CHECK-NOT: scf.parallel
// Mapped and converted as in the GPU pipeline: 5 blocks of 256 threads.
// LAUNCH-LABEL: func.func @collapse_and_tile
// LAUNCH-DAG: %[[C5:.*]] = arith.constant 5 : index
// LAUNCH-DAG: %[[C256:.*]] = arith.constant 256 : index
// LAUNCH: gpu.launch blocks(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C5]], %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C256]],
func.func @collapse_and_tile(%a: memref<4x300xf32>, %b: memref<4x300xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c300 = arith.constant 300 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c300) step (%c1, %c1) {
    %v = memref.load %a[%i, %j] : memref<4x300xf32>
    memref.store %v, %b[%i, %j] : memref<4x300xf32>
  }
  return
}

// -----

// A short loop gets a block of whole warps no larger than it.
// CHECK-LABEL: func.func @short_loop
// CHECK: %[[C64:.*]] = arith.constant 64 : index
// CHECK: %[[STEP:.*]] = arith.muli %{{.*}}, %[[C64]] : index
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step (%[[STEP]])
// CHECK:   scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[STEP]])
// LAUNCH-LABEL: func.func @short_loop
// LAUNCH: %[[C64:.*]] = arith.constant 64 : index
// LAUNCH: gpu.launch {{.*}} threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C64]],
func.func @short_loop(%a: memref<40xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c40 = arith.constant 40 : index
  %f = arith.constant 1.0 : f32
  scf.parallel (%i) = (%c0) to (%c40) step (%c1) {
    memref.store %f, %a[%i] : memref<40xf32>
  }
  return
}

// -----

// A reduction of a whole tensor to a scalar is sequential host-side work:
// it becomes a kernel of one thread (a one-iteration loop, tiled like any
// other), the constant that is defined inside the run is moved before it,
// and the buffer plumbing (alloc, copy) stays on the host.
// CHECK-LABEL: func.func @sequential_reduction
// CHECK: memref.alloc
// CHECK: memref.copy
// CHECK: arith.constant 5 : index
// CHECK: scf.parallel
// CHECK:   scf.parallel
// CHECK:     scf.if
// CHECK:       scf.for
// CHECK:         memref.load %arg0
// CHECK:         memref.store
// CHECK: return
// One block of 32 threads, of which one does the work.
// LAUNCH-LABEL: func.func @sequential_reduction
// LAUNCH: gpu.launch blocks({{.*}}) in (%{{.*}} = %c1{{.*}}) threads({{.*}}) in (%{{.*}} = %c32
// LAUNCH: scf.for
func.func @sequential_reduction(%a: memref<5xf32>, %init: memref<f32>) -> memref<f32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %acc = memref.alloc() : memref<f32>
  memref.copy %init, %acc : memref<f32> to memref<f32>
  %c5 = arith.constant 5 : index
  scf.for %i = %c0 to %c5 step %c1 {
    %x = memref.load %a[%i] : memref<5xf32>
    %s = memref.load %acc[] : memref<f32>
    %y = arith.addf %s, %x : f32
    memref.store %y, %acc[] : memref<f32>
  }
  return %acc : memref<f32>
}

// -----

// A loaded scalar that later code uses stays on the host (DeviceBuffers
// reports it): nothing is wrapped.
// CHECK-LABEL: func.func @escaping_load
// CHECK-NEXT: %[[V:.*]] = memref.load
// CHECK-NEXT: %[[W:.*]] = arith.addf %[[V]], %[[V]]
// CHECK-NEXT: return %[[W]]
func.func @escaping_load(%a: memref<f32>) -> f32 {
  %v = memref.load %a[] : memref<f32>
  %w = arith.addf %v, %v : f32
  return %w : f32
}

// -----

// A scalar read from an input and used by a parallel loop is read inside
// the loop instead (host code may not read GPU memory); a scalar read from
// a buffer the function writes stays where it is.
// CHECK-LABEL: func.func @sink_scalar_load
// CHECK-NOT: memref.load %arg1
// CHECK: scf.parallel
// CHECK:   scf.parallel
// CHECK:     %[[K:.*]] = memref.load %arg1[] : memref<i64>
// CHECK:     arith.cmpi sle, %{{.*}}, %[[K]]
// CHECK-LABEL: func.func @keep_written_load
// CHECK: memref.store
// CHECK-NEXT: memref.load %{{.*}}[] : memref<i64>
// CHECK: scf.parallel
// CHECK-NOT: memref.load
func.func @sink_scalar_load(%a: memref<8xi64>, %k: memref<i64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %kv = memref.load %k[] : memref<i64>
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %x = memref.load %a[%i] : memref<8xi64>
    %le = arith.cmpi sle, %x, %kv : i64
    %y = arith.select %le, %x, %kv : i64
    memref.store %y, %a[%i] : memref<8xi64>
  }
  return
}
func.func @keep_written_load(%a: memref<8xi64>, %v: i64) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %b = memref.alloc() : memref<i64>
  memref.store %v, %b[] : memref<i64>
  %kv = memref.load %b[] : memref<i64>
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    memref.store %kv, %a[%i] : memref<8xi64>
  }
  return
}
