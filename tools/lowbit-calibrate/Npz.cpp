//===- Npz.cpp - numpy .npz archives --------------------------------------===//
//
// Only the central directory is trusted for sizes and offsets (local headers
// may leave them out when a data descriptor follows the data).
//
//===----------------------------------------------------------------------===//

#include "Npz.h"

#include "Npy.h"

#include <cstring>

using namespace calibrate;

namespace {

constexpr uint32_t kEndOfDirectory = 0x06054b50;
constexpr uint32_t kZip64EndLocator = 0x07064b50;
constexpr uint32_t kZip64End = 0x06064b50;
constexpr uint32_t kDirectoryEntry = 0x02014b50;
constexpr uint32_t kLocalHeader = 0x04034b50;

/// Little-endian reads that fail instead of running past the end.
struct Reader {
  const std::string &bytes;
  bool ok = true;

  uint64_t read(uint64_t at, unsigned size) {
    if (at > bytes.size() || size > bytes.size() - at) {
      ok = false;
      return 0;
    }
    uint64_t value = 0;
    for (unsigned i = 0; i < size; ++i)
      value |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[at + i]))
               << (8 * i);
    return value;
  }
};

} // namespace

bool calibrate::readNpz(const std::string &path,
                        std::map<std::string, runner::HostTensor> &arrays,
                        std::string &error) {
  std::string bytes;
  if (!runner::readFile(path, bytes, error))
    return false;
  auto fail = [&](const std::string &what) {
    error = path + ": " + what;
    return false;
  };
  Reader in{bytes};

  // The end-of-directory record sits in the last 22 + 65535 bytes.
  if (bytes.size() < 22)
    return fail("not an .npz (zip) archive");
  uint64_t end = bytes.size() - 22;
  uint64_t stop = bytes.size() > 22 + 65535 ? bytes.size() - 22 - 65535 : 0;
  while (in.read(end, 4) != kEndOfDirectory) {
    if (end == stop)
      return fail("not an .npz (zip) archive");
    --end;
  }
  uint64_t entries = in.read(end + 10, 2);
  uint64_t directory = in.read(end + 16, 4);
  if (directory == 0xFFFFFFFFu || entries == 0xFFFFu) {
    if (end < 20 || in.read(end - 20, 4) != kZip64EndLocator)
      return fail("malformed zip64 archive");
    uint64_t end64 = in.read(end - 20 + 8, 8);
    if (in.read(end64, 4) != kZip64End)
      return fail("malformed zip64 archive");
    entries = in.read(end64 + 32, 8);
    directory = in.read(end64 + 48, 8);
  }

  uint64_t at = directory;
  for (uint64_t e = 0; e < entries; ++e) {
    if (in.read(at, 4) != kDirectoryEntry)
      return fail("malformed zip central directory");
    uint64_t flags = in.read(at + 8, 2);
    uint64_t method = in.read(at + 10, 2);
    uint64_t compressed = in.read(at + 20, 4);
    uint64_t size = in.read(at + 24, 4);
    uint64_t nameLength = in.read(at + 28, 2);
    uint64_t extraLength = in.read(at + 30, 2);
    uint64_t commentLength = in.read(at + 32, 2);
    uint64_t local = in.read(at + 42, 4);
    if (!in.ok)
      return fail("truncated zip central directory");
    std::string name = bytes.substr(at + 46, nameLength);
    // zip64: the 32-bit fields that overflowed come, in order, from the
    // extra field with id 1.
    uint64_t extra = at + 46 + nameLength, extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      uint64_t id = in.read(extra, 2), length = in.read(extra + 2, 2);
      if (id == 1) {
        uint64_t field = extra + 4;
        for (uint64_t *slot : {&size, &compressed, &local})
          if (*slot == 0xFFFFFFFFu) {
            *slot = in.read(field, 8);
            field += 8;
          }
      }
      extra += 4 + length;
    }
    at = extraEnd + commentLength;
    if (!in.ok)
      return fail("truncated zip central directory");
    if (flags & 1)
      return fail("member '" + name + "' is encrypted");

    if (in.read(local, 4) != kLocalHeader)
      return fail("malformed zip member '" + name + "'");
    uint64_t data =
        local + 30 + in.read(local + 26, 2) + in.read(local + 28, 2);
    if (!in.ok || data > bytes.size() || compressed > bytes.size() - data)
      return fail("truncated zip member '" + name + "'");

    std::string contents;
    if (method == 0) {
      contents = bytes.substr(data, compressed);
    } else {
      return fail("member '" + name + "' is compressed (zip method " +
                  std::to_string(method) +
                  "); save the samples with np.savez, not "
                  "np.savez_compressed");
    }
    if (contents.size() != size)
      return fail("member '" + name + "' has the wrong size");

    std::string key = name;
    if (key.size() > 4 && key.compare(key.size() - 4, 4, ".npy") == 0)
      key.resize(key.size() - 4);
    runner::HostTensor tensor;
    std::string npyError;
    if (!runner::parseNpy(contents, tensor, npyError))
      return fail("array '" + key + "': " + npyError);
    arrays[key] = std::move(tensor);
  }
  return true;
}
