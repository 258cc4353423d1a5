//===- ModelLoader.h - reading ONNX files, the only code that sees C++ exceptions -*- C++ -*-===//
//
// libonnx reports errors by throwing; LLVM and MLIR are built without
// exceptions. Everything that calls into libonnx lives in ModelLoader.cpp,
// compiled with -fexceptions, and returns plain success/failure with a
// message. No exception crosses this interface.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_IMPORT_ONNX_MODELLOADER_H
#define LOWBIT_LIB_IMPORT_ONNX_MODELLOADER_H

#include "onnx/onnx_pb.h"

#include <string>
#include <vector>

namespace lowbit::onnx_import {

/// Reads a binary ModelProto, or ONNX text format when the file name ends in
/// ".onnxtext" or ".txt" (libonnx's parser). On failure returns false and a
/// message (without the file name).
bool loadModelProto(const std::string &path, onnx::ModelProto &model,
                    std::string &error);

/// Parses a binary ModelProto from memory.
bool parseModelBinary(const char *data, size_t size, onnx::ModelProto &model,
                      std::string &error);

/// Parses ONNX text format from memory.
bool parseModelText(const std::string &text, onnx::ModelProto &model,
                    std::string &error);

/// The function body libonnx's schema defines for (domain, opType) at
/// `opsetVersion`, specialized to `node` and its input types when the
/// function is context dependent. Returns false when the schema has none or
/// it cannot be built; `error` then says why (may be empty: no schema).
bool getSchemaFunction(const onnx::NodeProto &node, int opsetVersion,
                       const std::vector<onnx::TypeProto> &inputTypes,
                       onnx::FunctionProto &function, std::string &error);

/// The default value the schema of (domain, opType) at `opsetVersion` gives
/// attribute `name`; false when there is no schema or no default.
bool getSchemaAttributeDefault(const std::string &domain,
                               const std::string &opType, int opsetVersion,
                               const std::string &name,
                               onnx::AttributeProto &value);

/// Whether libonnx knows an op schema for (domain, opType) at this version.
bool hasSchema(const std::string &domain, const std::string &opType,
               int opsetVersion);

} // namespace lowbit::onnx_import

#endif // LOWBIT_LIB_IMPORT_ONNX_MODELLOADER_H
