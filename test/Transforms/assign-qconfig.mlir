// The 4-bit presets report the layers whose row length the group size does
// not divide; the other RUN lines drop those remarks.
// RUN: lowbit-opt %s --lowbit-assign-qconfig=preset=w4a16 -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=W4A16
// RUN: lowbit-opt %s --lowbit-assign-qconfig=preset=w4a4 -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=W4A4
// RUN: lowbit-opt %s --lowbit-assign-qconfig="preset=w4a16 group-size=0" -split-input-file 2>/dev/null | FileCheck %s --check-prefix=W4CH
// RUN: lowbit-opt %s --lowbit-assign-qconfig="preset=w4a16 group-size=32" -split-input-file 2>/dev/null | FileCheck %s --check-prefix=W4G32
// RUN: lowbit-opt %s --lowbit-assign-qconfig=preset=w8a8 -split-input-file 2>/dev/null | FileCheck %s --check-prefix=W8A8
// RUN: lowbit-opt %s --lowbit-assign-qconfig=preset=w8a16 -split-input-file 2>/dev/null | FileCheck %s --check-prefix=W8A16
// RUN: lowbit-opt %s --lowbit-assign-qconfig="preset=w8a8 overwrite=true" -split-input-file 2>/dev/null | FileCheck %s --check-prefix=OVER
// RUN: lowbit-opt %s --lowbit-assign-qconfig="preset=w8a16 keep-float=/l0/MatMul,/head/Gemm,/missing" -split-input-file -mlir-print-debuginfo -mlir-print-local-scope 2>/dev/null | FileCheck %s --check-prefix=KEEP
// RUN: lowbit-opt %s --lowbit-assign-qconfig="preset=w8a16 keep-float=/missing" -split-input-file 2>&1 >/dev/null | FileCheck %s --check-prefix=MISSING
// RUN: lowbit-opt %s --lowbit-assign-qconfig="preset=w8a16 skip-last=true" -split-input-file -mlir-print-debuginfo -mlir-print-local-scope 2>/dev/null | FileCheck %s --check-prefix=LAST
// RUN: lowbit-opt %s --lowbit-assign-qconfig="preset=w8a16 skip-last=true keep-float=/l0/MatMul overwrite=true" -split-input-file -mlir-print-debuginfo -mlir-print-local-scope 2>/dev/null | FileCheck %s --check-prefix=LAST-OVER
// RUN: not lowbit-opt %s --lowbit-assign-qconfig 2>&1 | FileCheck %s --check-prefix=NO-PRESET
// RUN: not lowbit-opt %s --lowbit-assign-qconfig=preset=w3a3 2>&1 | FileCheck %s --check-prefix=BAD-PRESET
// RUN: not lowbit-opt %s --lowbit-assign-qconfig="preset=w4a16 group-size=48" 2>&1 | FileCheck %s --check-prefix=BAD-GROUP
// RUN: not lowbit-opt %s --lowbit-assign-qconfig="preset=w4a16 group-size=-8" 2>&1 | FileCheck %s --check-prefix=BAD-GROUP-NEG

// NO-PRESET: error: a preset is required: preset=w8a8, w4a16, w4a4 or w8a16
// BAD-PRESET: error: unknown preset 'w3a3'; expected w8a8, w4a16, w4a4 or w8a16
// BAD-GROUP: error: group-size must be 0 (per channel) or a power of two >= 8; got 48
// BAD-GROUP-NEG: error: group-size must be 0 (per channel) or a power of two >= 8; got -8
// MISSING: warning: keep-float name '/missing' matches no lowbit.linear or lowbit.conv

// W4A16-LABEL: func.func @presets
// W4A16: lowbit.linear {{.*}} {weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>} : {{.*}}tensor<4x256xf32>
// W4A16: lowbit.linear {{.*}} {weight_qconfig = #lowbit.qconfig<bits = 4>} : {{.*}}tensor<4x96xf32>
// W4A16: lowbit.linear {{.*}} {weight_qconfig = #lowbit.qconfig<bits = 4>} : {{.*}}tensor<4x?xf32>
// W4A16: lowbit.conv
// W4A16-NOT: qconfig
// W4A16-SAME: -> tensor<1x2x4x4xf32>

// W4A4-LABEL: func.func @presets
// W4A4: lowbit.linear {{.*}} {act_qconfig = #lowbit.qconfig<bits = 4, granularity = token>, weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>}
// W4A4: lowbit.linear {{.*}} {act_qconfig = #lowbit.qconfig<bits = 4, granularity = token>, weight_qconfig = #lowbit.qconfig<bits = 4>}
// W4A4: lowbit.linear {{.*}} {act_qconfig = #lowbit.qconfig<bits = 4, granularity = token>, weight_qconfig = #lowbit.qconfig<bits = 4>}
// W4A4: lowbit.conv
// W4A4-NOT: qconfig
// W4A4-SAME: -> tensor<1x2x4x4xf32>

// W4CH-LABEL: func.func @presets
// W4CH-COUNT-3: lowbit.linear {{.*}} {weight_qconfig = #lowbit.qconfig<bits = 4>}

// 32 divides 256 and 96.
// W4G32-LABEL: func.func @presets
// W4G32-COUNT-2: lowbit.linear {{.*}} {weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 32>}
// W4G32: lowbit.linear {{.*}} {weight_qconfig = #lowbit.qconfig<bits = 4>}

// W8A8-LABEL: func.func @presets
// W8A8-COUNT-3: lowbit.linear {{.*}} {act_qconfig = #lowbit.qconfig<bits = 8, granularity = token>, weight_qconfig = #lowbit.qconfig<bits = 8>}
// W8A8: lowbit.conv {{.*}}, weight_qconfig = #lowbit.qconfig<bits = 8>}

// W8A16-LABEL: func.func @presets
// W8A16-COUNT-3: lowbit.linear {{.*}} {weight_qconfig = #lowbit.qconfig<bits = 8>} :
// W8A16: lowbit.conv
// W8A16-NOT: qconfig
// W8A16-SAME: -> tensor<1x2x4x4xf32>
func.func @presets(%x: tensor<2x256xf32>, %w: tensor<4x256xf32>, %y: tensor<2x96xf32>, %v: tensor<4x96xf32>,
                   %z: tensor<2x?xf32>, %u: tensor<4x?xf32>, %img: tensor<1x2x4x4xf32>, %k: tensor<2x2x1x1xf32>)
    -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<1x2x4x4xf32>) {
  %0 = lowbit.linear %x, %w : (tensor<2x256xf32>, tensor<4x256xf32>) -> tensor<2x4xf32>
  // expected-remark @+1 {{group size 128 does not divide the 96 input features; this layer gets per-channel weight scales}}
  %1 = lowbit.linear %y, %v : (tensor<2x96xf32>, tensor<4x96xf32>) -> tensor<2x4xf32>
  // expected-remark @+1 {{the input feature count is not static; this layer gets per-channel weight scales}}
  %2 = lowbit.linear %z, %u : (tensor<2x?xf32>, tensor<4x?xf32>) -> tensor<2x4xf32>
  %3 = lowbit.conv %img, %k {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}
       : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %0, %1, %2, %3 : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// Configs set by an earlier decision are kept attribute by attribute:
// w8a8 adds the activation config beside the 2-bit weight config. With
// overwrite=true the preset replaces both, and removes a config it does not
// set.
// W8A8-LABEL: func.func @existing
// W8A8: lowbit.linear {{.*}} {act_qconfig = #lowbit.qconfig<bits = 8, granularity = token>, weight_qconfig = #lowbit.qconfig<bits = 2>}
// W8A8: lowbit.linear {{.*}} {act_qconfig = #lowbit.qconfig<bits = 6, granularity = tensor>, weight_qconfig = #lowbit.qconfig<bits = 8>}
// OVER-LABEL: func.func @existing
// OVER-COUNT-2: lowbit.linear {{.*}} {act_qconfig = #lowbit.qconfig<bits = 8, granularity = token>, weight_qconfig = #lowbit.qconfig<bits = 8>}
// W8A16-LABEL: func.func @existing
// W8A16: lowbit.linear {{.*}} {weight_qconfig = #lowbit.qconfig<bits = 2>}
// W8A16: lowbit.linear {{.*}} {act_qconfig = #lowbit.qconfig<bits = 6, granularity = tensor>, weight_qconfig = #lowbit.qconfig<bits = 8>}
func.func @existing(%x: tensor<2x128xf32>, %w: tensor<4x128xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %0 = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 2>}
       : (tensor<2x128xf32>, tensor<4x128xf32>) -> tensor<2x4xf32>
  %1 = lowbit.linear %x, %w {act_qconfig = #lowbit.qconfig<bits = 6, granularity = tensor>}
       : (tensor<2x128xf32>, tensor<4x128xf32>) -> tensor<2x4xf32>
  return %0, %1 : tensor<2x4xf32>, tensor<2x4xf32>
}

// -----

// keep-float names come from the locations; skip-last keeps the last
// linear of each function; with overwrite=true a kept layer loses the
// configs it had.
// W8A16-LABEL: func.func @named
// W8A16-NEXT: lowbit.linear {{.*}} {weight_qconfig = #lowbit.qconfig<bits = 2>}
// W8A16-NEXT: lowbit.linear {{.*}} {weight_qconfig = #lowbit.qconfig<bits = 8>}
// W8A16-NEXT: lowbit.linear {{.*}} {weight_qconfig = #lowbit.qconfig<bits = 8>}
// KEEP-LABEL: func.func @named
// KEEP: lowbit.linear {{.*}} {weight_qconfig = #lowbit.qconfig<bits = 2>} : {{.*}} loc("/l0/MatMul")
// KEEP: lowbit.linear {{.*}} {weight_qconfig = #lowbit.qconfig<bits = 8>} : {{.*}} loc("/l1/MatMul")
// KEEP: lowbit.linear %{{[^{]*}} : {{.*}} loc("/head/Gemm")
// LAST-LABEL: func.func @named
// LAST: lowbit.linear {{.*}} {weight_qconfig = #lowbit.qconfig<bits = 2>} : {{.*}} loc("/l0/MatMul")
// LAST: lowbit.linear {{.*}} {weight_qconfig = #lowbit.qconfig<bits = 8>} : {{.*}} loc("/l1/MatMul")
// LAST: lowbit.linear %{{[^{]*}} : {{.*}} loc("/head/Gemm")
// LAST-OVER-LABEL: func.func @named
// LAST-OVER: lowbit.linear %{{[^{]*}} : {{.*}} loc("/l0/MatMul")
// LAST-OVER: lowbit.linear {{.*}} {weight_qconfig = #lowbit.qconfig<bits = 8>} : {{.*}} loc("/l1/MatMul")
// LAST-OVER: lowbit.linear %{{[^{]*}} : {{.*}} loc("/head/Gemm")
func.func @named(%x: tensor<2x128xf32>, %w: tensor<128x128xf32>) -> tensor<2x128xf32> {
  %0 = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 2>}
       : (tensor<2x128xf32>, tensor<128x128xf32>) -> tensor<2x128xf32> loc("/l0/MatMul")
  %1 = lowbit.linear %0, %w : (tensor<2x128xf32>, tensor<128x128xf32>) -> tensor<2x128xf32> loc("/l1/MatMul")
  %2 = lowbit.linear %1, %w : (tensor<2x128xf32>, tensor<128x128xf32>) -> tensor<2x128xf32> loc("/head/Gemm")
  return %2 : tensor<2x128xf32>
}
