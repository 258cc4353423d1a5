//===- NodeImporter.cpp - what an op handler sees of its node -------------===//

#include "NodeImporter.h"
#include "GraphImporter.h"
#include "TensorConversion.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace lowbit::onnx_import;

NodeImporter::NodeImporter(GraphImporter &graph, const onnx::NodeProto &node,
                           int opset, OpBuilder &builder, Location loc)
    : graphImporter(graph), nodeProto(node), opsetVersion(opset),
      opBuilder(builder), location(loc) {}

InFlightDiagnostic NodeImporter::emitError() {
  return mlir::emitError(location) << graphImporter.describeNode(nodeProto)
                                   << ": ";
}

LogicalResult NodeImporter::fail(const llvm::Twine &message) {
  return emitError() << message;
}

//===----------------------------------------------------------------------===//
// Inputs
//===----------------------------------------------------------------------===//

bool NodeImporter::hasInput(int i) const {
  return i >= 0 && i < nodeProto.input_size() && !nodeProto.input(i).empty();
}

const TensorEntry *NodeImporter::inputEntry(int i) const {
  if (!hasInput(i))
    return nullptr;
  return graphImporter.lookup(nodeProto.input(i));
}

Value NodeImporter::input(int i) const {
  if (!inputEntry(i))
    return {};
  return graphImporter.materialize(nodeProto.input(i));
}

RankedTensorType NodeImporter::inputType(int i) const {
  const TensorEntry *entry = inputEntry(i);
  return entry ? entry->getType() : RankedTensorType();
}

int NodeImporter::inputDataType(int i) const {
  const TensorEntry *entry = inputEntry(i);
  return entry ? entry->dataType : 0;
}

bool NodeImporter::inputIsUnsigned(int i) const {
  return isUnsignedDataType(inputDataType(i));
}

ElementsAttr NodeImporter::constantInput(int i) const {
  const TensorEntry *entry = inputEntry(i);
  return entry ? entry->constant : ElementsAttr();
}

DenseElementsAttr NodeImporter::constantInputDense(int i) const {
  return dyn_cast_or_null<DenseElementsAttr>(constantInput(i));
}

std::string NodeImporter::knownAtImportHint(int i) {
  SmallVector<std::string> inputs =
      graphImporter.graphInputsBehind(hasInput(i) ? input(i) : Value());
  if (inputs.empty())
    return "fix the input shapes with --input-shape";
  std::string text = "it is computed from graph input";
  text += inputs.size() > 1 ? "s " : " ";
  for (size_t k = 0; k < inputs.size(); ++k)
    text += (k ? ", '" : "'") + inputs[k] + "'";
  text += "; lowbit compiles static shapes: give ";
  text += inputs.size() > 1 ? "their values" : "its value";
  text += " with --freeze-input " + inputs.front() + "=FILE.npy (or .pb)";
  return text;
}

FailureOr<SmallVector<int64_t>> NodeImporter::constantInts(int i,
                                                           StringRef what) {
  if (!hasInput(i))
    return emitError() << "input " << i << " (" << what << ") is missing";
  DenseElementsAttr value = constantInputDense(i);
  if (!value)
    return emitError() << "input " << i << " (" << what
                       << ") must be known at import time (a constant or a "
                          "shape computation); "
                       << knownAtImportHint(i);
  if (!value.getElementType().isInteger())
    return emitError() << "input " << i << " (" << what
                       << ") must hold integers";
  SmallVector<int64_t> result;
  for (const APInt &v : value.getValues<APInt>())
    result.push_back(inputIsUnsigned(i) ? static_cast<int64_t>(v.getZExtValue())
                                        : v.getSExtValue());
  return result;
}

FailureOr<SmallVector<double>> NodeImporter::constantFloats(int i,
                                                            StringRef what) {
  if (!hasInput(i))
    return emitError() << "input " << i << " (" << what << ") is missing";
  DenseElementsAttr value = constantInputDense(i);
  if (!value)
    return emitError() << "input " << i << " (" << what
                       << ") must be known at import time; "
                       << knownAtImportHint(i);
  SmallVector<double> result;
  if (isa<FloatType>(value.getElementType())) {
    for (const APFloat &v : value.getValues<APFloat>())
      result.push_back(v.convertToDouble());
  } else {
    for (const APInt &v : value.getValues<APInt>())
      result.push_back(static_cast<double>(v.getSExtValue()));
  }
  return result;
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

const onnx::AttributeProto *NodeImporter::attr(StringRef name) const {
  for (const onnx::AttributeProto &a : nodeProto.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

static const char *attributeTypeName(int type) {
  switch (type) {
  case onnx::AttributeProto::FLOAT: return "a float";
  case onnx::AttributeProto::INT: return "an int";
  case onnx::AttributeProto::STRING: return "a string";
  case onnx::AttributeProto::TENSOR: return "a tensor";
  case onnx::AttributeProto::GRAPH: return "a graph";
  case onnx::AttributeProto::FLOATS: return "a list of floats";
  case onnx::AttributeProto::INTS: return "a list of ints";
  case onnx::AttributeProto::STRINGS: return "a list of strings";
  default: return "another kind of value";
  }
}

const onnx::AttributeProto *NodeImporter::typedAttr(StringRef name, int type) {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return nullptr;
  // Old exporters leave the type field unset; trust the populated field then.
  int actual = a->type();
  if (actual == onnx::AttributeProto::UNDEFINED) {
    if (a->has_i()) actual = onnx::AttributeProto::INT;
    else if (a->has_f()) actual = onnx::AttributeProto::FLOAT;
    else if (a->has_s()) actual = onnx::AttributeProto::STRING;
    else if (a->has_t()) actual = onnx::AttributeProto::TENSOR;
    else if (a->ints_size()) actual = onnx::AttributeProto::INTS;
    else if (a->floats_size()) actual = onnx::AttributeProto::FLOATS;
    else actual = type;
  }
  if (actual != type) {
    if (!failedAttribute)
      emitError() << "attribute '" << name.str() << "' must be "
                  << attributeTypeName(type) << ", not "
                  << attributeTypeName(actual);
    failedAttribute = true;
    return nullptr;
  }
  return a;
}

int64_t NodeImporter::attrInt(StringRef name, int64_t defaultValue) {
  const onnx::AttributeProto *a = typedAttr(name, onnx::AttributeProto::INT);
  return a ? a->i() : defaultValue;
}

float NodeImporter::attrFloat(StringRef name, float defaultValue) {
  const onnx::AttributeProto *a = typedAttr(name, onnx::AttributeProto::FLOAT);
  return a ? a->f() : defaultValue;
}

std::string NodeImporter::attrString(StringRef name, StringRef defaultValue) {
  const onnx::AttributeProto *a = typedAttr(name, onnx::AttributeProto::STRING);
  return a ? a->s() : defaultValue.str();
}

SmallVector<int64_t> NodeImporter::attrInts(StringRef name,
                                            ArrayRef<int64_t> defaultValue) {
  const onnx::AttributeProto *a = typedAttr(name, onnx::AttributeProto::INTS);
  if (!a)
    return SmallVector<int64_t>(defaultValue);
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

SmallVector<float> NodeImporter::attrFloats(StringRef name,
                                            ArrayRef<float> defaultValue) {
  const onnx::AttributeProto *a = typedAttr(name, onnx::AttributeProto::FLOATS);
  if (!a)
    return SmallVector<float>(defaultValue);
  return SmallVector<float>(a->floats().begin(), a->floats().end());
}

ElementsAttr NodeImporter::attrTensor(StringRef name) {
  const onnx::AttributeProto *a = typedAttr(name, onnx::AttributeProto::TENSOR);
  if (!a)
    return {};
  FailureOr<ElementsAttr> value = graphImporter.convertTensor(
      a->t(), a->t().name().empty() ? nodeProto.output(0) : a->t().name(),
      [this, name] {
        return emitError() << "attribute '" << name.str() << "': ";
      });
  if (failed(value)) {
    failedAttribute = true;
    return {};
  }
  return *value;
}

int NodeImporter::attrTensorDataType(StringRef name) const {
  const onnx::AttributeProto *a = attr(name);
  return a && a->has_t() ? a->t().data_type() : 0;
}

//===----------------------------------------------------------------------===//
// Results
//===----------------------------------------------------------------------===//

bool NodeImporter::hasOutput(int i) const {
  return i >= 0 && i < nodeProto.output_size() && !nodeProto.output(i).empty();
}

LogicalResult NodeImporter::setResult(int i, Value value, int dataType) {
  if (!hasOutput(i))
    return success(); // optional output not requested
  if (!value)
    return emitError() << "internal error: no value for output " << i;
  Type elementType = cast<ShapedType>(value.getType()).getElementType();
  if (dataType == 0) {
    // Integers of input 0's width keep its signedness (Add of two uint8 is
    // uint8); other types are derived from the MLIR type.
    int in0 = inputDataType(0);
    Type in0Type = hasInput(0) ? inputType(0).getElementType() : Type();
    bool sameInteger = in0 && in0Type == elementType && elementType.isInteger() &&
                       !elementType.isInteger(1);
    dataType = sameInteger ? in0 : getDataTypeOf(elementType);
  }
  ElementsAttr constant;
  if (auto c = value.getDefiningOp<arith::ConstantOp>())
    constant = dyn_cast<ElementsAttr>(c.getValue());
  graphImporter.bind(nodeProto.output(i), TensorEntry{value, dataType, constant});
  return success();
}

LogicalResult NodeImporter::forwardInput(int output, int input) {
  const TensorEntry *entry = inputEntry(input);
  if (!entry)
    return emitError() << "input " << input << " is missing";
  if (hasOutput(output))
    graphImporter.bind(nodeProto.output(output), *entry);
  return success();
}

LogicalResult NodeImporter::setConstantResult(int i, ElementsAttr value,
                                              int dataType) {
  auto constant = arith::ConstantOp::create(opBuilder, location,
                                            cast<TypedAttr>(value));
  return setResult(i, constant.getResult(), dataType);
}

Type NodeImporter::elementType(int dataType) {
  Type type = getElementType(context(), dataType);
  if (!type) {
    emitError() << "element type " << getDataTypeName(dataType)
                << " is not supported";
    failedAttribute = true;
  }
  return type;
}
