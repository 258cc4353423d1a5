// RUN: lowbit-opt %s --lowbit-fake-quantize-weights=method=awq -split-input-file 2>/dev/null | FileCheck %s --check-prefix=AWQIR
// RUN: lowbit-opt %s --lowbit-fake-quantize-weights=method=awq -split-input-file 2>&1 >/dev/null | FileCheck %s --check-prefix=AWQ-REMARK
// RUN: lowbit-opt %s --lowbit-quantize-weights=method=gptq -split-input-file 2>/dev/null | FileCheck %s --check-prefix=GPTQ
// RUN: lowbit-opt %s --lowbit-quantize-weights=method=gptq -split-input-file 2>&1 >/dev/null | FileCheck %s --check-prefix=GPTQ-REMARK
// RUN: not lowbit-opt %s --lowbit-quantize-weights="method=gptq percdamp=-1" 2>&1 | FileCheck %s --check-prefix=BAD-DAMP
// RUN: not lowbit-opt %s --lowbit-quantize-weights="method=gptq block-size=0" 2>&1 | FileCheck %s --check-prefix=BAD-BLOCK
// RUN: not lowbit-opt %s --lowbit-fake-quantize-weights="method=awq awq-grid=0" 2>&1 | FileCheck %s --check-prefix=BAD-GRID

// BAD-DAMP: error: percdamp must be a finite value >= 0
// BAD-BLOCK: error: block-size must be at least 1
// BAD-GRID: error: awq-grid must be between 1 and 1000

// AWQ-REMARK: remark: loc("q"): AWQ: alpha = 0.211, scales in [0.73, 1.37] folded into 'norm'
// AWQ-REMARK: remark: loc("a"): AWQ: alpha = 0.211, scales in [0.73, 1.37] folded into 'ln'
// AWQ-REMARK: remark: loc("b"): AWQ: alpha = 0.211, scales in [0.73, 1.37] folded into 'prev'
// AWQ-REMARK: remark: loc("arg"): AWQ: the input is a function argument, so nothing can absorb the input scales; quantized with plain RTN
// AWQ-REMARK: remark: loc("relu"): AWQ: the input comes from 'act' (tosa.clamp), so nothing can absorb the input scales; quantized with plain RTN
// AWQ-REMARK: remark: loc("nogram"): AWQ: no calibration statistics with X^T X for 'nogram/input'; quantized with plain RTN
// AWQ-REMARK: remark: loc("unknown"): AWQ: no calibration statistics with X^T X for 'unknown/input'; quantized with plain RTN
// AWQ-REMARK: remark: loc("down"): AWQ: alpha = 0.211, scales in [0.73, 1.37] folded into 'up'
// AWQ-REMARK-NOT: remark:
// GPTQ-REMARK: remark: loc("nogram"): no X^T X recorded for 'nogram/input'; the weight is quantized with RTN
// GPTQ-REMARK: remark: loc("unknown"): no X^T X recorded for 'unknown/input'; the weight is quantized with RTN
// GPTQ-REMARK-NOT: remark:

// The calibration statistics below describe an input whose channel 2 is
// ten times larger than the others (mean |x| 6, X^T X / rows = 1.5 a^2).

// AWQ folds into an RMS norm that a residual connection also reads: the two
// linears that read the norm share one s and get their own copy of the
// norm, with gamma / s; the residual keeps the original norm. The outlier
// channel's weights are scaled up (s > 1), so its input is scaled down.
// AWQIR-LABEL: func.func @norm_with_residual
// AWQIR-SAME: (%[[X:.*]]: tensor<2x8xf32>)
// AWQIR: %[[G:.*]] = arith.constant dense<[1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00, 2.000000e+00]>
// AWQIR: %[[N:.*]] = lowbit.rms_norm %[[X]], %[[G]]
// AWQIR-NEXT: %[[G2:.*]] = arith.constant dense<[1.23096442, 1.2901721, 0.729540586, 1.18461108, 1.37072563, 1.23096442, 1.25857389, 2.41302204]>
// AWQIR-NEXT: %[[N2:.*]] = lowbit.rms_norm %[[X]], %[[G2]]
// AWQIR-NEXT: %[[WQ:.*]] = arith.constant dense_resource<q.fake_quant>
// AWQIR-NEXT: lowbit.linear %[[N2]], %[[WQ]] :
// AWQIR-NEXT: %[[WK:.*]] = arith.constant dense_resource<k.fake_quant>
// AWQIR-NEXT: lowbit.linear %[[N2]], %[[WK]] :
// AWQIR-NEXT: tosa.add %[[X]], %[[N]]
// GPTQ-LABEL: func.func @norm_with_residual
// GPTQ: lowbit.rms_norm
// GPTQ-NOT: lowbit.rms_norm
// GPTQ: lowbit.qlinear {{.*}}#lowbit.qconfig<bits = 4, granularity = group, group_size = 4>
// GPTQ: lowbit.qlinear {{.*}}#lowbit.qconfig<bits = 4, granularity = group, group_size = 4>
module attributes {lowbit.calibration = {"q/input" = {samples = 4 : i64, values_per_channel = 64 : i64, channel_axis = 1 : i64, min = -12.0 : f32, max = 12.0 : f32, histogram_max = 12.0 : f32, channel_min = dense<[-1.0, -0.8, -12.0, -1.2, -0.6, -1.0, -0.9, -1.1]> : tensor<8xf32>, channel_max = dense<[1.0, 0.8, 12.0, 1.2, 0.6, 1.0, 0.9, 1.1]> : tensor<8xf32>, mean_abs = dense<[0.5, 0.4, 6.0, 0.6, 0.3, 0.5, 0.45, 0.55]> : tensor<8xf32>, histogram = dense<[500, 10, 1, 1]> : tensor<4xi64>, gram = dense<[[0.375, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.24, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 54.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.54, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.135, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.375, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.30375, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.45375]]> : tensor<8x8xf32>}, "k/input" = {samples = 4 : i64, values_per_channel = 64 : i64, channel_axis = 1 : i64, min = -12.0 : f32, max = 12.0 : f32, histogram_max = 12.0 : f32, channel_min = dense<[-1.0, -0.8, -12.0, -1.2, -0.6, -1.0, -0.9, -1.1]> : tensor<8xf32>, channel_max = dense<[1.0, 0.8, 12.0, 1.2, 0.6, 1.0, 0.9, 1.1]> : tensor<8xf32>, mean_abs = dense<[0.5, 0.4, 6.0, 0.6, 0.3, 0.5, 0.45, 0.55]> : tensor<8xf32>, histogram = dense<[500, 10, 1, 1]> : tensor<4xi64>, gram = dense<[[0.375, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.24, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 54.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.54, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.135, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.375, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.30375, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.45375]]> : tensor<8x8xf32>}}} {
  func.func @norm_with_residual(%x: tensor<2x8xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x8xf32>) {
    %g = arith.constant dense<[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0]> : tensor<8xf32>
    %w = arith.constant dense<[[1.02046, -1.27783, 0.209049, -0.283885, -0.226325, -0.107799, -1.00999, -0.115966], [-0.432607, 1.6615, 0.112893, -0.176315, -0.140644, -0.334023, -0.527575, -0.1954], [0.240973, -0.119277, 0.478879, -0.0999011, 0.0121298, 0.77291, 0.272553, -0.252614], [-0.0914195, 0.270263, 0.967544, -0.13481, -0.121779, 0.501157, -0.44323, -0.14586]]> : tensor<4x8xf32>
    %n = lowbit.rms_norm %x, %g : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32> loc("norm")
    %q = lowbit.linear %n, %w {weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 4>} : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32> loc("q")
    %k = lowbit.linear %n, %w {weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 4>} : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32> loc("k")
    %r = tosa.add %x, %n : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
    return %q, %k, %r : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x8xf32>
  }
}

// -----

// A layer norm read only by the linear is changed in place, beta too; a
// previous linear that nothing else reads takes 1/s in its rows and bias.
// AWQIR-LABEL: func.func @layer_norm_and_linear
// AWQIR-NEXT: %[[GA:.*]] = arith.constant dense<[1.23096442, 1.2901721, 0.729540586, 1.18461108, 1.37072563, 1.23096442, 1.25857389, 1.20651102]>
// AWQIR-NEXT: %[[BA:.*]] = arith.constant dense<[0.615482211, 0.64508605, 0.364770293, 0.592305541, 0.685362816, 0.615482211, 0.629286944, 0.60325551]>
// AWQIR-NEXT: lowbit.layer_norm %{{.*}}, %[[GA]], %[[BA]]
// AWQIR-NOT: lowbit.layer_norm
// AWQIR: %[[P:.*]] = arith.constant dense_resource<prev.awq> : tensor<8x6xf32>
// AWQIR-NEXT: %[[B:.*]] = arith.constant dense<[1.23096442, 1.2901721, 0.729540586, 1.18461108, 1.37072563, 1.23096442, 1.25857389, 1.20651102]>
// AWQIR-NEXT: lowbit.linear %{{.*}}, %[[P]], %[[B]] :
// GPTQ-LABEL: func.func @layer_norm_and_linear
// GPTQ-COUNT-2: lowbit.qlinear
module attributes {lowbit.calibration = {"a/input" = {samples = 4 : i64, values_per_channel = 64 : i64, channel_axis = 1 : i64, min = -12.0 : f32, max = 12.0 : f32, histogram_max = 12.0 : f32, channel_min = dense<[-1.0, -0.8, -12.0, -1.2, -0.6, -1.0, -0.9, -1.1]> : tensor<8xf32>, channel_max = dense<[1.0, 0.8, 12.0, 1.2, 0.6, 1.0, 0.9, 1.1]> : tensor<8xf32>, mean_abs = dense<[0.5, 0.4, 6.0, 0.6, 0.3, 0.5, 0.45, 0.55]> : tensor<8xf32>, histogram = dense<[500, 10, 1, 1]> : tensor<4xi64>, gram = dense<[[0.375, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.24, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 54.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.54, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.135, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.375, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.30375, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.45375]]> : tensor<8x8xf32>}, "b/input" = {samples = 4 : i64, values_per_channel = 64 : i64, channel_axis = 1 : i64, min = -12.0 : f32, max = 12.0 : f32, histogram_max = 12.0 : f32, channel_min = dense<[-1.0, -0.8, -12.0, -1.2, -0.6, -1.0, -0.9, -1.1]> : tensor<8xf32>, channel_max = dense<[1.0, 0.8, 12.0, 1.2, 0.6, 1.0, 0.9, 1.1]> : tensor<8xf32>, mean_abs = dense<[0.5, 0.4, 6.0, 0.6, 0.3, 0.5, 0.45, 0.55]> : tensor<8xf32>, histogram = dense<[500, 10, 1, 1]> : tensor<4xi64>, gram = dense<[[0.375, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.24, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 54.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.54, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.135, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.375, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.30375, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.45375]]> : tensor<8x8xf32>}}} {
  func.func @layer_norm_and_linear(%x: tensor<2x8xf32>, %y: tensor<2x6xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
    %g = arith.constant dense<1.0> : tensor<8xf32>
    %beta = arith.constant dense<0.5> : tensor<8xf32>
    %w = arith.constant dense<[[1.02046, -1.27783, 0.209049, -0.283885, -0.226325, -0.107799, -1.00999, -0.115966], [-0.432607, 1.6615, 0.112893, -0.176315, -0.140644, -0.334023, -0.527575, -0.1954], [0.240973, -0.119277, 0.478879, -0.0999011, 0.0121298, 0.77291, 0.272553, -0.252614], [-0.0914195, 0.270263, 0.967544, -0.13481, -0.121779, 0.501157, -0.44323, -0.14586]]> : tensor<4x8xf32>
    %wp = arith.constant dense<[[0.441269, 0.290175, 0.0457584, 0.335052, -1.41408, 0.510653], [-0.479822, -0.83431, 0.138223, 0.350272, -0.222384, -0.538203], [0.0130624, -0.0263737, 0.702799, 0.373704, 0.0969078, 0.555817], [-0.102762, -0.46295, 0.292029, 0.291269, -0.107414, -0.391404], [0.114577, -1.24695, 0.345062, 0.245684, -0.819429, 0.0306768], [-0.48205, 0.378611, -1.01708, -0.457247, 0.35479, 0.578201], [-1.079, -0.24902, 0.16401, -0.304608, 0.79532, -0.595613], [0.177266, -0.524203, 0.702981, -0.0108256, -0.186125, -0.859092]]> : tensor<8x6xf32>
    %bp = arith.constant dense<1.0> : tensor<8xf32>
    %n = lowbit.layer_norm %x, %g, %beta : (tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x8xf32> loc("ln")
    %a = lowbit.linear %n, %w {weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 4>} : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32> loc("a")
    %h = lowbit.linear %y, %wp, %bp : (tensor<2x6xf32>, tensor<8x6xf32>, tensor<8xf32>) -> tensor<2x8xf32> loc("prev")
    %b = lowbit.linear %h, %w {weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 4>} : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32> loc("b")
    return %a, %b : tensor<2x4xf32>, tensor<2x4xf32>
  }
}

// -----

// Nothing can absorb scales on a function argument or after a ReLU; a
// layer without statistics is plain RTN (and RTN for GPTQ, with a remark).
// AWQIR-LABEL: func.func @no_absorber
// AWQIR-NOT: awq
// GPTQ-LABEL: func.func @no_absorber
// GPTQ-COUNT-3: lowbit.qlinear
module attributes {lowbit.calibration = {"arg/input" = {samples = 4 : i64, values_per_channel = 64 : i64, channel_axis = 1 : i64, min = -12.0 : f32, max = 12.0 : f32, histogram_max = 12.0 : f32, channel_min = dense<[-1.0, -0.8, -12.0, -1.2, -0.6, -1.0, -0.9, -1.1]> : tensor<8xf32>, channel_max = dense<[1.0, 0.8, 12.0, 1.2, 0.6, 1.0, 0.9, 1.1]> : tensor<8xf32>, mean_abs = dense<[0.5, 0.4, 6.0, 0.6, 0.3, 0.5, 0.45, 0.55]> : tensor<8xf32>, histogram = dense<[500, 10, 1, 1]> : tensor<4xi64>, gram = dense<[[0.375, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.24, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 54.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.54, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.135, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.375, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.30375, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.45375]]> : tensor<8x8xf32>}, "relu/input" = {samples = 4 : i64, values_per_channel = 64 : i64, channel_axis = 1 : i64, min = -12.0 : f32, max = 12.0 : f32, histogram_max = 12.0 : f32, channel_min = dense<[-1.0, -0.8, -12.0, -1.2, -0.6, -1.0, -0.9, -1.1]> : tensor<8xf32>, channel_max = dense<[1.0, 0.8, 12.0, 1.2, 0.6, 1.0, 0.9, 1.1]> : tensor<8xf32>, mean_abs = dense<[0.5, 0.4, 6.0, 0.6, 0.3, 0.5, 0.45, 0.55]> : tensor<8xf32>, histogram = dense<[500, 10, 1, 1]> : tensor<4xi64>, gram = dense<[[0.375, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.24, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 54.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.54, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.135, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.375, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.30375, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.45375]]> : tensor<8x8xf32>}, "nogram/input" = {samples = 4 : i64, values_per_channel = 64 : i64, channel_axis = 1 : i64, min = -12.0 : f32, max = 12.0 : f32, histogram_max = 12.0 : f32, channel_min = dense<[-1.0, -0.8, -12.0, -1.2, -0.6, -1.0, -0.9, -1.1]> : tensor<8xf32>, channel_max = dense<[1.0, 0.8, 12.0, 1.2, 0.6, 1.0, 0.9, 1.1]> : tensor<8xf32>, mean_abs = dense<[0.5, 0.4, 6.0, 0.6, 0.3, 0.5, 0.45, 0.55]> : tensor<8xf32>, histogram = dense<[500, 10, 1, 1]> : tensor<4xi64>}}} {
  func.func @no_absorber(%x: tensor<2x8xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) {
    %w = arith.constant dense<[[1.02046, -1.27783, 0.209049, -0.283885, -0.226325, -0.107799, -1.00999, -0.115966], [-0.432607, 1.6615, 0.112893, -0.176315, -0.140644, -0.334023, -0.527575, -0.1954], [0.240973, -0.119277, 0.478879, -0.0999011, 0.0121298, 0.77291, 0.272553, -0.252614], [-0.0914195, 0.270263, 0.967544, -0.13481, -0.121779, 0.501157, -0.44323, -0.14586]]> : tensor<4x8xf32>
    %a = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 4>} : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32> loc("arg")
    %r = tosa.clamp %x {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32} : (tensor<2x8xf32>) -> tensor<2x8xf32> loc("act")
    %b = lowbit.linear %r, %w {weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 4>} : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32> loc("relu")
    %s = tosa.sub %x, %x : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
    %c = lowbit.linear %s, %w {weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 4>} : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32> loc("nogram")
    %t = tosa.add %x, %x : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
    %d = lowbit.linear %t, %w {weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 4>} : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32> loc("unknown")
    return %a, %b, %c, %d : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>
  }
}

// -----

// SwiGLU: down_proj reads silu(gate) * up; up_proj's rows take 1/s.
// AWQIR-LABEL: func.func @gated_product
// AWQIR: %[[U:.*]] = arith.constant dense_resource<up.awq> : tensor<8x6xf32>
// AWQIR-NEXT: %[[UP:.*]] = lowbit.linear %{{.*}}, %[[U]] :
// AWQIR: tosa.mul %{{.*}}, %[[UP]]
// GPTQ-LABEL: func.func @gated_product
// GPTQ: lowbit.qlinear
module attributes {lowbit.calibration = {"down/input" = {samples = 4 : i64, values_per_channel = 64 : i64, channel_axis = 1 : i64, min = -12.0 : f32, max = 12.0 : f32, histogram_max = 12.0 : f32, channel_min = dense<[-1.0, -0.8, -12.0, -1.2, -0.6, -1.0, -0.9, -1.1]> : tensor<8xf32>, channel_max = dense<[1.0, 0.8, 12.0, 1.2, 0.6, 1.0, 0.9, 1.1]> : tensor<8xf32>, mean_abs = dense<[0.5, 0.4, 6.0, 0.6, 0.3, 0.5, 0.45, 0.55]> : tensor<8xf32>, histogram = dense<[500, 10, 1, 1]> : tensor<4xi64>, gram = dense<[[0.375, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.24, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 54.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.54, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.135, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.375, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.30375, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.45375]]> : tensor<8x8xf32>}}} {
  func.func @gated_product(%x: tensor<2x6xf32>) -> tensor<2x4xf32> {
    %wp = arith.constant dense<[[0.441269, 0.290175, 0.0457584, 0.335052, -1.41408, 0.510653], [-0.479822, -0.83431, 0.138223, 0.350272, -0.222384, -0.538203], [0.0130624, -0.0263737, 0.702799, 0.373704, 0.0969078, 0.555817], [-0.102762, -0.46295, 0.292029, 0.291269, -0.107414, -0.391404], [0.114577, -1.24695, 0.345062, 0.245684, -0.819429, 0.0306768], [-0.48205, 0.378611, -1.01708, -0.457247, 0.35479, 0.578201], [-1.079, -0.24902, 0.16401, -0.304608, 0.79532, -0.595613], [0.177266, -0.524203, 0.702981, -0.0108256, -0.186125, -0.859092]]> : tensor<8x6xf32>
    %w = arith.constant dense<[[1.02046, -1.27783, 0.209049, -0.283885, -0.226325, -0.107799, -1.00999, -0.115966], [-0.432607, 1.6615, 0.112893, -0.176315, -0.140644, -0.334023, -0.527575, -0.1954], [0.240973, -0.119277, 0.478879, -0.0999011, 0.0121298, 0.77291, 0.272553, -0.252614], [-0.0914195, 0.270263, 0.967544, -0.13481, -0.121779, 0.501157, -0.44323, -0.14586]]> : tensor<4x8xf32>
    %shift = arith.constant dense<0> : tensor<1xi8>
    %gate = lowbit.linear %x, %wp : (tensor<2x6xf32>, tensor<8x6xf32>) -> tensor<2x8xf32> loc("gate")
    %sig = tosa.sigmoid %gate : (tensor<2x8xf32>) -> tensor<2x8xf32>
    %up = lowbit.linear %x, %wp : (tensor<2x6xf32>, tensor<8x6xf32>) -> tensor<2x8xf32> loc("up")
    %act = tosa.mul %sig, %up, %shift : (tensor<2x8xf32>, tensor<2x8xf32>, tensor<1xi8>) -> tensor<2x8xf32>
    %d = lowbit.linear %act, %w {weight_qconfig = #lowbit.qconfig<bits = 4, granularity = group, group_size = 4>} : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32> loc("down")
    return %d : tensor<2x4xf32>
  }
}
