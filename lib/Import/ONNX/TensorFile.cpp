//===- TensorFile.cpp - a tensor value from a .npy or TensorProto file ----===//
//
// .npy files are parsed by the same reader as lowbit-run's and
// lowbit-calibrate's inputs (tools/lowbit-run/Npy.h); lowbit's dtype codes
// are ONNX's TensorProto data types, so the array becomes raw_data as is.
//
//===----------------------------------------------------------------------===//

#include "TensorFile.h"

#include "HostTensor.h"
#include "Npy.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

namespace lowbit::onnx_import {

bool loadTensorFile(const std::string &path, onnx::TensorProto &tensor,
                    std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::string("cannot open file: ") + std::strerror(errno);
    return false;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  std::string bytes = buffer.str();
  if (runner::looksLikeNpy(bytes)) {
    runner::HostTensor array;
    if (!runner::parseNpy(bytes, array, error))
      return false;
    tensor.Clear();
    for (int64_t d : array.shape)
      tensor.add_dims(d);
    tensor.set_data_type(static_cast<int>(array.dtype));
    tensor.set_raw_data(array.data.data(), array.data.size());
    return true;
  }
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      !tensor.ParseFromString(bytes)) {
    error = "neither a .npy array nor a serialized onnx.TensorProto";
    return false;
  }
  if (tensor.has_data_location() &&
      tensor.data_location() == onnx::TensorProto::EXTERNAL) {
    error = "the TensorProto refers to external data, which --freeze-input "
            "does not follow";
    return false;
  }
  return true;
}

} // namespace lowbit::onnx_import
