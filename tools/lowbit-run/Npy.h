//===- Npy.h - numpy .npy files ---------------------------------*- C++ -*-===//
//
// Versions 1.0 to 3.0; little-endian or byte-sized dtypes f2/f4/f8, i1..i8,
// u1..u8, b1 in C order. Fortran order, object and structured arrays and
// big-endian data are rejected with a message, never guessed at.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TOOLS_LOWBIT_RUN_NPY_H
#define LOWBIT_TOOLS_LOWBIT_RUN_NPY_H

#include "HostTensor.h"

namespace runner {

/// True when `contents` starts with the .npy magic string.
bool looksLikeNpy(const std::string &contents);

/// Parses a whole .npy file; false with `error` set on anything malformed or
/// unsupported.
bool parseNpy(const std::string &contents, HostTensor &tensor,
              std::string &error);

/// Writes `tensor` as a version 1.0 .npy file.
bool writeNpy(const std::string &path, const HostTensor &tensor,
              std::string &error);

} // namespace runner

#endif // LOWBIT_TOOLS_LOWBIT_RUN_NPY_H
