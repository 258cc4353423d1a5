// RUN: lowbit-opt %s --lowbit-quantize-weights=method=gptq -split-input-file -verify-diagnostics
// RUN: lowbit-opt %s --lowbit-fake-quantize-weights=method=awq -split-input-file -verify-diagnostics

// Without calibration statistics GPTQ and AWQ refuse to run.
// expected-error @+1 {{needs calibration statistics (the lowbit.calibration module attribute); run lowbit-calibrate first}}
module {
  func.func @no_table(%x: tensor<2x8xf32>) -> tensor<2x4xf32> {
    %w = arith.constant dense<1.0> : tensor<4x8xf32>
    %y = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 4, granularity = channel>} : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32>
    return %y : tensor<2x4xf32>
  }
}

// -----

// A malformed entry is an error.
// expected-error @+1 {{malformed lowbit.calibration entry 'fc/input': bad or missing 'samples'}}
module attributes {lowbit.calibration = {"fc/input" = {min = 0.0 : f32}}} {
  func.func @malformed(%x: tensor<2x8xf32>) -> tensor<2x4xf32> {
    %w = arith.constant dense<1.0> : tensor<4x8xf32>
    %y = lowbit.linear %x, %w {weight_qconfig = #lowbit.qconfig<bits = 4, granularity = channel>} : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32> loc("fc")
    return %y : tensor<2x4xf32>
  }
}
