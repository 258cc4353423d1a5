// Ops that need more than a mapped elementwise loop on the GPU: float
// remainder (libdevice's fmod, not a bare llvm.frem, which NVVM cannot
// lower), integer powers (a generated function copied into the kernel's
// module) and a reduction of a whole tensor to a scalar (a kernel of one
// thread). PTX needs no CUDA toolkit, so this runs everywhere.
// RUN: lowbit-opt %s --lowbit-gpu-pipeline="compile-to=kernels" | FileCheck %s --check-prefix=KERNELS
// RUN: lowbit-opt %s --lowbit-gpu-pipeline="format=isa" | FileCheck %s --check-prefix=PTX

// KERNELS-LABEL: func.func @main
// KERNELS: gpu.launch_func async {{.*}} @main_kernel::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c64, %c1, %c1)
// KERNELS: gpu.launch_func async {{.*}} @main_kernel_0::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c64, %c1, %c1)
// KERNELS: gpu.launch_func async {{.*}} @main_kernel_1::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c32, %c1, %c1)
// KERNELS: gpu.module @main_kernel {
// KERNELS:   arith.remf
// KERNELS: gpu.module @main_kernel_0 {
// KERNELS:   func.call @__mlir_math_ipowi_i32
// KERNELS:   func.func private @__mlir_math_ipowi_i32
// KERNELS: gpu.module @main_kernel_1 {
// KERNELS:   scf.for
// KERNELS:     arith.addf

// PTX-NOT: error
// PTX: gpu.binary @main_kernel {{ *}}[#gpu.object<{{.*}}.entry main_kernel
// PTX: gpu.binary @main_kernel_0 {{ *}}[#gpu.object<{{.*}}.entry main_kernel
// PTX: gpu.binary @main_kernel_1 {{ *}}[#gpu.object<{{.*}}.entry main_kernel

#id = affine_map<(d0) -> (d0)>
#scalar = affine_map<(d0) -> ()>
func.func @main(%a: tensor<64xf32>, %b: tensor<64xf32>, %n: tensor<64xi32>, %e: tensor<64xi32>) -> (tensor<64xf32>, tensor<64xi32>, tensor<f32>) {
  %r0 = tensor.empty() : tensor<64xf32>
  %rem = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]} ins(%a, %b : tensor<64xf32>, tensor<64xf32>) outs(%r0 : tensor<64xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %v = arith.remf %x, %y : f32
    linalg.yield %v : f32
  } -> tensor<64xf32>
  %p0 = tensor.empty() : tensor<64xi32>
  %pow = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]} ins(%n, %e : tensor<64xi32>, tensor<64xi32>) outs(%p0 : tensor<64xi32>) {
  ^bb0(%x: i32, %y: i32, %o: i32):
    %v = math.ipowi %x, %y : i32
    linalg.yield %v : i32
  } -> tensor<64xi32>
  %zero = arith.constant 0.0 : f32
  %s0 = tensor.empty() : tensor<f32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<f32>) -> tensor<f32>
  %sum = linalg.generic {indexing_maps = [#id, #scalar], iterator_types = ["reduction"]} ins(%a : tensor<64xf32>) outs(%s1 : tensor<f32>) {
  ^bb0(%x: f32, %o: f32):
    %v = arith.addf %o, %x : f32
    linalg.yield %v : f32
  } -> tensor<f32>
  return %rem, %pow, %sum : tensor<64xf32>, tensor<64xi32>, tensor<f32>
}
