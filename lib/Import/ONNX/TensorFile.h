//===- TensorFile.h - a tensor value from a .npy or TensorProto file -*- C++ -*-===//
//
// --freeze-input reads the value of a graph input from a file: a numpy .npy
// array or a serialized onnx.TensorProto (.pb, as in ONNX's test data).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_IMPORT_ONNX_TENSORFILE_H
#define LOWBIT_LIB_IMPORT_ONNX_TENSORFILE_H

#include "onnx/onnx_pb.h"

#include <string>

namespace lowbit::onnx_import {

/// Reads `path` (.npy by its magic bytes, else a binary TensorProto) into
/// `tensor` (data as raw_data for .npy). On failure returns false and a
/// message without the file name.
bool loadTensorFile(const std::string &path, onnx::TensorProto &tensor,
                    std::string &error);

} // namespace lowbit::onnx_import

#endif // LOWBIT_LIB_IMPORT_ONNX_TENSORFILE_H
