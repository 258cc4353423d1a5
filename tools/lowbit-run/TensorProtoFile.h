//===- TensorProtoFile.h - ONNX TensorProto (.pb) files ---------*- C++ -*-===//

#ifndef LOWBIT_TOOLS_LOWBIT_RUN_TENSORPROTOFILE_H
#define LOWBIT_TOOLS_LOWBIT_RUN_TENSORPROTOFILE_H

#include "HostTensor.h"

namespace runner {

/// Parses a serialized onnx.TensorProto (as in ONNX's test data sets), with
/// its values in raw_data or in the typed repeated fields. External data and
/// string tensors are rejected.
bool parseTensorProto(const std::string &contents, HostTensor &tensor,
                      std::string &error);

} // namespace runner

#endif // LOWBIT_TOOLS_LOWBIT_RUN_TENSORPROTOFILE_H
