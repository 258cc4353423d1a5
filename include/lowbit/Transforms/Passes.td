//===- Passes.td - lowbit transformation passes ------------*- tablegen -*-===//

#ifndef LOWBIT_TRANSFORMS_PASSES_TD
#define LOWBIT_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def InsertObserversPass : Pass<"lowbit-insert-observers", "mlir::ModuleOp"> {
  let summary = "Put a calibration probe on the input of every weighted op";
  let description = [{
    Inserts a `lowbit.observe` on the activation input of every
    `lowbit.linear` and `lowbit.conv` (and, with `outputs`, on their results),
    tagged `<op name>/input` or `<op name>/output`, where the op name is the
    ONNX node name carried in the op's location. Tags are unique in the
    module; an op with no name is called by its kind and position. A value
    that several ops read gets one probe per reader, so that each reader's
    statistics stay its own after outlier migration reshapes one of them.
    Already-probed inputs are left alone, so the pass is idempotent.
  }];
  let dependentDialects = ["::lowbit::LowBitDialect"];
  let options = [
    Option<"outputs", "outputs", "bool", /*default=*/"false",
           "Also probe the results of the weighted ops">
  ];
}

def StripObserversPass : Pass<"lowbit-strip-observers"> {
  let summary = "Remove every calibration probe";
  let description = [{
    Replaces each `lowbit.observe` by its input, leaving the float function
    as it was before `lowbit-insert-observers`.
  }];
}

#endif // LOWBIT_TRANSFORMS_PASSES_TD
