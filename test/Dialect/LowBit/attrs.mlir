// Round trip of #lowbit.qconfig and #lowbit.layout in every form; parameters
// equal to their default are not printed.
// RUN: lowbit-opt %s | FileCheck %s

// CHECK-LABEL: func.func @qconfigs
// CHECK-SAME: a0 = #lowbit.qconfig<bits = 0>
// CHECK-SAME: a16 = #lowbit.qconfig<bits = 16>
// CHECK-SAME: chan = #lowbit.qconfig<bits = 8>
// CHECK-SAME: fp4 = #lowbit.qconfig<bits = 4, granularity = group, group_size = 32, format = fp4_e2m1>
// CHECK-SAME: fp8 = #lowbit.qconfig<bits = 8, format = fp8_e4m3>
// CHECK-SAME: g64 = #lowbit.qconfig<bits = 2, granularity = group, group_size = 64, symmetric = false>
// CHECK-SAME: i6 = #lowbit.qconfig<bits = 6, granularity = tensor>
// CHECK-SAME: layout = #lowbit.layout<k_major>
// CHECK-SAME: nf4 = #lowbit.qconfig<bits = 4, format = nf4>
func.func @qconfigs() attributes {
    a0 = #lowbit.qconfig<bits = 0>,
    a16 = #lowbit.qconfig<bits = 16>,
    g64 = #lowbit.qconfig<bits = 2, granularity = group, group_size = 64, symmetric = false>,
    i6 = #lowbit.qconfig<bits = 6, granularity = tensor, symmetric = true>,
    fp8 = #lowbit.qconfig<bits = 8, format = fp8_e4m3>,
    fp4 = #lowbit.qconfig<bits = 4, granularity = group, group_size = 32, format = fp4_e2m1>,
    nf4 = #lowbit.qconfig<bits = 4, format = nf4>,
    chan = #lowbit.qconfig<bits = 8, granularity = channel, group_size = 0, format = int>,
    layout = #lowbit.layout<k_major>} {
  return
}
