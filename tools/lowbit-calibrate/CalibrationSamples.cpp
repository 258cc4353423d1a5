//===- CalibrationSamples.cpp - the samples lowbit-calibrate feeds --------===//

#include "CalibrationSamples.h"

#include "Npy.h"
#include "Npz.h"
#include "TensorProtoFile.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>

using namespace calibrate;

namespace {

std::string describeShape(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

bool sameDtype(lowbit_dtype a, lowbit_dtype b) {
  if (a == b)
    return true;
  // Signless integers of the IR stand for both signednesses.
  auto pair = [&](lowbit_dtype x, lowbit_dtype y) {
    return (a == x && b == y) || (a == y && b == x);
  };
  return pair(LOWBIT_DTYPE_INT8, LOWBIT_DTYPE_UINT8) ||
         pair(LOWBIT_DTYPE_INT16, LOWBIT_DTYPE_UINT16) ||
         pair(LOWBIT_DTYPE_INT32, LOWBIT_DTYPE_UINT32) ||
         pair(LOWBIT_DTYPE_INT64, LOWBIT_DTYPE_UINT64);
}

} // namespace

bool CalibrationSamples::check(const std::string &where,
                               const InputSpec &input,
                               const runner::HostTensor &tensor,
                               int64_t samples, std::string &error) const {
  if (!sameDtype(tensor.dtype, input.dtype)) {
    error = where + ": dtype " + lowbit_dtype_name(tensor.dtype) +
            ", but model input '" + input.name + "' takes " +
            lowbit_dtype_name(input.dtype);
    return false;
  }
  int64_t elements = runner::countElements(tensor.shape);
  int64_t wanted = input.numBytes / std::max<int64_t>(
                                        1, lowbit_dtype_size(input.dtype));
  if (elements < 0 || elements != wanted * samples) {
    error = where + ": shape " + describeShape(tensor.shape) +
            " does not hold " +
            (samples == 1 ? std::string("one sample")
                          : std::to_string(samples) + " samples") +
            " of model input '" + input.name + "' (shape " +
            describeShape(input.shape) + ")";
    return false;
  }
  return true;
}

bool CalibrationSamples::open(const std::string &dataPath,
                              const std::vector<InputSpec> &modelInputs,
                              std::string &error) {
  path = dataPath;
  inputs = modelInputs;
  if (llvm::sys::fs::is_directory(path)) {
    std::error_code ec;
    for (llvm::sys::fs::directory_iterator it(path, ec), end; it != end && !ec;
         it.increment(ec))
      if (llvm::sys::fs::is_directory(it->path()))
        sampleDirs.push_back(it->path());
    if (ec) {
      error = path + ": " + ec.message();
      return false;
    }
    std::sort(sampleDirs.begin(), sampleDirs.end());
    if (sampleDirs.empty()) {
      error = path + ": no sample directories (expected one per sample, "
                     "each with input_<i>.pb files)";
      return false;
    }
    count = static_cast<int64_t>(sampleDirs.size());
    return true;
  }

  std::map<std::string, runner::HostTensor> stored;
  if (!readNpz(path, stored, error))
    return false;
  for (const InputSpec &input : inputs) {
    auto found = stored.find(input.name);
    if (found == stored.end() && inputs.size() == 1 && stored.size() == 1)
      found = stored.begin();
    if (found == stored.end()) {
      error = path + ": no array for model input '" + input.name + "'";
      return false;
    }
    runner::HostTensor tensor = std::move(found->second);
    stored.erase(found);
    if (tensor.shape.empty()) {
      error = path + ": array for '" + input.name +
              "' has no leading sample axis";
      return false;
    }
    int64_t samples = tensor.shape[0];
    if (!arrays.empty() && samples != count) {
      error = path + ": array for '" + input.name + "' has " +
              std::to_string(samples) + " samples, the others " +
              std::to_string(count);
      return false;
    }
    count = samples;
    if (!check(path + ": array '" + input.name + "'", input, tensor, samples,
               error))
      return false;
    arrays.push_back(std::move(tensor));
  }
  if (!stored.empty()) {
    error = path + ": array '" + stored.begin()->first +
            "' matches no model input";
    return false;
  }
  if (count == 0) {
    error = path + ": no samples";
    return false;
  }
  return true;
}

bool CalibrationSamples::get(int64_t index,
                             std::vector<std::vector<char>> &buffers,
                             std::string &error) {
  buffers.resize(inputs.size());
  if (sampleDirs.empty()) {
    for (auto [i, input] : llvm::enumerate(inputs)) {
      const char *begin = arrays[i].data.data() + index * input.numBytes;
      buffers[i].assign(begin, begin + input.numBytes);
    }
    return true;
  }
  const std::string &dir = sampleDirs[index];
  for (auto [i, input] : llvm::enumerate(inputs)) {
    std::string file;
    for (std::string candidate :
         {"input_" + std::to_string(i) + ".pb", input.name + ".npy",
          input.name + ".pb"}) {
      llvm::SmallString<256> full(dir);
      llvm::sys::path::append(full, candidate);
      if (llvm::sys::fs::is_regular_file(full)) {
        file = std::string(full);
        break;
      }
    }
    if (file.empty()) {
      error = dir + ": no input_" + std::to_string(i) + ".pb, " + input.name +
              ".npy or " + input.name + ".pb for model input '" +
              input.name + "'";
      return false;
    }
    std::string contents;
    if (!runner::readFile(file, contents, error))
      return false;
    runner::HostTensor tensor;
    bool parsed = runner::looksLikeNpy(contents)
                      ? runner::parseNpy(contents, tensor, error)
                      : runner::parseTensorProto(contents, tensor, error);
    if (!parsed) {
      error = file + ": " + error;
      return false;
    }
    if (!check(file, input, tensor, 1, error))
      return false;
    buffers[i] = std::move(tensor.data);
  }
  return true;
}
