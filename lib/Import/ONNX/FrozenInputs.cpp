//===- FrozenInputs.cpp - --freeze-input values as initializers -----------===//
//
// Each input named by --freeze-input takes its value from a tensor file
// (.npy or a serialized TensorProto) and becomes an initializer of the
// graph, after checks that the name, element type and shape fit the input.
//
//===----------------------------------------------------------------------===//

#include "GraphImporter.h"
#include "TensorFile.h"

using namespace mlir;
using namespace lowbit::onnx_import;

LogicalResult GraphImporter::freezeInputs() {
  onnx::GraphProto *graph = model->mutable_graph();
  for (const auto &entry : options.frozenInputs) {
    std::string name = entry.getKey().str();
    const std::string &file = entry.getValue();
    const onnx::ValueInfoProto *input = nullptr;
    for (const onnx::ValueInfoProto &in : graph->input())
      if (in.name() == name)
        input = &in;
    if (!input)
      return emitModelError() << "--freeze-input names '" << name
                              << "', which is not an input of the model";
    for (const onnx::TensorProto &init : graph->initializer())
      if (init.name() == name)
        return emitModelError() << "--freeze-input names '" << name
                                << "', which is an initializer: its value is "
                                   "already in the model";
    if (options.inputShapes.count(name))
      return emitModelError() << "input '" << name
                              << "' is given both --input-shape and "
                                 "--freeze-input; the frozen value fixes its "
                                 "shape";
    onnx::TensorProto tensor;
    std::string error;
    if (!loadTensorFile(file, tensor, error))
      return emitModelError()
             << "--freeze-input " << name << "=" << file << ": " << error;
    const onnx::TypeProto &type = input->type();
    if (!type.has_tensor_type())
      return emitModelError() << "--freeze-input names '" << name
                              << "', which is not a tensor input";
    int declared = type.tensor_type().elem_type();
    if (declared != tensor.data_type())
      return emitModelError()
             << "--freeze-input " << name << "=" << file << ": the file holds "
             << getDataTypeName(tensor.data_type()) << ", the input is "
             << getDataTypeName(declared);
    if (type.tensor_type().has_shape()) {
      const auto &dims = type.tensor_type().shape().dim();
      bool mismatch = dims.size() != tensor.dims_size();
      for (int i = 0; !mismatch && i < dims.size(); ++i)
        mismatch =
            dims[i].has_dim_value() && dims[i].dim_value() != tensor.dims(i);
      if (mismatch) {
        auto diag = emitModelError() << "--freeze-input " << name << "=" << file
                                     << ": the file holds shape (";
        llvm::interleaveComma(tensor.dims(), diag);
        diag << "), which does not fit the input's declared shape (";
        llvm::interleaveComma(dims, diag, [&](const auto &d) {
          if (d.has_dim_value())
            diag << d.dim_value();
          else
            diag << "?";
        });
        diag << ")";
        return diag;
      }
    }
    tensor.set_name(name);
    *graph->add_initializer() = std::move(tensor);
  }
  return success();
}
