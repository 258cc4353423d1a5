//===- TensorConversion.cpp - ONNX tensors and types to MLIR --------------===//

#include "TensorConversion.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cstring>

using namespace mlir;
using namespace lowbit::onnx_import;
using onnx::TensorProto;

Type lowbit::onnx_import::getElementType(MLIRContext *context, int dataType) {
  Builder b(context);
  switch (dataType) {
  case TensorProto::FLOAT: return b.getF32Type();
  case TensorProto::DOUBLE: return b.getF64Type();
  case TensorProto::FLOAT16: return b.getF16Type();
  case TensorProto::BFLOAT16: return b.getBF16Type();
  case TensorProto::INT8: case TensorProto::UINT8: return b.getIntegerType(8);
  case TensorProto::INT16: case TensorProto::UINT16: return b.getIntegerType(16);
  case TensorProto::INT32: case TensorProto::UINT32: return b.getIntegerType(32);
  case TensorProto::INT64: case TensorProto::UINT64: return b.getIntegerType(64);
  case TensorProto::BOOL: return b.getI1Type();
  default: return {};
  }
}

const char *lowbit::onnx_import::getDataTypeName(int dataType) {
  switch (dataType) {
  case TensorProto::FLOAT: return "float32";
  case TensorProto::DOUBLE: return "float64";
  case TensorProto::FLOAT16: return "float16";
  case TensorProto::BFLOAT16: return "bfloat16";
  case TensorProto::INT8: return "int8";
  case TensorProto::UINT8: return "uint8";
  case TensorProto::INT16: return "int16";
  case TensorProto::UINT16: return "uint16";
  case TensorProto::INT32: return "int32";
  case TensorProto::UINT32: return "uint32";
  case TensorProto::INT64: return "int64";
  case TensorProto::UINT64: return "uint64";
  case TensorProto::BOOL: return "bool";
  case TensorProto::STRING: return "string";
  case TensorProto::COMPLEX64: return "complex64";
  case TensorProto::COMPLEX128: return "complex128";
  default: return "an unknown type";
  }
}

int lowbit::onnx_import::getDataTypeOf(Type type, bool isUnsigned) {
  if (type.isF32()) return TensorProto::FLOAT;
  if (type.isF64()) return TensorProto::DOUBLE;
  if (type.isF16()) return TensorProto::FLOAT16;
  if (type.isBF16()) return TensorProto::BFLOAT16;
  if (type.isInteger(1)) return TensorProto::BOOL;
  if (type.isInteger(8)) return isUnsigned ? TensorProto::UINT8 : TensorProto::INT8;
  if (type.isInteger(16)) return isUnsigned ? TensorProto::UINT16 : TensorProto::INT16;
  if (type.isInteger(32)) return isUnsigned ? TensorProto::UINT32 : TensorProto::INT32;
  if (type.isInteger(64)) return isUnsigned ? TensorProto::UINT64 : TensorProto::INT64;
  return TensorProto::UNDEFINED;
}

bool lowbit::onnx_import::isUnsignedDataType(int dataType) {
  return dataType == TensorProto::UINT8 || dataType == TensorProto::UINT16 ||
         dataType == TensorProto::UINT32 || dataType == TensorProto::UINT64;
}

int64_t lowbit::onnx_import::getDataTypeSize(int dataType) {
  switch (dataType) {
  case TensorProto::DOUBLE: case TensorProto::INT64: case TensorProto::UINT64:
    return 8;
  case TensorProto::FLOAT: case TensorProto::INT32: case TensorProto::UINT32:
    return 4;
  case TensorProto::FLOAT16: case TensorProto::BFLOAT16:
  case TensorProto::INT16: case TensorProto::UINT16:
    return 2;
  case TensorProto::INT8: case TensorProto::UINT8: case TensorProto::BOOL:
    return 1;
  default:
    return 0;
  }
}

TensorConverter::TensorConverter(MLIRContext *context,
                                 std::shared_ptr<const onnx::ModelProto> model,
                                 std::string modelDirectory)
    : context(context), model(std::move(model)),
      modelDirectory(std::move(modelDirectory)) {
  SmallString<256> real;
  if (!llvm::sys::fs::real_path(this->modelDirectory, real))
    realModelDirectory = std::string(real);
}

namespace {

/// Copies the typed repeated fields (float_data, int32_data, ...) into raw
/// little-endian bytes of the element type.
template <typename Src, typename Dst>
void copyField(const google::protobuf::RepeatedField<Src> &field,
               std::vector<char> &out) {
  out.resize(field.size() * sizeof(Dst));
  for (int i = 0; i < field.size(); ++i) {
    Dst v = static_cast<Dst>(field.Get(i));
    std::memcpy(out.data() + i * sizeof(Dst), &v, sizeof(Dst));
  }
}

/// Number of values in the typed field that holds this data type, and the
/// bytes they convert to.
int64_t typedFieldSize(const TensorProto &t) {
  switch (t.data_type()) {
  case TensorProto::FLOAT: return t.float_data_size();
  case TensorProto::DOUBLE: return t.double_data_size();
  case TensorProto::INT64: return t.int64_data_size();
  case TensorProto::UINT32: case TensorProto::UINT64: return t.uint64_data_size();
  default: return t.int32_data_size();
  }
}

void typedFieldBytes(const TensorProto &t, std::vector<char> &out) {
  switch (t.data_type()) {
  case TensorProto::FLOAT: return copyField<float, float>(t.float_data(), out);
  case TensorProto::DOUBLE: return copyField<double, double>(t.double_data(), out);
  case TensorProto::INT64: return copyField<int64_t, int64_t>(t.int64_data(), out);
  case TensorProto::UINT32: return copyField<uint64_t, uint32_t>(t.uint64_data(), out);
  case TensorProto::UINT64: return copyField<uint64_t, uint64_t>(t.uint64_data(), out);
  case TensorProto::INT32: return copyField<int32_t, int32_t>(t.int32_data(), out);
  case TensorProto::INT16: case TensorProto::UINT16:
  case TensorProto::FLOAT16: case TensorProto::BFLOAT16:
    return copyField<int32_t, uint16_t>(t.int32_data(), out);
  default: // int8, uint8, bool
    return copyField<int32_t, uint8_t>(t.int32_data(), out);
  }
}

bool isAligned(const char *p, size_t alignment) {
  return reinterpret_cast<uintptr_t>(p) % alignment == 0;
}

} // namespace

FailureOr<std::shared_ptr<llvm::MemoryBuffer>>
TensorConverter::mapExternalData(const TensorProto &tensor,
                                 int64_t expectedBytes,
                                 const ErrorFn &emitError) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto &entry : tensor.external_data()) {
    auto parseInt = [&](int64_t &out) {
      if (llvm::StringRef(entry.value()).getAsInteger(10, out) || out < 0)
        return false;
      return true;
    };
    if (entry.key() == "location")
      location = entry.value();
    else if (entry.key() == "offset" && !parseInt(offset))
      return emitError() << "external data offset '" << entry.value()
                         << "' is not a non-negative integer";
    else if (entry.key() == "length" && !parseInt(length))
      return emitError() << "external data length '" << entry.value()
                         << "' is not a non-negative integer";
  }
  if (location.empty())
    return emitError() << "external data has no location";
  if (modelDirectory.empty())
    return emitError() << "external data '" << location
                       << "' cannot be read for a model given in memory";
  // Only files inside the model's directory: no absolute paths, no '..'
  // components, and after resolving symbolic links still inside.
  if (llvm::sys::path::is_absolute(location) ||
      llvm::sys::path::is_absolute(location, llvm::sys::path::Style::windows))
    return emitError() << "external data location '" << location
                       << "' is an absolute path; it must be relative to the "
                          "model's directory";
  for (llvm::StringRef part : llvm::make_range(
           llvm::sys::path::begin(location), llvm::sys::path::end(location)))
    if (part == "..")
      return emitError() << "external data location '" << location
                         << "' leaves the model's directory";
  SmallString<256> path(modelDirectory);
  llvm::sys::path::append(path, location);
  SmallString<256> real;
  if (std::error_code ec = llvm::sys::fs::real_path(path, real))
    return emitError() << "cannot open external data file '" << location
                       << "': " << ec.message();
  llvm::StringRef dir = realModelDirectory;
  if (dir.empty() || !llvm::StringRef(real).starts_with(dir) ||
      real.size() <= dir.size() ||
      !llvm::sys::path::is_separator(real[dir.size()]))
    return emitError() << "external data location '" << location
                       << "' resolves outside the model's directory";
  llvm::sys::fs::file_status status;
  if (llvm::sys::fs::status(real, status) ||
      status.type() != llvm::sys::fs::file_type::regular_file)
    return emitError() << "external data location '" << location
                       << "' is not a regular file";
  uint64_t fileSize = status.getSize();
  if (length >= 0 && length != expectedBytes)
    return emitError() << "external data length " << length
                       << " differs from the " << expectedBytes
                       << " bytes its shape and type need";
  if (static_cast<uint64_t>(offset) > fileSize ||
      static_cast<uint64_t>(expectedBytes) > fileSize - offset)
    return emitError() << "external data [" << offset << ", "
                       << offset + expectedBytes << ") lies beyond the end of '"
                       << location << "' (" << fileSize << " bytes)";
  auto buffer = llvm::MemoryBuffer::getFileSlice(real, expectedBytes, offset,
                                                 /*IsVolatile=*/false);
  if (!buffer)
    return emitError() << "cannot map external data file '" << location
                       << "': " << buffer.getError().message();
  return std::shared_ptr<llvm::MemoryBuffer>(std::move(*buffer));
}

FailureOr<ElementsAttr> TensorConverter::convert(const TensorProto &tensor,
                                                 llvm::StringRef nameHint,
                                                 const ErrorFn &emitError) {
  int dataType = tensor.data_type();
  Type elementType = getElementType(context, dataType);
  if (!elementType)
    return emitError() << "tensor '" << tensor.name() << "' has element type "
                       << getDataTypeName(dataType)
                       << ", which lowbit does not support";
  if (tensor.has_segment())
    return emitError() << "segmented tensors are not supported";

  SmallVector<int64_t> shape;
  int64_t count = 1;
  for (int64_t d : tensor.dims()) {
    if (d < 0)
      return emitError() << "tensor '" << tensor.name()
                         << "' has a negative dimension " << d;
    if (d != 0 && count > kMaxElements / d)
      return emitError() << "tensor '" << tensor.name()
                         << "' has more than 2^40 elements; the header is "
                            "corrupt or the model too large";
    count *= d;
    shape.push_back(d);
  }
  auto type = RankedTensorType::get(shape, elementType);
  int64_t elementBytes = getDataTypeSize(dataType);
  int64_t bytes = count * elementBytes;

  // Locate the bytes: external file, raw_data, or the typed fields.
  std::shared_ptr<llvm::MemoryBuffer> mapped;
  std::vector<char> converted;
  llvm::ArrayRef<char> data;
  bool external = tensor.data_location() == TensorProto::EXTERNAL;
  if (external) {
    auto buffer = mapExternalData(tensor, bytes, emitError);
    if (failed(buffer))
      return failure();
    mapped = *buffer;
    data = llvm::ArrayRef<char>(mapped->getBufferStart(), mapped->getBufferSize());
  } else if (tensor.has_raw_data()) {
    if (static_cast<int64_t>(tensor.raw_data().size()) != bytes)
      return emitError() << "tensor '" << tensor.name() << "' holds "
                         << tensor.raw_data().size() << " bytes of raw data "
                         << "but its shape and type need " << bytes;
    data = llvm::ArrayRef<char>(tensor.raw_data().data(), tensor.raw_data().size());
  } else {
    if (typedFieldSize(tensor) != count)
      return emitError() << "tensor '" << tensor.name() << "' holds "
                         << typedFieldSize(tensor) << " values but its shape "
                         << "needs " << count;
    typedFieldBytes(tensor, converted);
    data = converted;
  }

  // Booleans: one byte each in ONNX; build a bool attribute.
  if (dataType == TensorProto::BOOL) {
    SmallVector<bool> values(count);
    for (int64_t i = 0; i < count; ++i)
      values[i] = data[i] != 0;
    return cast<ElementsAttr>(DenseElementsAttr::get(type, values));
  }

  bool small = elementType.isInteger() ? count <= kMaxDenseIntElements
                                       : count <= kMaxDenseFloatElements;
  if (small) {
    return cast<ElementsAttr>(DenseElementsAttr::getFromRawBuffer(type, data));
  }

  // Large: a resource blob. Point into the model (or the mapping) when the
  // data is aligned for its element type, else copy once.
  AsmResourceBlob blob;
  if (!converted.empty() || !isAligned(data.data(), elementBytes)) {
    blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(data, elementBytes);
  } else if (mapped) {
    blob = AsmResourceBlob(data, elementBytes,
                           [keep = mapped](void *, size_t, size_t) {},
                           /*dataIsMutable=*/false);
  } else {
    blob = AsmResourceBlob(data, elementBytes,
                           [keep = model](void *, size_t, size_t) {},
                           /*dataIsMutable=*/false);
  }
  std::string name = nameHint.empty() ? std::string("weight") : nameHint.str();
  return cast<ElementsAttr>(
      DenseResourceElementsAttr::get(type, name, std::move(blob)));
}
