//===- ModelLoader.cpp - reading ONNX files (compiled with -fexceptions) --===//

#include "ModelLoader.h"

#include "onnx/defs/function.h"
#include "onnx/defs/parser.h"
#include "onnx/defs/schema.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

namespace lowbit::onnx_import {

namespace {

bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool readFile(const std::string &path, std::string &contents,
              std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::string("cannot open file: ") + std::strerror(errno);
    return false;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) {
    error = "cannot read file";
    return false;
  }
  contents = buffer.str();
  return true;
}

} // namespace

bool parseModelText(const std::string &text, onnx::ModelProto &model,
                    std::string &error) {
  try {
    onnx::OnnxParser parser(text.c_str());
    onnx::Status status = parser.Parse(model);
    if (!status.IsOK()) {
      error = "invalid ONNX text format: " + status.ErrorMessage();
      return false;
    }
    return true;
  } catch (const std::exception &e) {
    error = std::string("invalid ONNX text format: ") + e.what();
  } catch (...) {
    error = "invalid ONNX text format";
  }
  return false;
}

bool loadModelProto(const std::string &path, onnx::ModelProto &model,
                    std::string &error) {
  std::string contents;
  if (!readFile(path, contents, error))
    return false;
  if (endsWith(path, ".onnxtext") || endsWith(path, ".txt"))
    return parseModelText(contents, model, error);

  return parseModelBinary(contents.data(), contents.size(), model, error);
}

bool parseModelBinary(const char *data, size_t size, onnx::ModelProto &model,
                      std::string &error) {
  if (size > static_cast<size_t>(std::numeric_limits<int>::max())) {
    error = "model file is larger than protobuf's 2 GiB limit; store the "
            "weights as external data";
    return false;
  }
  try {
    google::protobuf::io::ArrayInputStream raw(data, static_cast<int>(size));
    google::protobuf::io::CodedInputStream coded(&raw);
    coded.SetTotalBytesLimit(std::numeric_limits<int>::max());
    coded.SetRecursionLimit(100);
    if (!model.ParseFromCodedStream(&coded) ||
        !coded.ConsumedEntireMessage()) {
      error = "not a valid ONNX protobuf file (truncated or corrupt)";
      return false;
    }
  } catch (...) {
    error = "not a valid ONNX protobuf file";
    return false;
  }
  if (!model.has_graph()) {
    error = "the model has no graph";
    return false;
  }
  return true;
}

bool hasSchema(const std::string &domain, const std::string &opType,
               int opsetVersion) {
  try {
    return onnx::OpSchemaRegistry::Schema(opType, opsetVersion, domain) !=
           nullptr;
  } catch (...) {
    return false;
  }
}

bool getSchemaAttributeDefault(const std::string &domain,
                               const std::string &opType, int opsetVersion,
                               const std::string &name,
                               onnx::AttributeProto &value) {
  try {
    const onnx::OpSchema *schema =
        onnx::OpSchemaRegistry::Schema(opType, opsetVersion, domain);
    if (!schema)
      return false;
    auto it = schema->attributes().find(name);
    if (it == schema->attributes().end() ||
        it->second.default_value.type() == onnx::AttributeProto::UNDEFINED)
      return false;
    value = it->second.default_value;
    return true;
  } catch (...) {
    return false;
  }
}

bool getSchemaFunction(const onnx::NodeProto &node, int opsetVersion,
                       const std::vector<onnx::TypeProto> &inputTypes,
                       onnx::FunctionProto &function, std::string &error) {
  try {
    const onnx::OpSchema *schema = onnx::OpSchemaRegistry::Schema(
        node.op_type(), opsetVersion, node.domain());
    if (!schema)
      return false;
    if (schema->HasFunction()) {
      const onnx::FunctionProto *body = schema->GetFunction();
      if (!body)
        return false;
      function = *body;
      return true;
    }
    if (schema->HasContextDependentFunction()) {
      onnx::FunctionBodyBuildContextImpl context(node, inputTypes);
      if (!schema->BuildContextDependentFunction(context, function)) {
        error = "its ONNX function body could not be built for these inputs";
        return false;
      }
      return true;
    }
  } catch (const std::exception &e) {
    error = std::string("its ONNX function body could not be built: ") +
            e.what();
  } catch (...) {
    error = "its ONNX function body could not be built";
  }
  return false;
}

} // namespace lowbit::onnx_import
