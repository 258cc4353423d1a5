//===- Npz.h - numpy .npz archives ------------------------------*- C++ -*-===//
//
// An .npz file is a zip archive of .npy files, one per array, named
// "<key>.npy". Members must be stored (np.savez); deflated members
// (np.savez_compressed) are rejected with a message. zip64 archives
// (members over 4 GiB) are read too.
// Each member is parsed by the .npy reader of lowbit-run.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TOOLS_LOWBIT_CALIBRATE_NPZ_H
#define LOWBIT_TOOLS_LOWBIT_CALIBRATE_NPZ_H

#include "HostTensor.h"

#include <map>
#include <string>

namespace calibrate {

/// Reads every array of the archive `path`, keyed by name without ".npy".
/// False with `error` (naming the file and member) on anything malformed.
bool readNpz(const std::string &path,
             std::map<std::string, runner::HostTensor> &arrays,
             std::string &error);

} // namespace calibrate

#endif // LOWBIT_TOOLS_LOWBIT_CALIBRATE_NPZ_H
