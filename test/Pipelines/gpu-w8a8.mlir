// RUN: lowbit-opt %s --lowbit-gpu-pipeline="format=isa chip=sm_90" | FileCheck %s
// RUN: lowbit-opt %s --lowbit-gpu-pipeline="format=isa chip=sm_80 features=+ptx70" | FileCheck %s
// RUN: lowbit-opt %s --lowbit-gpu-pipeline="format=isa tensor-cores=false" | FileCheck %s --check-prefix=OFF

// A W8A8 linear (per-token activation codes, symmetric 8-bit weights per
// channel) with 20 rows of x, down to PTX for sm_90 and sm_80: two
// generated kernels and no generic ones. The integer tensor-core kernel
// stages its tiles in shared memory (16-byte aligned): the 4 warps form a
// 2 x 2 grid (a single block of 64 channels would leave the GPU idle),
// each one row tile of 16 and 2 n-tiles of 8 (a block: 32 rows, 32
// channels). Each stage of 128 values of K, in two parts of 64, is two
// 16-byte cp.async of x codes and two of weight codes per thread (x rows
// past M zero-filled by a source size of 0); three stages start before the
// loop, and each step waits for all but the 2 youngest groups, meets the
// barrier, starts the next stage, and reads 16 bytes of shared memory per
// row and part for 2 x 2 x 1 x 2 = 8 mma.sync m16n8k32 on signed bytes.
// CHECK-NOT: gpu.binary @main_kernel
// CHECK: gpu.binary @lowbit_gemv_kernels
// CHECK-LABEL: .entry gemv_w8tc2_m20_n64_k1024_g1024_s32_a8_mt1_wm2_st4_sk128
// CHECK: .shared .align 16 .b8 {{[^[]*}}[16384];
// CHECK: .shared .align 16 .b8 {{[^[]*}}[16384];
// CHECK-COUNT-3: cp.async.commit_group;
// CHECK: cp.async.wait_group{{[^;]*}}2;
// CHECK: bar.sync{{[^;]*}}0;
// CHECK-COUNT-4: cp.async.cg.shared.global [{{[^]]*}}], [{{[^]]*}}], 16, %r{{[0-9]+}};
// CHECK: cp.async.commit_group;
// CHECK: ld.shared.v4.b32
// CHECK: xor.b32 {{[^;]*}}-2139062144
// CHECK-COUNT-8: mma.sync.aligned.m16n8k32.row.col.satfinite.s32.s8.s8.s32
// CHECK-NOT: mma.sync
// CHECK: cp.async.wait_group{{[^;]*}}0;
// CHECK-NOT: ld.global.v4
// CHECK: cvt.rn.f32.s32
// CHECK: ret;
// Before it, one block per row quantizes x: IEEE division by the row's
// scale and rounding to nearest even, as on the CPU; 4 codes per store.
// CHECK: .entry quantize_per_token_r20_w1024_b8
// CHECK: shfl.sync.bfly
// CHECK: div.rn.f32
// CHECK: cvt.rni.f32.f32
// CHECK: st.global.b32
func.func @main(%x: tensor<20x1024xf32>) -> tensor<20x64xf32> {
  %p = arith.constant dense<-3> : tensor<64x1024xi8>
  %s = arith.constant dense<0.01> : tensor<64x1xf32>
  %y = lowbit.qlinear %x, %p scales %s {act_qconfig = #lowbit.qconfig<bits = 8, granularity = token>, in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 8>} : (tensor<20x1024xf32>, tensor<64x1024xi8>, tensor<64x1xf32>) -> tensor<20x64xf32>
  return %y : tensor<20x64xf32>
}

// With tensor-cores=false the generic lowering runs the layer.
// OFF-NOT: gemv_w8
// OFF: .entry
// OFF-NOT: gemv_w8
