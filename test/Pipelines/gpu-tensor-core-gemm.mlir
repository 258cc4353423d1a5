// RUN: lowbit-opt %s --lowbit-gpu-pipeline="format=isa chip=sm_90" | FileCheck %s
// RUN: lowbit-opt %s --lowbit-gpu-pipeline="format=isa chip=sm_80 features=+ptx70" | FileCheck %s
// RUN: lowbit-opt %s --lowbit-gpu-pipeline="format=isa tensor-cores=false" | FileCheck %s --check-prefix=OFF

// A W8A16 linear (per-channel scales) with 48 rows of x runs as the
// tensor-core GEMM, down to PTX for sm_90 and sm_80: the block takes the 3
// row tiles of 16, each warp its 2 n-tiles of 8 channels, so a step of 128
// values of K is 3 x 2 x 8 = 48 mma.sync; the third row of the grid (z)
// picks the rows. By default (tensor-core-f16-stages=2) the block's tiles of
// f16 x and of weight codes pass through two 16-byte aligned stages of
// shared memory, filled by cp.async (x rows past M with source size 0) and
// read by 16-byte shared loads after one wait and one barrier per step.
// CHECK-LABEL: .entry gemv_w8tc2_m48_n64_k1024_g1024_s32_mt3_st2
// CHECK: .shared .align 16 .b8 {{[^;]*}}[24576]
// CHECK: .shared .align 16 .b8 {{[^;]*}}[16384]
// CHECK: %ctaid.z
// CHECK: cp.async.cg.shared.global [{{[^;]*}}], 16, %r
// CHECK: cp.async.commit_group
// CHECK: cp.async.wait_group {{(\\09)?}}0;
// CHECK: bar.sync {{(\\09)?}}0;
// CHECK: ld.shared.v4.b32
// CHECK-COUNT-48: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// CHECK-NOT: mma.sync
// CHECK: ret;
func.func @main(%x: tensor<48x1024xf32>) -> tensor<48x64xf32> {
  %p = arith.constant dense<-3> : tensor<64x1024xi8>
  %s = arith.constant dense<0.01> : tensor<64x1xf32>
  %y = lowbit.qlinear %x, %p scales %s {in_features = 1024 : i64, weight_qconfig = #lowbit.qconfig<bits = 8>} : (tensor<48x1024xf32>, tensor<64x1024xi8>, tensor<64x1xf32>) -> tensor<48x64xf32>
  return %y : tensor<48x64xf32>
}

// With tensor-cores=false no generated kernel takes 48 rows: the generic
// lowering runs the layer.
// OFF-NOT: gemv_w8
// OFF: .entry
// OFF-NOT: gemv_w8
