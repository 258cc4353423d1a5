//===- HostTensor.h - a tensor read from or written to a file ---*- C++ -*-===//

#ifndef LOWBIT_TOOLS_LOWBIT_RUN_HOSTTENSOR_H
#define LOWBIT_TOOLS_LOWBIT_RUN_HOSTTENSOR_H

#include "lowbit-c/lowbit.h"

#include <cstdint>
#include <string>
#include <vector>

namespace runner {

/// Dense, C order, little-endian (the host's order).
struct HostTensor {
  lowbit_dtype dtype = LOWBIT_DTYPE_FLOAT32;
  std::vector<int64_t> shape;
  std::vector<char> data;
};

/// Number of elements of `shape`, or -1 when a dimension is negative or the
/// count (times 8 bytes) would not fit in int64_t.
int64_t countElements(const std::vector<int64_t> &shape);

/// Reads `path` whole; false with `error` set when it cannot.
bool readFile(const std::string &path, std::string &contents,
              std::string &error);

} // namespace runner

#endif // LOWBIT_TOOLS_LOWBIT_RUN_HOSTTENSOR_H
