//===- Npy.cpp - numpy .npy reader and writer -----------------------------===//

#include "Npy.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>

using namespace runner;

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
/// numpy itself writes headers of a few hundred bytes.
constexpr size_t kMaxHeaderSize = 1 << 20;
/// The runtime's limit too.
constexpr size_t kMaxRank = 64;

struct DescrEntry {
  const char *code; // without the byte-order character
  lowbit_dtype dtype;
};

constexpr DescrEntry kDescrs[] = {
    {"f4", LOWBIT_DTYPE_FLOAT32}, {"f8", LOWBIT_DTYPE_FLOAT64},
    {"f2", LOWBIT_DTYPE_FLOAT16}, {"i1", LOWBIT_DTYPE_INT8},
    {"i2", LOWBIT_DTYPE_INT16},   {"i4", LOWBIT_DTYPE_INT32},
    {"i8", LOWBIT_DTYPE_INT64},   {"u1", LOWBIT_DTYPE_UINT8},
    {"u2", LOWBIT_DTYPE_UINT16},  {"u4", LOWBIT_DTYPE_UINT32},
    {"u8", LOWBIT_DTYPE_UINT64},  {"b1", LOWBIT_DTYPE_BOOL},
};

bool parseDescr(const std::string &descr, lowbit_dtype &dtype,
                std::string &error) {
  if (descr.size() == 3 && (descr[0] == '<' || descr[0] == '|' ||
                            descr[0] == '=' || descr[0] == '>')) {
    for (const DescrEntry &entry : kDescrs) {
      if (descr.compare(1, 2, entry.code) != 0)
        continue;
      bool byteSized = entry.code[1] == '1';
      if (descr[0] == '>' && !byteSized) {
        error = "big-endian arrays ('" + descr + "') are not supported";
        return false;
      }
      dtype = entry.dtype;
      return true;
    }
  }
  if (descr.find('O') != std::string::npos)
    error = "object arrays are not supported";
  else
    error = "dtype '" + descr + "' is not supported";
  return false;
}

/// A tiny reader for the Python dict literal of the header:
/// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
class HeaderParser {
public:
  explicit HeaderParser(const std::string &text) : text(text) {}

  bool parse(std::string &descr, bool &fortranOrder,
             std::vector<int64_t> &shape, std::string &error) {
    bool sawDescr = false, sawOrder = false, sawShape = false;
    if (!consume('{'))
      return fail(error, "the header is not a dict");
    while (!consume('}')) {
      std::string key;
      if (!parseString(key) || !consume(':'))
        return fail(error, "malformed header");
      if (key == "descr") {
        if (!parseString(descr))
          return fail(error, "'descr' is not a simple dtype string "
                             "(structured arrays are not supported)");
        sawDescr = true;
      } else if (key == "fortran_order") {
        if (!parseBool(fortranOrder))
          return fail(error, "malformed 'fortran_order'");
        sawOrder = true;
      } else if (key == "shape") {
        if (!parseShape(shape))
          return fail(error, "malformed 'shape'");
        sawShape = true;
      } else {
        return fail(error, "unexpected header key '" + key + "'");
      }
      if (!consume(',')) {
        if (!consume('}'))
          return fail(error, "malformed header");
        break;
      }
    }
    if (!sawDescr || !sawOrder || !sawShape)
      return fail(error, "the header lacks descr, fortran_order or shape");
    skipSpace();
    if (pos != text.size())
      return fail(error, "trailing characters after the header dict");
    return true;
  }

private:
  static bool fail(std::string &error, const std::string &message) {
    error = message;
    return false;
  }
  void skipSpace() {
    while (pos < text.size() &&
           std::isspace(static_cast<unsigned char>(text[pos])))
      ++pos;
  }
  bool consume(char c) {
    skipSpace();
    if (pos < text.size() && text[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  }
  bool consumeWord(const char *word) {
    skipSpace();
    size_t n = std::strlen(word);
    if (text.compare(pos, n, word) != 0)
      return false;
    pos += n;
    return true;
  }
  bool parseString(std::string &out) {
    skipSpace();
    if (pos >= text.size() || (text[pos] != '\'' && text[pos] != '"'))
      return false;
    char quote = text[pos++];
    size_t end = text.find(quote, pos);
    if (end == std::string::npos)
      return false;
    out = text.substr(pos, end - pos);
    pos = end + 1;
    return true;
  }
  bool parseBool(bool &out) {
    if (consumeWord("True"))
      return out = true, true;
    if (consumeWord("False"))
      return out = false, true;
    return false;
  }
  bool parseShape(std::vector<int64_t> &shape) {
    if (!consume('('))
      return false;
    while (!consume(')')) {
      skipSpace();
      size_t start = pos;
      int64_t value = 0;
      while (pos < text.size() &&
             std::isdigit(static_cast<unsigned char>(text[pos]))) {
        if (value > (INT64_MAX - 9) / 10)
          return false;
        value = value * 10 + (text[pos++] - '0');
      }
      // numpy may write Python longs as "3L".
      if (pos < text.size() && text[pos] == 'L')
        ++pos;
      if (pos == start || shape.size() >= kMaxRank)
        return false;
      shape.push_back(value);
      if (!consume(',')) {
        if (!consume(')'))
          return false;
        break;
      }
    }
    return true;
  }

  const std::string &text;
  size_t pos = 0;
};

uint32_t readLittleEndian(const std::string &bytes, size_t offset,
                          size_t size) {
  uint32_t value = 0;
  for (size_t i = 0; i < size; ++i)
    value |=
        static_cast<uint32_t>(static_cast<unsigned char>(bytes[offset + i]))
        << (8 * i);
  return value;
}

const char *descrFor(lowbit_dtype dtype) {
  switch (dtype) {
  case LOWBIT_DTYPE_FLOAT32: return "<f4";
  case LOWBIT_DTYPE_FLOAT64: return "<f8";
  case LOWBIT_DTYPE_FLOAT16: return "<f2";
  case LOWBIT_DTYPE_INT8: return "|i1";
  case LOWBIT_DTYPE_INT16: return "<i2";
  case LOWBIT_DTYPE_INT32: return "<i4";
  case LOWBIT_DTYPE_INT64: return "<i8";
  case LOWBIT_DTYPE_UINT8: return "|u1";
  case LOWBIT_DTYPE_UINT16: return "<u2";
  case LOWBIT_DTYPE_UINT32: return "<u4";
  case LOWBIT_DTYPE_UINT64: return "<u8";
  case LOWBIT_DTYPE_BOOL: return "|b1";
  // numpy has no bfloat16: the bit patterns are written as uint16.
  case LOWBIT_DTYPE_BFLOAT16: return "<u2";
  }
  return nullptr;
}

} // namespace

bool runner::looksLikeNpy(const std::string &contents) {
  return contents.compare(0, kMagicSize, kMagic) == 0;
}

bool runner::parseNpy(const std::string &contents, HostTensor &tensor,
                      std::string &error) {
  if (contents.size() < kMagicSize + 4 || !looksLikeNpy(contents)) {
    error = "not a .npy file";
    return false;
  }
  int major = static_cast<unsigned char>(contents[kMagicSize]);
  size_t lengthSize = major == 1 ? 2 : (major == 2 || major == 3) ? 4 : 0;
  if (lengthSize == 0) {
    error =
        ".npy format version " + std::to_string(major) + " is not supported";
    return false;
  }
  size_t headerStart = kMagicSize + 2 + lengthSize;
  if (contents.size() < headerStart) {
    error = "truncated .npy header";
    return false;
  }
  size_t headerSize = readLittleEndian(contents, kMagicSize + 2, lengthSize);
  if (headerSize > kMaxHeaderSize ||
      headerSize > contents.size() - headerStart) {
    error = "truncated or oversized .npy header";
    return false;
  }
  std::string header = contents.substr(headerStart, headerSize);
  std::string descr;
  bool fortranOrder = false;
  std::vector<int64_t> shape;
  HeaderParser parser(header);
  if (!parser.parse(descr, fortranOrder, shape, error))
    return false;
  if (!parseDescr(descr, tensor.dtype, error))
    return false;
  if (fortranOrder) {
    error = "Fortran-order arrays are not supported; save a C-order copy "
            "(numpy.ascontiguousarray)";
    return false;
  }
  int64_t elements = countElements(shape);
  if (elements < 0) {
    error = "the shape is too large";
    return false;
  }
  size_t dataStart = headerStart + headerSize;
  uint64_t expected = static_cast<uint64_t>(elements) *
                      static_cast<uint64_t>(lowbit_dtype_size(tensor.dtype));
  uint64_t present = contents.size() - dataStart;
  if (present != expected) {
    error = "the file holds " + std::to_string(present) +
            " bytes of data; its shape and dtype need " +
            std::to_string(expected);
    return false;
  }
  tensor.shape = shape;
  tensor.data.assign(contents.begin() + dataStart, contents.end());
  return true;
}

bool runner::writeNpy(const std::string &path, const HostTensor &tensor,
                      std::string &error) {
  const char *descr = descrFor(tensor.dtype);
  if (!descr) {
    error = path + ": numpy has no " +
            std::string(lowbit_dtype_name(tensor.dtype)) + " dtype";
    return false;
  }
  std::string header = std::string("{'descr': '") + descr +
                       "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < tensor.shape.size(); ++i)
    header += (i ? ", " : "") + std::to_string(tensor.shape[i]);
  if (tensor.shape.size() == 1)
    header += ",";
  header += "), }";
  // Pad with spaces so that the data starts on a 64-byte boundary.
  size_t total = kMagicSize + 4 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';

  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) {
    error = "cannot write " + path + ": " + std::strerror(errno);
    return false;
  }
  file.write(kMagic, kMagicSize);
  char version[2] = {1, 0};
  file.write(version, 2);
  char length[2] = {static_cast<char>(header.size() & 0xff),
                    static_cast<char>(header.size() >> 8)};
  file.write(length, 2);
  file.write(header.data(), header.size());
  file.write(tensor.data.data(), tensor.data.size());
  file.close();
  if (!file) {
    error = "cannot write " + path + ": " + std::strerror(errno);
    return false;
  }
  return true;
}
