//===- TensorProtoFile.cpp - ONNX TensorProto reader ----------------------===//

#include "TensorProtoFile.h"

#include "onnx/onnx_pb.h"

#include <cstring>

using namespace runner;

namespace {

/// Copies `count` values of a repeated field into `out`, narrowing each to
/// `Element` (int32_data holds 8- and 16-bit values, float16 bits included).
template <typename Element, typename Field>
void copyValues(const Field &field, std::vector<char> &out) {
  out.resize(field.size() * sizeof(Element));
  for (int i = 0; i < field.size(); ++i) {
    Element value = static_cast<Element>(field.Get(i));
    std::memcpy(out.data() + i * sizeof(Element), &value, sizeof(Element));
  }
}

} // namespace

bool runner::parseTensorProto(const std::string &contents, HostTensor &tensor,
                              std::string &error) {
  onnx::TensorProto proto;
  if (!proto.ParseFromString(contents)) {
    error = "not a serialized onnx.TensorProto";
    return false;
  }
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    error = "tensors with external data are not supported";
    return false;
  }
  auto dtype = static_cast<lowbit_dtype>(proto.data_type());
  int64_t elementSize = lowbit_dtype_size(dtype);
  if (elementSize == 0) {
    error = "TensorProto data type " + std::to_string(proto.data_type()) +
            " is not supported";
    return false;
  }
  std::vector<int64_t> shape(proto.dims().begin(), proto.dims().end());
  int64_t elements = countElements(shape);
  if (elements < 0) {
    error = "the tensor's dims are negative or too large";
    return false;
  }

  std::vector<char> data;
  if (!proto.raw_data().empty()) {
    data.assign(proto.raw_data().begin(), proto.raw_data().end());
  } else {
    switch (dtype) {
    case LOWBIT_DTYPE_FLOAT32:
      copyValues<float>(proto.float_data(), data);
      break;
    case LOWBIT_DTYPE_FLOAT64:
      copyValues<double>(proto.double_data(), data);
      break;
    case LOWBIT_DTYPE_INT64:
      copyValues<int64_t>(proto.int64_data(), data);
      break;
    case LOWBIT_DTYPE_UINT32:
      copyValues<uint32_t>(proto.uint64_data(), data);
      break;
    case LOWBIT_DTYPE_UINT64:
      copyValues<uint64_t>(proto.uint64_data(), data);
      break;
    case LOWBIT_DTYPE_INT32:
      copyValues<int32_t>(proto.int32_data(), data);
      break;
    case LOWBIT_DTYPE_INT8: copyValues<int8_t>(proto.int32_data(), data); break;
    case LOWBIT_DTYPE_UINT8:
    case LOWBIT_DTYPE_BOOL:
      copyValues<uint8_t>(proto.int32_data(), data);
      break;
    case LOWBIT_DTYPE_INT16:
      copyValues<int16_t>(proto.int32_data(), data);
      break;
    case LOWBIT_DTYPE_UINT16:
    case LOWBIT_DTYPE_FLOAT16:
    case LOWBIT_DTYPE_BFLOAT16:
      copyValues<uint16_t>(proto.int32_data(), data);
      break;
    }
  }
  uint64_t expected = static_cast<uint64_t>(elements) * elementSize;
  if (data.size() != expected) {
    error = "the tensor holds " + std::to_string(data.size()) +
            " bytes of data; its dims and data type need " +
            std::to_string(expected);
    return false;
  }
  tensor.dtype = dtype;
  tensor.shape = std::move(shape);
  tensor.data = std::move(data);
  return true;
}
