// PTX needs no CUDA toolkit, so these run everywhere:
// RUN: lowbit-opt %s --lowbit-gpu-pipeline="format=isa fuse-epilogues=false" | FileCheck %s --check-prefixes=HOST,SM90 --implicit-check-not=ftz
// RUN: lowbit-opt %s --lowbit-gpu-pipeline="chip=sm_80 features=+ptx70 format=isa fuse-epilogues=false" | FileCheck %s --check-prefixes=HOST,SM80 --implicit-check-not=ftz
// RUN: lowbit-opt %s --lowbit-gpu-pipeline="compile-to=kernels fuse-epilogues=false" | FileCheck %s --check-prefix=KERNELS
// RUN: lowbit-opt %s --lowbit-gpu-pipeline="compile-to=kernels" | FileCheck %s --check-prefix=FUSED
// RUN: lowbit-opt %s --lowbit-gpu-pipeline="format=isa" | FileCheck %s --check-prefix=FUSEDPTX

// A small-batch 4-bit linear followed by an elementwise op, as the weight
// quantizer leaves them: the linear runs as the generated GEMV, the ReLU as
// a mapped elementwise kernel, or by default in the GEMV before its store.

// FUSED-LABEL: func.func @main
// FUSED: gpu.launch_func async {{.*}} @lowbit_gemv_kernels::@gemv_w4_m1_n16_k1024_g128_s32_e{{[0-9a-f]+}}
// FUSED-NOT: gpu.launch_func
// FUSED: gpu.memcpy async
// FUSED-NOT: gpu.module @main_kernel
// FUSEDPTX-NOT: gpu.binary @main_kernel
// FUSEDPTX: gpu.binary @lowbit_gemv_kernels
// FUSEDPTX-SAME: shfl.sync.bfly.b32
// FUSEDPTX-SAME: max.NaN.f32

// The kernels phase: buffers on the device, one stream for the whole run.
// KERNELS-LABEL: func.func @main
// KERNELS: gpu.wait async
// KERNELS: gpu.alloc async
// KERNELS: gpu.memcpy async
// KERNELS: gpu.launch_func async {{.*}} @lowbit_gemv_kernels::@gemv_w4_m1_n16_k1024_g128_s32
// KERNELS: gpu.launch_func async {{.*}} @main_kernel::@main_kernel
// KERNELS: gpu.memcpy async
// KERNELS: gpu.dealloc async
// KERNELS: gpu.wait [
// KERNELS: gpu.module @main_kernel
// KERNELS:   arith.maximumf
// KERNELS: gpu.module @lowbit_gemv_kernels

// The host side calls the runtime, the kernels are PTX for the chip.
// HOST-LABEL: llvm.func @main(
// HOST: llvm.call @mgpuStreamCreate()
// HOST: llvm.call @mgpuMemAlloc(
// HOST: llvm.call @mgpuMemcpy(
// HOST: gpu.launch_func <%{{.*}} : !llvm.ptr> @lowbit_gemv_kernels::@gemv_w4_m1_n16_k1024_g128_s32
// HOST: llvm.call @mgpuStreamSynchronize(
// HOST: gpu.binary @main_kernel
// HOST-SAME: max.NaN.f32
// SM90: gpu.binary @lowbit_gemv_kernels  [#gpu.object<#nvvm.target<O = 3, chip = "sm_90", features = "+ptx80">, {{.*}}assembly = "{{.*}}.version 8.0{{.*}}.target sm_90
// SM80: gpu.binary @lowbit_gemv_kernels  [#gpu.object<#nvvm.target<O = 3, chip = "sm_80", features = "+ptx70">, {{.*}}assembly = "{{.*}}.version 7.0{{.*}}.target sm_80
// HOST-SAME: ld.global.v4.b32
// HOST-SAME: shfl.sync.bfly.b32
// HOST-SAME: bar.sync
// HOST: llvm.func hidden @__lowbit_model_invoke(
// HOST: llvm.mlir.global external hidden constant @__lowbit_model_metadata(
// HOST-NOT: memref.
// HOST-NOT: scf.
// HOST-NOT: builtin.unrealized_conversion_cast

func.func @main(%x: tensor<1x1024xf32> {lowbit.name = "x"}) -> (tensor<1x16xf32> {lowbit.name = "y"}) {
  %p = arith.constant dense<-103> : tensor<16x512xi8>
  %s = arith.constant dense<0.25> : tensor<16x8xf32>
  %0 = lowbit.qlinear %x, %p scales %s {in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : (tensor<1x1024xf32>, tensor<16x512xi8>, tensor<16x8xf32>) -> tensor<1x16xf32>
  %1 = tosa.clamp %0 {min_val = 0.0 : f32, max_val = 3.4028235e+38 : f32} : (tensor<1x16xf32>) -> tensor<1x16xf32>
  return %1 : tensor<1x16xf32>
}
