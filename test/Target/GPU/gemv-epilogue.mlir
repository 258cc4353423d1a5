// RUN: lowbit-opt %s --lowbit-gpu-qlinear-gemv="tensor-core-f16-x-min-rows=17" --lowbit-gpu-linear-gemv -split-input-file | FileCheck %s
// RUN: lowbit-opt %s --lowbit-gpu-qlinear-gemv="fuse-epilogues=false tensor-core-f16-x-min-rows=17" --lowbit-gpu-linear-gemv="fuse-epilogues=false" -split-input-file | FileCheck %s --check-prefix=OFF

// A SwiGLU's gate times up and a residual add after a qlinear: the kernel
// computes silu(gate) * up + r on each output before its store; up and r
// are kernel arguments after the weights, and the TOSA ops are gone.
// CHECK-LABEL: func.func @swiglu
// CHECK-SAME: (%{{.*}}: tensor<1x1024xf32>, %[[UP:.*]]: tensor<1x16xf32>, %[[R:.*]]: tensor<1x16xf32>)
// CHECK-DAG: %[[UPB:.*]] = bufferization.to_buffer %[[UP]] read_only : tensor<1x16xf32>
// CHECK-DAG: %[[RB:.*]] = bufferization.to_buffer %[[R]] read_only : tensor<1x16xf32>
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@[[NAME:gemv_w4_m1_n16_k1024_g128_s32_e[0-9a-f]+]] {{.*}} args({{.*}} : memref<16x8xf32>, %[[UPB]] : memref<1x16xf32>, %[[RB]] : memref<1x16xf32>, %{{.*}} : memref<1x16xf32>)
// CHECK-NOT: tosa.
// CHECK: return
// CHECK: gpu.func @[[NAME]](
// CHECK: gpu.barrier
// CHECK: scf.if
// CHECK: %[[UPV:.*]] = memref.load %{{.*}}[%{{.*}}, %{{.*}}] : memref<1x16xf32>
// CHECK: %[[RV:.*]] = memref.load %{{.*}}[%{{.*}}, %{{.*}}] : memref<1x16xf32>
// CHECK: %[[NEG:.*]] = arith.negf %[[P:.*]] : f32
// CHECK: %[[E:.*]] = math.exp %[[NEG]] : f32
// CHECK: %[[D:.*]] = arith.addf %{{.*}}, %[[E]] : f32
// CHECK: %[[SIG:.*]] = arith.divf %{{.*}}, %[[D]] : f32
// CHECK: %[[SILU:.*]] = arith.mulf %[[P]], %[[SIG]] : f32
// CHECK: %[[G:.*]] = arith.mulf %[[SILU]], %[[UPV]] : f32
// CHECK: %[[OUT:.*]] = arith.addf %[[RV]], %[[G]] : f32
// CHECK: memref.store %[[OUT]]
// OFF-LABEL: func.func @swiglu
// OFF: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4_m1_n16_k1024_g128_s32 {{.*}} args({{.*}} : memref<1x16xf32>)
// OFF: tosa.sigmoid
// OFF: tosa.mul
// OFF: tosa.mul
// OFF: tosa.add
module {
  func.func @swiglu(%x: tensor<1x1024xf32>, %up: tensor<1x16xf32>, %r: tensor<1x16xf32>) -> tensor<1x16xf32> {
    %p = "tosa.const"() <{values = dense<0> : tensor<16x512xi8>}> : () -> tensor<16x512xi8>
    %s = "tosa.const"() <{values = dense<1.0> : tensor<16x8xf32>}> : () -> tensor<16x8xf32>
    %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
    %0 = lowbit.qlinear %x, %p scales %s {in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<1x1024xf32>, tensor<16x512xi8>, tensor<16x8xf32>) -> tensor<1x16xf32>
    %1 = tosa.sigmoid %0 : (tensor<1x16xf32>) -> tensor<1x16xf32>
    %2 = tosa.mul %0, %1, %shift : (tensor<1x16xf32>, tensor<1x16xf32>, tensor<1xi8>) -> tensor<1x16xf32>
    %3 = tosa.mul %2, %up, %shift : (tensor<1x16xf32>, tensor<1x16xf32>, tensor<1xi8>) -> tensor<1x16xf32>
    %4 = tosa.add %r, %3 : (tensor<1x16xf32>, tensor<1x16xf32>) -> tensor<1x16xf32>
    return %4 : tensor<1x16xf32>
  }
}

// -----

// A value of the run read elsewhere ends it: the sigmoid's result is also
// returned, so only the sigmoid is fused and the add stays; a scalar
// constant (through a reshape) is an operand like any other.
// CHECK-LABEL: func.func @read_elsewhere
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@[[NAME:gemv_w4_m1_n16_k1024_g128_s32_e[0-9a-f]+]] {{.*}} args({{.*}} : memref<16x8xf32>, %{{.*}} : memref<1x16xf32>)
// CHECK: tosa.add
// CHECK: gpu.func @[[NAME]](
// CHECK: arith.constant 2.500000e-01 : f32
// CHECK: math.exp
// CHECK: %[[SIG:.*]] = arith.divf
// CHECK-NEXT: memref.store %[[SIG]]
module {
  func.func @read_elsewhere(%x: tensor<1x1024xf32>) -> (tensor<1x16xf32>, tensor<1x16xf32>) {
    %p = "tosa.const"() <{values = dense<0> : tensor<16x512xi8>}> : () -> tensor<16x512xi8>
    %s = "tosa.const"() <{values = dense<1.0> : tensor<16x8xf32>}> : () -> tensor<16x8xf32>
    %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
    %q = "tosa.const"() <{values = dense<0.25> : tensor<f32>}> : () -> tensor<f32>
    %qs = tosa.const_shape {values = dense<1> : tensor<2xindex>} : () -> !tosa.shape<2>
    %q2 = tosa.reshape %q, %qs : (tensor<f32>, !tosa.shape<2>) -> tensor<1x1xf32>
    %0 = lowbit.qlinear %x, %p scales %s {in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<1x1024xf32>, tensor<16x512xi8>, tensor<16x8xf32>) -> tensor<1x16xf32>
    %1 = tosa.mul %0, %q2, %shift : (tensor<1x16xf32>, tensor<1x1xf32>, tensor<1xi8>) -> tensor<1x16xf32>
    %2 = tosa.sigmoid %1 : (tensor<1x16xf32>) -> tensor<1x16xf32>
    %3 = tosa.add %2, %2 : (tensor<1x16xf32>, tensor<1x16xf32>) -> tensor<1x16xf32>
    return %2, %3 : tensor<1x16xf32>, tensor<1x16xf32>
  }
}

// -----

// K split across blocks: the partial sums are added after the kernel, so
// nothing is fused.
// CHECK-LABEL: func.func @split_k
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@gemv_w4tc2_m4_n16_k8192_g128_s32_w8_ks4 
// CHECK: linalg.generic
// CHECK: tosa.add
module {
  func.func @split_k(%x: tensor<4x8192xf32>, %p: tensor<16x4096xi8>, %s: tensor<16x64xf32>, %r: tensor<4x16xf32>) -> tensor<4x16xf32> {
    %0 = lowbit.qlinear %x, %p scales %s {in_features = 8192 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<4x8192xf32>, tensor<16x4096xi8>, tensor<16x64xf32>) -> tensor<4x16xf32>
    %1 = tosa.add %0, %r : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
    return %1 : tensor<4x16xf32>
  }
}

// -----

// The tensor-core kernel (4 rows) and the f32 GEMV take an epilogue too:
// a ReLU (clamp) after each, applied before the store.
// CHECK-LABEL: func.func @relu
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@[[TC:gemv_w4tc2_m4_n16_k1024_g128_s32_e[0-9a-f]+]]
// CHECK: gpu.launch_func @lowbit_gemv_kernels::@[[F:gemv_f32_m4_n16_k256_e[0-9a-f]+]]
// CHECK-NOT: tosa.clamp
// CHECK: gpu.func @[[TC]](
// CHECK: nvgpu.mma.sync
// CHECK: %[[MIN:.*]] = arith.minimumf %{{.*}}, %{{.*}} : f32
// CHECK: %[[MAX:.*]] = arith.maximumf %[[MIN]], %{{.*}} : f32
// CHECK: memref.store %[[MAX]]
// CHECK: gpu.func @[[F]](
// CHECK: arith.minimumf
// CHECK: arith.maximumf
// CHECK: memref.store
module {
  func.func @relu(%x: tensor<4x1024xf32>, %p: tensor<16x512xi8>, %s: tensor<16x8xf32>, %w: tensor<16x256xf32>, %v: tensor<4x256xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
    %0 = lowbit.qlinear %x, %p scales %s {in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<4x1024xf32>, tensor<16x512xi8>, tensor<16x8xf32>) -> tensor<4x16xf32>
    %1 = tosa.clamp %0 {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32} : (tensor<4x16xf32>) -> tensor<4x16xf32>
    %2 = lowbit.linear %v, %w : (tensor<4x256xf32>, tensor<16x256xf32>) -> tensor<4x16xf32>
    %3 = tosa.clamp %2 {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32} : (tensor<4x16xf32>) -> tensor<4x16xf32>
    return %1, %3 : tensor<4x16xf32>, tensor<4x16xf32>
  }
}
