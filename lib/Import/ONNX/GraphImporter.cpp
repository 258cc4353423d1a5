//===- GraphImporter.cpp - an ONNX graph into one func.func ---------------===//

#include "GraphImporter.h"
#include "ModelLoader.h"
#include "OpRegistry.h"

#include "lowbit/Dialect/LowBit/LowBitDialect.h"
#include "lowbit/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Path.h"

#include <queue>

using namespace mlir;
using namespace lowbit::onnx_import;

namespace {

/// Orders `nodes` so every node follows the producers of its inputs. Reports
/// duplicate outputs, undefined inputs and cycles. `defined` holds the names
/// available before the first node.
FailureOr<std::vector<const onnx::NodeProto *>>
sortNodes(const google::protobuf::RepeatedPtrField<onnx::NodeProto> &nodes,
          const std::function<bool(const std::string &)> &defined,
          const std::function<std::string(const onnx::NodeProto &)> &describe,
          const std::function<InFlightDiagnostic()> &emitError) {
  llvm::StringMap<int> producer;
  for (int i = 0; i < nodes.size(); ++i) {
    for (const std::string &out : nodes[i].output()) {
      if (out.empty())
        continue;
      auto [it, inserted] = producer.try_emplace(out, i);
      if (!inserted)
        return emitError() << describe(nodes[i]) << ": output '" << out
                           << "' is already produced by node '"
                           << nodes[it->second].name() << "' ("
                           << nodes[it->second].op_type() << ")";
      if (defined(out))
        return emitError() << describe(nodes[i]) << ": output '" << out
                           << "' redefines a graph input or initializer";
    }
  }
  // Kahn's algorithm over "node i reads an output of node j".
  std::vector<int> pending(nodes.size(), 0);
  std::vector<std::vector<int>> readers(nodes.size());
  // Names used inside subgraph attributes (If, Loop) do not order the outer
  // graph; lowbit rejects those ops when it reaches them.
  for (int i = 0; i < nodes.size(); ++i) {
    for (const std::string &in : nodes[i].input()) {
      if (in.empty())
        continue;
      auto it = producer.find(in);
      if (it != producer.end()) {
        ++pending[i];
        readers[it->second].push_back(i);
      } else if (!defined(in)) {
        return emitError() << describe(nodes[i]) << ": input '" << in
                           << "' is not a graph input, an initializer or the "
                              "output of any node";
      }
    }
  }
  // Among the ready nodes always take the one first in the file, so a graph
  // that is already sorted keeps its order (stable IR for tests).
  std::vector<const onnx::NodeProto *> order;
  std::vector<bool> done(nodes.size(), false);
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (int i = 0; i < nodes.size(); ++i)
    if (pending[i] == 0)
      ready.push(i);
  while (!ready.empty()) {
    int i = ready.top();
    ready.pop();
    done[i] = true;
    order.push_back(&nodes[i]);
    for (int r : readers[i])
      if (--pending[r] == 0)
        ready.push(r);
  }
  if (order.size() != static_cast<size_t>(nodes.size())) {
    for (int i = 0; i < nodes.size(); ++i)
      if (!done[i])
        return emitError() << describe(nodes[i])
                           << ": the graph has a cycle through this node";
  }
  return order;
}

} // namespace

GraphImporter::GraphImporter(MLIRContext *context, std::string path,
                             const ImportOptions &options)
    : context(context), path(std::move(path)), options(options) {}

InFlightDiagnostic GraphImporter::emitModelError() {
  return mlir::emitError(FileLineColLoc::get(context, path, 0, 0))
         << path << ": ";
}

std::string GraphImporter::describeNode(const onnx::NodeProto &node) const {
  std::string text = path + ": node '" + node.name() + "' (";
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    text += node.domain() + ".";
  return text + node.op_type() + ")";
}

Location GraphImporter::nodeLocation(const onnx::NodeProto &node,
                                     llvm::StringRef prefix) {
  std::string name = node.name().empty() ? node.op_type() : node.name();
  if (!prefix.empty())
    name = (prefix + "/" + name).str();
  return NameLoc::get(StringAttr::get(context, name),
                      FileLineColLoc::get(context, path, 0, 0));
}

FailureOr<ElementsAttr>
GraphImporter::convertTensor(const onnx::TensorProto &tensor,
                             llvm::StringRef nameHint,
                             const ErrorFn &emitError) {
  return converter->convert(tensor, nameHint, emitError);
}

const TensorEntry *GraphImporter::lookup(llvm::StringRef name) {
  auto it = tensors.find(name);
  if (it != tensors.end())
    return &it->second;
  auto pending = pendingInitializers.find(name);
  if (pending == pendingInitializers.end())
    return nullptr;
  const onnx::TensorProto *tensor = pending->second;
  pendingInitializers.erase(pending);
  FailureOr<ElementsAttr> value = convertTensor(*tensor, name, [&] {
    return emitModelError() << "initializer '" << name.str() << "': ";
  });
  if (failed(value))
    return nullptr;
  TensorEntry entry{Value(), tensor->data_type(), *value};
  return &tensors.insert({name, entry}).first->second;
}

Value GraphImporter::materialize(llvm::StringRef name) {
  if (!lookup(name))
    return {};
  TensorEntry &entry = tensors.find(name)->second;
  if (entry.value)
    return entry.value;
  // Constants go to the top of the function, in first-use order.
  OpBuilder builder(context);
  if (lastConstant)
    builder.setInsertionPointAfter(lastConstant);
  else
    builder.setInsertionPointToStart(entryBlock);
  Location loc = NameLoc::get(StringAttr::get(context, name),
                              FileLineColLoc::get(context, path, 0, 0));
  auto constant =
      arith::ConstantOp::create(builder, loc, cast<TypedAttr>(entry.constant));
  lastConstant = constant;
  entry.value = constant.getResult();
  return entry.value;
}

void GraphImporter::bind(llvm::StringRef name, TensorEntry entry) {
  tensors[name] = entry;
}

LogicalResult GraphImporter::checkOpsets() {
  for (const auto &opset : model->opset_import()) {
    std::string domain = opset.domain() == "ai.onnx" ? "" : opset.domain();
    modelOpsets[domain] = static_cast<int>(opset.version());
  }
  // IR version 3 and later must name their opsets; older models mean opset 1.
  if (model->opset_import_size() == 0)
    modelOpsets[""] = 1;
  auto it = modelOpsets.find("");
  if (it != modelOpsets.end() &&
      (it->second < kMinOpset || it->second > kMaxOpset))
    return emitModelError() << "the model uses opset " << it->second
                            << " of the default ONNX domain; lowbit supports "
                            << kMinOpset << " to " << kMaxOpset;
  return success();
}

SmallVector<std::string> GraphImporter::graphInputsBehind(Value value) {
  SmallVector<std::string> names;
  if (!value || !entryBlock)
    return names;
  auto func = cast<func::FuncOp>(entryBlock->getParentOp());
  llvm::SmallPtrSet<Operation *, 32> seen;
  SmallVector<Value> work{value};
  while (!work.empty()) {
    Value v = work.pop_back_val();
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      if (arg.getOwner() != entryBlock)
        continue;
      auto name =
          func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "lowbit.name");
      if (name && !llvm::is_contained(names, name.str()))
        names.push_back(name.str());
      continue;
    }
    Operation *op = v.getDefiningOp();
    if (!op || !seen.insert(op).second)
      continue;
    // Region bodies may read values of the function directly.
    op->walk([&](Operation *inner) {
      for (Value operand : inner->getOperands())
        work.push_back(operand);
    });
  }
  return names;
}

LogicalResult GraphImporter::declareInitializers() {
  const onnx::GraphProto &graph = model->graph();
  if (graph.sparse_initializer_size() > 0)
    return emitModelError() << "sparse initializer '"
                            << graph.sparse_initializer(0).values().name()
                            << "' is not supported";
  for (const onnx::TensorProto &tensor : graph.initializer()) {
    if (tensor.name().empty())
      return emitModelError() << "an initializer has no name";
    if (!pendingInitializers.try_emplace(tensor.name(), &tensor).second)
      return emitModelError() << "initializer '" << tensor.name()
                              << "' is defined twice";
  }
  return success();
}

FailureOr<func::FuncOp> GraphImporter::createFunction(OpBuilder &builder) {
  const onnx::GraphProto &graph = model->graph();
  SmallVector<Type> argTypes;
  SmallVector<const onnx::ValueInfoProto *> args;
  llvm::StringSet<> usedShapes;
  for (const onnx::ValueInfoProto &input : graph.input()) {
    // Before IR version 4, initializers were also listed as inputs; they
    // stay constants (with their values) rather than becoming arguments.
    if (pendingInitializers.count(input.name()))
      continue;
    if (input.name().empty())
      return emitModelError() << "a graph input has no name";
    if (!input.type().has_tensor_type())
      return emitModelError() << "input '" << input.name()
                              << "' is not a tensor (sequences, maps and "
                                 "optionals are not supported)";
    const onnx::TypeProto::Tensor &tensorType = input.type().tensor_type();
    Type elementType = getElementType(context, tensorType.elem_type());
    if (!elementType)
      return emitModelError() << "input '" << input.name()
                              << "' has element type "
                              << getDataTypeName(tensorType.elem_type())
                              << ", which lowbit does not support";
    if (!tensorType.has_shape() && !options.inputShapes.count(input.name()))
      return emitModelError() << "input '" << input.name()
                              << "' has no shape; give it with --input-shape "
                              << input.name() << "=D0xD1...";
    SmallVector<int64_t> shape;
    auto given = options.inputShapes.find(input.name());
    if (given != options.inputShapes.end()) {
      usedShapes.insert(input.name());
      shape = given->second;
      if (tensorType.has_shape()) {
        const auto &dims = tensorType.shape().dim();
        if (dims.size() != static_cast<int>(shape.size()))
          return emitModelError()
                 << "--input-shape gives input '" << input.name() << "' "
                 << shape.size() << " dimensions, the model has "
                 << dims.size();
        for (int i = 0; i < dims.size(); ++i)
          if (dims[i].has_dim_value() && dims[i].dim_value() != shape[i])
            return emitModelError()
                   << "--input-shape gives input '" << input.name()
                   << "' dimension " << shape[i] << " on axis " << i
                   << ", the model fixes it to " << dims[i].dim_value();
      }
    } else {
      const auto &dims = tensorType.shape().dim();
      for (int i = 0; i < dims.size(); ++i) {
        if (dims[i].has_dim_value() && dims[i].dim_value() >= 0) {
          shape.push_back(dims[i].dim_value());
          continue;
        }
        auto diag = emitModelError() << "input '" << input.name() << "' has ";
        if (dims[i].has_dim_param())
          diag << "symbolic dimension '" << dims[i].dim_param() << "'";
        else
          diag << "an unknown dimension";
        diag << " on axis " << i << "; fix its shape with --input-shape "
             << input.name() << "=D0xD1...";
        return failure();
      }
    }
    for (int64_t d : shape)
      if (d < 0 || d > kMaxElements)
        return emitModelError() << "input '" << input.name()
                                << "' has an invalid dimension " << d;
    argTypes.push_back(RankedTensorType::get(shape, elementType));
    args.push_back(&input);
  }
  for (const auto &entry : options.inputShapes)
    if (!usedShapes.contains(entry.getKey()))
      return emitModelError() << "--input-shape names '" << entry.getKey()
                              << "', which is not an input of the model";

  auto func = func::FuncOp::create(
      builder, FileLineColLoc::get(context, path, 0, 0), options.functionName,
      builder.getFunctionType(argTypes, {}));
  entryBlock = func.addEntryBlock();
  for (auto [i, input] : llvm::enumerate(args)) {
    int dataType = input->type().tensor_type().elem_type();
    bind(input->name(), TensorEntry{entryBlock->getArgument(i), dataType, {}});
    func.setArgAttr(i, "lowbit.name", builder.getStringAttr(input->name()));
    func.setArgAttr(i, "lowbit.dtype",
                    builder.getStringAttr(getDataTypeName(dataType)));
  }
  return func;
}

LogicalResult GraphImporter::importNodes(
    const google::protobuf::RepeatedPtrField<onnx::NodeProto> &nodes,
    const OpsetMap &opsets, OpBuilder &builder, int depth) {
  auto defined = [&](const std::string &name) {
    return tensors.count(name) || pendingInitializers.count(name);
  };
  auto describe = [&](const onnx::NodeProto &n) { return describeNode(n); };
  auto order = sortNodes(nodes, defined, describe, [&] {
    return mlir::emitError(FileLineColLoc::get(context, path, 0, 0));
  });
  if (failed(order))
    return failure();
  for (const onnx::NodeProto *node : *order)
    if (failed(importNode(*node, opsets, builder, depth)))
      return failure();
  return success();
}

LogicalResult GraphImporter::importNode(const onnx::NodeProto &node,
                                        const OpsetMap &opsets,
                                        OpBuilder &builder, int depth) {
  std::string domain = node.domain() == "ai.onnx" ? "" : node.domain();
  Location loc = nodeLocation(node);
  auto emitNodeError = [&]() {
    return mlir::emitError(loc) << describeNode(node) << ": ";
  };
  if (node.op_type().empty())
    return emitNodeError() << "the node has no op type";
  auto opset = opsets.find(domain);
  if (opset == opsets.end())
    return emitNodeError() << "domain '" << domain
                           << "' is not in the model's opset imports";

  // Resolve every input first: an initializer that fails to convert has
  // reported its error, and handlers may then rely on present inputs.
  for (const std::string &in : node.input())
    if (!in.empty() && !lookup(in))
      return failure();

  if (const OpHandler *handler =
          lookupOpHandler(domain, node.op_type(), opset->second)) {
    NodeImporter importer(*this, node, opset->second, builder, loc);
    if (failed(handler->handler(importer)) || importer.hasFailed())
      return failure();
    for (int i = 0; i < node.output_size(); ++i)
      if (!node.output(i).empty() && !tensors.count(node.output(i)))
        return emitNodeError() << "lowbit cannot produce output " << i
                               << " ('" << node.output(i)
                               << "') of this op yet";
    return success();
  }

  // Model-local functions, then the function bodies of ONNX's own schemas.
  for (const onnx::FunctionProto &function : model->functions())
    if (function.name() == node.op_type() && function.domain() == node.domain())
      return inlineFunction(node, function, opsets, builder, depth);
  if (depth < kMaxInlineDepth) {
    std::vector<onnx::TypeProto> inputTypes;
    for (const std::string &in : node.input()) {
      onnx::TypeProto type;
      if (const TensorEntry *entry = in.empty() ? nullptr : lookup(in)) {
        auto *tensorType = type.mutable_tensor_type();
        tensorType->set_elem_type(entry->dataType);
        RankedTensorType shaped = entry->getType();
        auto *shape = tensorType->mutable_shape();
        for (int64_t d : shaped.getShape())
          shape->add_dim()->set_dim_value(d);
      }
      inputTypes.push_back(type);
    }
    onnx::FunctionProto function;
    std::string error;
    if (getSchemaFunction(node, opset->second, inputTypes, function, error))
      return inlineFunction(node, function, opsets, builder, depth);
    if (!error.empty())
      return emitNodeError() << "unsupported op: " << error;
  }
  if (hasAnyOpHandler(domain, node.op_type()))
    return emitNodeError() << "opset " << opset->second << " of "
                           << (domain.empty() ? "ai.onnx" : domain)
                           << " is older than every version lowbit handles "
                              "for this op";
  return emitNodeError() << "unsupported op '" << node.op_type()
                         << "' (domain '"
                         << (domain.empty() ? "ai.onnx" : domain)
                         << "', opset " << opset->second
                         << "); see docs/onnx-support.md";
}

LogicalResult GraphImporter::createReturn(func::FuncOp func,
                                          OpBuilder &builder) {
  SmallVector<Value> results;
  SmallVector<int> dataTypes;
  llvm::StringSet<> seen;
  for (const onnx::ValueInfoProto &output : model->graph().output()) {
    if (!seen.insert(output.name()).second)
      return emitModelError() << "output '" << output.name()
                              << "' is listed twice";
    const TensorEntry *entry = lookup(output.name());
    if (!entry)
      return emitModelError() << "output '" << output.name()
                              << "' is not produced by any node, input or "
                                 "initializer";
    Value value = materialize(output.name());
    auto type = cast<RankedTensorType>(value.getType());
    if (output.type().has_tensor_type()) {
      const auto &declared = output.type().tensor_type();
      if (declared.elem_type() != 0 &&
          getElementType(context, declared.elem_type()) != type.getElementType())
        return emitModelError()
               << "output '" << output.name() << "' is declared "
               << getDataTypeName(declared.elem_type()) << " but computes "
               << getDataTypeName(entry->dataType);
      if (declared.has_shape()) {
        const auto &dims = declared.shape().dim();
        bool mismatch = dims.size() != type.getRank();
        for (int i = 0; !mismatch && i < dims.size(); ++i)
          mismatch = dims[i].has_dim_value() &&
                     dims[i].dim_value() != type.getDimSize(i);
        if (mismatch) {
          auto diag = emitModelError()
                      << "output '" << output.name() << "' is declared with "
                      << dims.size() << " dimensions (";
          llvm::interleaveComma(dims, diag, [&](const auto &d) {
            if (d.has_dim_value())
              diag << d.dim_value();
            else
              diag << "?";
          });
          diag << ") but computes " << type;
          return diag;
        }
      }
    }
    results.push_back(value);
    dataTypes.push_back(entry->dataType);
  }
  builder.setInsertionPointToEnd(entryBlock);
  func::ReturnOp::create(builder, func.getLoc(), results);
  func.setFunctionType(builder.getFunctionType(
      func.getFunctionType().getInputs(), ValueRange(results).getTypes()));
  for (auto [i, output] : llvm::enumerate(model->graph().output())) {
    func.setResultAttr(i, "lowbit.name", builder.getStringAttr(output.name()));
    func.setResultAttr(i, "lowbit.dtype",
                       builder.getStringAttr(getDataTypeName(dataTypes[i])));
  }
  return success();
}

OwningOpRef<ModuleOp> GraphImporter::run() {
  model = std::make_shared<onnx::ModelProto>();
  std::string error;
  bool loaded =
      !fromMemory ? loadModelProto(path, *model, error)
      : contentsAreText
          ? parseModelText(contents, *model, error)
          : parseModelBinary(contents.data(), contents.size(), *model, error);
  if (loaded && !model->has_graph()) {
    error = "the model has no graph";
    loaded = false;
  }
  if (!loaded) {
    emitModelError() << error;
    return {};
  }
  // An in-memory model has no directory: external data cannot resolve.
  llvm::StringRef parent = llvm::sys::path::parent_path(path);
  converter = std::make_unique<TensorConverter>(
      context, model,
      fromMemory ? std::string() : parent.empty() ? std::string(".") : parent.str());
  if (failed(checkOpsets()) || failed(freezeInputs()) ||
      failed(declareInitializers()))
    return {};

  context->loadDialect<arith::ArithDialect, func::FuncDialect,
                       linalg::LinalgDialect, math::MathDialect,
                       tensor::TensorDialect, tosa::TosaDialect,
                       lowbit::LowBitDialect>();
  OpBuilder builder(context);
  OwningOpRef<ModuleOp> module =
      ModuleOp::create(FileLineColLoc::get(context, path, 0, 0));
  builder.setInsertionPointToEnd(module->getBody());
  FailureOr<func::FuncOp> func = createFunction(builder);
  if (failed(func))
    return {};
  builder.setInsertionPointToEnd(entryBlock);
  if (failed(importNodes(model->graph().node(), modelOpsets, builder, 0)) ||
      failed(createReturn(*func, builder)))
    return {};
  // Handlers read inputs freely; constants only read at import time (weights
  // rewritten into another layout) leave dead ops behind.
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(*entryBlock)))
    if (isOpTriviallyDead(&op))
      op.erase();
  // Biases and norms that the exporter decomposed become lowbit ops.
  PassManager fusion(context);
  fusion.enableVerifier(false); // verified just below, with a better message
  fusion.addPass(lowbit::createFuseImportedPatternsPass());
  if (failed(fusion.run(*module)))
    return {};
  if (failed(mlir::verify(*module))) {
    emitModelError() << "internal error: the imported IR does not verify "
                        "(a bug in lowbit's importer; the messages above say "
                        "where)";
    return {};
  }
  return module;
}
