//===- Passes.td - lowbit analysis passes ------------------*- tablegen -*-===//

#ifndef LOWBIT_ANALYSIS_PASSES_TD
#define LOWBIT_ANALYSIS_PASSES_TD

include "mlir/Pass/PassBase.td"

def LowerObserversToCallsPass
    : Pass<"lowbit-lower-observers-to-calls", "mlir::ModuleOp"> {
  let summary = "Turn calibration probes into calls that hand the probed "
                "tensor to the calibrator";
  let description = [{
    Replaces every `lowbit.observe %x "tag"` on an f32 tensor by

    ```mlir
    %buffer = bufferization.to_buffer %x read_only : ... to memref<...>
    %any = memref.cast %buffer : memref<...> to memref<*xf32>
    func.call @__lowbit_observe(%id, %any) : (i64, memref<*xf32>) -> ()
    ```

    and the probe's uses by `%x`. `%id` is the probe's position in the
    module attribute `lowbit.observer_tags`, an array of the tags in the
    order of the ids. `@__lowbit_observe` is declared private with
    `llvm.emit_c_interface`, so after the CPU pipeline the module calls
    `_mlir_ciface___lowbit_observe(int64_t, UnrankedMemRefType<float> *)`,
    which `lowbit-calibrate` provides to the JIT-compiled module. The call is
    placed right after the probed value is computed, before any reader, so
    the buffer it sees holds exactly the probed values.

    A probe on a tensor of another element type is an error: calibration
    reads binary32 activations only.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect", "::mlir::memref::MemRefDialect"
  ];
}

def TestCalibrationStatsPass
    : Pass<"test-lowbit-calibration-stats", "mlir::ModuleOp"> {
  let summary = "Print the calibration statistics of every weighted op's "
                "input as remarks";
  let description = [{
    For every `lowbit.linear`, `lowbit.conv` and `lowbit.qlinear`, looks up
    the `lowbit.calibration` entry of its input probe (`<op name>/input`) and
    emits a remark with the sample count, range, the 99.99th percentile of
    |x| from the histogram, the first channels' mean |x| and, for linear
    inputs, the trace and first row of X^T X / rows. Ops without an entry
    get a remark saying so; a malformed entry is an error. For tests and
    for inspecting a calibrated module.
  }];
  let options = [
    Option<"maxChannels", "max-channels", "int64_t", /*default=*/"8",
           "How many leading channels to print">
  ];
}

#endif // LOWBIT_ANALYSIS_PASSES_TD
