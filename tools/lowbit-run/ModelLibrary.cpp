//===- ModelLibrary.cpp - dlopen a model and bind its C interface ---------===//

#include "ModelLibrary.h"
#include "SharedObjectFile.h"

#include <dlfcn.h>

using namespace runner;

std::unique_ptr<ModelLibrary> ModelLibrary::open(const std::string &path,
                                                 std::string &error) {
  // A bare name would be searched for on the library path instead.
  std::string file = path.find('/') == std::string::npos ? "./" + path : path;
  if (!checkSharedObjectFile(file, error))
    return nullptr;
  std::unique_ptr<ModelLibrary> library(new ModelLibrary());
  library->handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library->handle) {
    const char *message = dlerror();
    error =
        "cannot load " + path + ": " + (message ? message : "unknown error");
    return nullptr;
  }
  bool complete = true;
  auto bind = [&](auto &fn, const char *name) {
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(
        dlsym(library->handle, name));
    complete = complete && fn;
  };
  bind(library->abiVersionFn, "lowbit_abi_version");
  bind(library->createFn, "lowbit_context_create");
  bind(library->destroyFn, "lowbit_context_destroy");
  bind(library->numInputsFn, "lowbit_num_inputs");
  bind(library->numOutputsFn, "lowbit_num_outputs");
  bind(library->inputInfoFn, "lowbit_input_info");
  bind(library->outputInfoFn, "lowbit_output_info");
  bind(library->runFn, "lowbit_run");
  bind(library->lastErrorFn, "lowbit_last_error");
  bind(library->statusStringFn, "lowbit_status_string");
  if (!complete) {
    error = path + " is not a lowbit model library (it lacks the lowbit C "
                   "interface)";
    return nullptr;
  }
  if (library->abiVersionFn() != LOWBIT_ABI_VERSION) {
    error = path + " was built for lowbit ABI version " +
            std::to_string(library->abiVersionFn()) + "; this tool speaks " +
            std::to_string(LOWBIT_ABI_VERSION);
    return nullptr;
  }
  lowbit_status status = library->createFn(&library->context);
  if (status != LOWBIT_OK) {
    error = "cannot create a context for " + path + ": " +
            library->statusStringFn(status);
    return nullptr;
  }
  return library;
}

ModelLibrary::~ModelLibrary() {
  if (context)
    destroyFn(context);
  if (handle)
    dlclose(handle);
}

lowbit_tensor_info ModelLibrary::input(int64_t i) const {
  lowbit_tensor_info info{};
  inputInfoFn(context, i, &info);
  return info;
}

lowbit_tensor_info ModelLibrary::output(int64_t i) const {
  lowbit_tensor_info info{};
  outputInfoFn(context, i, &info);
  return info;
}

bool ModelLibrary::run(const lowbit_tensor *inputs, int64_t numInputs,
                       const lowbit_tensor *outputs, int64_t numOutputs,
                       std::string &error) {
  lowbit_status status = runFn(context, inputs, numInputs, outputs, numOutputs);
  if (status == LOWBIT_OK)
    return true;
  error = lastErrorFn(context);
  if (error.empty())
    error = statusStringFn(status);
  return false;
}
