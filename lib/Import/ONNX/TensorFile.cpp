//===- TensorFile.cpp - a tensor value from a .npy or TensorProto file ----===//

#include "TensorFile.h"

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <vector>

namespace lowbit::onnx_import {

namespace {

constexpr char kNpyMagic[] = "\x93NUMPY";
constexpr size_t kNpyMagicSize = 6;
constexpr size_t kMaxNpyHeader = 1 << 20;
constexpr size_t kMaxRank = 64;

/// The ONNX data type and element size of a numpy descr such as "<f4".
bool npyDataType(const std::string &descr, int &dataType, int &size,
                 std::string &error) {
  struct Entry {
    const char *code;
    int dataType;
    int size;
  };
  static const Entry kEntries[] = {
      {"f4", onnx::TensorProto::FLOAT, 4},   {"f8", onnx::TensorProto::DOUBLE, 8},
      {"f2", onnx::TensorProto::FLOAT16, 2}, {"i1", onnx::TensorProto::INT8, 1},
      {"i2", onnx::TensorProto::INT16, 2},   {"i4", onnx::TensorProto::INT32, 4},
      {"i8", onnx::TensorProto::INT64, 8},   {"u1", onnx::TensorProto::UINT8, 1},
      {"u2", onnx::TensorProto::UINT16, 2},  {"u4", onnx::TensorProto::UINT32, 4},
      {"u8", onnx::TensorProto::UINT64, 8},  {"b1", onnx::TensorProto::BOOL, 1},
  };
  if (descr.size() == 3 && std::strchr("<|=>", descr[0])) {
    for (const Entry &e : kEntries) {
      if (descr.compare(1, 2, e.code) != 0)
        continue;
      if (descr[0] == '>' && e.size > 1) {
        error = "big-endian .npy arrays are not supported";
        return false;
      }
      dataType = e.dataType;
      size = e.size;
      return true;
    }
  }
  error = ".npy dtype '" + descr + "' is not supported";
  return false;
}

/// The quoted string after `key` in the header dict.
bool headerString(const std::string &header, const std::string &key,
                  std::string &value) {
  size_t at = header.find("'" + key + "'");
  if (at == std::string::npos)
    return false;
  size_t open = header.find('\'', at + key.size() + 2);
  if (open == std::string::npos)
    return false;
  size_t close = header.find('\'', open + 1);
  if (close == std::string::npos)
    return false;
  value = header.substr(open + 1, close - open - 1);
  return true;
}

bool parseNpy(const std::string &bytes, onnx::TensorProto &tensor,
              std::string &error) {
  error = "not a valid .npy file";
  if (bytes.size() < kNpyMagicSize + 4)
    return false;
  unsigned major = static_cast<unsigned char>(bytes[6]);
  size_t lengthBytes = major == 1 ? 2 : 4;
  if (major < 1 || major > 3 || bytes.size() < 8 + lengthBytes)
    return false;
  size_t headerSize = 0;
  for (size_t i = 0; i < lengthBytes; ++i)
    headerSize |= size_t(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
  size_t dataStart = 8 + lengthBytes + headerSize;
  if (headerSize > kMaxNpyHeader || dataStart > bytes.size())
    return false;
  std::string header = bytes.substr(8 + lengthBytes, headerSize);

  std::string descr;
  if (!headerString(header, "descr", descr)) {
    error = ".npy header has no 'descr'";
    return false;
  }
  int dataType = 0, size = 0;
  if (!npyDataType(descr, dataType, size, error))
    return false;
  size_t fortran = header.find("'fortran_order'");
  if (fortran != std::string::npos &&
      header.compare(header.find(':', fortran) + 1, 5, " True") == 0) {
    error = "Fortran-order .npy arrays are not supported";
    return false;
  }
  size_t shapeAt = header.find("'shape'");
  size_t open = shapeAt == std::string::npos ? shapeAt : header.find('(', shapeAt);
  size_t close = open == std::string::npos ? open : header.find(')', open);
  if (close == std::string::npos) {
    error = ".npy header has no 'shape'";
    return false;
  }
  uint64_t count = 1;
  std::string dim;
  auto flushDim = [&]() -> bool {
    if (dim.empty())
      return true;
    if (dim.size() > 12 || tensor.dims_size() >= static_cast<int>(kMaxRank))
      return false;
    constexpr uint64_t kMaxCount = uint64_t(1) << 40;
    uint64_t d = std::stoull(dim);
    dim.clear();
    // Checked before multiplying: no overflow.
    if (d != 0 && count > kMaxCount / d)
      return false;
    tensor.add_dims(static_cast<int64_t>(d));
    count *= d;
    return true;
  };
  for (size_t i = open + 1; i < close; ++i) {
    char c = header[i];
    if (std::isdigit(static_cast<unsigned char>(c)))
      dim += c;
    else if (c == ',') {
      if (!flushDim()) {
        error = ".npy shape is too large";
        return false;
      }
    } else if (c != ' ' && c != 'L') {
      error = ".npy shape is malformed";
      return false;
    }
  }
  if (!flushDim()) {
    error = ".npy shape is too large";
    return false;
  }
  uint64_t dataBytes = count * static_cast<uint64_t>(size);
  if (bytes.size() - dataStart != dataBytes) {
    error = ".npy data has " + std::to_string(bytes.size() - dataStart) +
            " bytes; its header says " + std::to_string(dataBytes);
    return false;
  }
  tensor.set_data_type(dataType);
  tensor.set_raw_data(bytes.substr(dataStart));
  return true;
}

} // namespace

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
  if (bytes.compare(0, kNpyMagicSize, kNpyMagic, kNpyMagicSize) == 0)
    return parseNpy(bytes, tensor, error);
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
