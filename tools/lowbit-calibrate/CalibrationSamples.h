//===- CalibrationSamples.h - the samples lowbit-calibrate feeds -*- C++ -*-===//
//
// Two layouts:
//   * DATA.npz: one array per model input, keyed by the input's name, with
//     a leading sample axis; sample i is array[i], whose element count must
//     be the input's (so [S, 1, 32] and [S, 32] both feed an input of shape
//     [1, 32]). A model with one input also takes an archive of one array
//     under any name.
//   * DIR: one subdirectory per sample, taken in name order (the layout of
//     ONNX's test_data_set_N directories), holding for input i
//     `input_<i>.pb` (a TensorProto), or else `<name>.npy` or `<name>.pb`.
// Dtypes must be the model's exactly; nothing is converted silently.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TOOLS_LOWBIT_CALIBRATE_CALIBRATIONSAMPLES_H
#define LOWBIT_TOOLS_LOWBIT_CALIBRATE_CALIBRATIONSAMPLES_H

#include "HostTensor.h"

#include <map>
#include <string>
#include <vector>

namespace calibrate {

/// What the model takes as one input.
struct InputSpec {
  std::string name;
  lowbit_dtype dtype;
  std::vector<int64_t> shape;
  int64_t numBytes;
};

class CalibrationSamples {
public:
  /// Opens `path` (an .npz file or a directory) for a model with `inputs`.
  bool open(const std::string &path, const std::vector<InputSpec> &inputs,
            std::string &error);

  int64_t size() const { return count; }

  /// The bytes of every input of sample `index`, in the model's order.
  bool get(int64_t index, std::vector<std::vector<char>> &buffers,
           std::string &error);

private:
  bool check(const std::string &where, const InputSpec &input,
             const runner::HostTensor &tensor, int64_t samples,
             std::string &error) const;

  std::string path;
  std::vector<InputSpec> inputs;
  int64_t count = 0;
  /// .npz: the arrays in input order; directory: the sample directories.
  std::vector<runner::HostTensor> arrays;
  std::vector<std::string> sampleDirs;
};

} // namespace calibrate

#endif // LOWBIT_TOOLS_LOWBIT_CALIBRATE_CALIBRATIONSAMPLES_H
