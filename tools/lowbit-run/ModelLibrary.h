//===- ModelLibrary.h - a compiled model loaded with dlopen -----*- C++ -*-===//

#ifndef LOWBIT_TOOLS_LOWBIT_RUN_MODELLIBRARY_H
#define LOWBIT_TOOLS_LOWBIT_RUN_MODELLIBRARY_H

#include "lowbit-c/lowbit.h"

#include <memory>
#include <string>

namespace runner {

/// The C interface of one model library, with a context created.
class ModelLibrary {
public:
  /// Loads `path` and creates a context; null with `error` set when the file
  /// is not a loadable lowbit model library of this ABI version.
  static std::unique_ptr<ModelLibrary> open(const std::string &path,
                                            std::string &error);
  ~ModelLibrary();

  int64_t numInputs() const { return numInputsFn(context); }
  int64_t numOutputs() const { return numOutputsFn(context); }
  lowbit_tensor_info input(int64_t i) const;
  lowbit_tensor_info output(int64_t i) const;
  /// Runs the model; false with the runtime's message in `error`.
  bool run(const lowbit_tensor *inputs, int64_t numInputs,
           const lowbit_tensor *outputs, int64_t numOutputs,
           std::string &error);

private:
  ModelLibrary() = default;

  void *handle = nullptr;
  lowbit_context *context = nullptr;
  decltype(&lowbit_abi_version) abiVersionFn = nullptr;
  decltype(&lowbit_context_create) createFn = nullptr;
  decltype(&lowbit_context_destroy) destroyFn = nullptr;
  decltype(&lowbit_num_inputs) numInputsFn = nullptr;
  decltype(&lowbit_num_outputs) numOutputsFn = nullptr;
  decltype(&lowbit_input_info) inputInfoFn = nullptr;
  decltype(&lowbit_output_info) outputInfoFn = nullptr;
  decltype(&lowbit_run) runFn = nullptr;
  decltype(&lowbit_last_error) lastErrorFn = nullptr;
  decltype(&lowbit_status_string) statusStringFn = nullptr;
};

} // namespace runner

#endif // LOWBIT_TOOLS_LOWBIT_RUN_MODELLIBRARY_H
