//===- FunctionInlining.cpp - ONNX local functions inlined at each call ---===//
//
// A node that calls a function of the model's function list is replaced by
// the function's body: its tensors renamed into a scope of their own, the
// formal inputs and outputs bound to the node's, attribute references
// resolved against the caller (or the calling op's schema default).
//
//===----------------------------------------------------------------------===//

#include "GraphImporter.h"
#include "ModelLoader.h"

using namespace mlir;
using namespace lowbit::onnx_import;

LogicalResult GraphImporter::inlineFunction(const onnx::NodeProto &node,
                                            const onnx::FunctionProto &function,
                                            const OpsetMap &callerOpsets,
                                            OpBuilder &builder, int depth) {
  auto emitNodeError = [&]() {
    return mlir::emitError(nodeLocation(node)) << describeNode(node) << ": ";
  };
  if (depth >= kMaxInlineDepth)
    return emitNodeError() << "functions nest deeper than " << kMaxInlineDepth
                           << " levels (recursive function?)";
  // The body's names live in their own scope: rename every tensor to a name
  // unique in the graph, and bind the formal inputs to the actual ones.
  const std::string &callerName =
      node.name().empty() ? node.op_type() : node.name();
  std::string scope =
      "__" + callerName + "#" + std::to_string(inlineCounter++) + "/";
  std::map<std::string, std::string> rename;
  for (int i = 0; i < function.input_size(); ++i)
    rename[function.input(i)] = i < node.input_size() ? node.input(i) : "";
  for (int i = 0; i < function.output_size(); ++i)
    rename[function.output(i)] = i < node.output_size() ? node.output(i) : "";
  auto mapName = [&](const std::string &name) -> std::string {
    if (name.empty())
      return name;
    auto it = rename.find(name);
    if (it != rename.end())
      return it->second;
    return scope + name;
  };

  OpsetMap opsets = callerOpsets;
  for (const auto &opset : function.opset_import())
    opsets[opset.domain() == "ai.onnx" ? "" : opset.domain()] =
        static_cast<int>(opset.version());

  auto callerOpset = callerOpsets.find(
      node.domain() == "ai.onnx" ? std::string() : node.domain());
  google::protobuf::RepeatedPtrField<onnx::NodeProto> body;
  for (const onnx::NodeProto &inner : function.node()) {
    onnx::NodeProto copy = inner;
    copy.set_name(callerName + "/" +
                  (inner.name().empty() ? inner.op_type() : inner.name()));
    for (std::string &in : *copy.mutable_input())
      in = mapName(in);
    for (std::string &out : *copy.mutable_output())
      out = mapName(out);
    // Attribute references take the caller's value, else the default the
    // calling op's schema gives, else are dropped so the inner op's own
    // default applies.
    google::protobuf::RepeatedPtrField<onnx::AttributeProto> attrs;
    for (const onnx::AttributeProto &attr : inner.attribute()) {
      if (attr.ref_attr_name().empty()) {
        *attrs.Add() = attr;
        continue;
      }
      onnx::AttributeProto bound;
      bool found = false;
      for (const onnx::AttributeProto &given : node.attribute())
        if (given.name() == attr.ref_attr_name()) {
          bound = given;
          found = true;
        }
      if (!found && callerOpset != callerOpsets.end())
        found = getSchemaAttributeDefault(node.domain(), node.op_type(),
                                          callerOpset->second,
                                          attr.ref_attr_name(), bound);
      if (found) {
        bound.set_name(attr.name());
        *attrs.Add() = bound;
      }
    }
    *copy.mutable_attribute() = attrs;
    *body.Add() = copy;
  }
  return importNodes(body, opsets, builder, depth + 1);
}
