//===- lowbit-run.cpp - run a compiled model on tensors from files --------===//
//
//   lowbit-run MODEL.so --input [NAME=]FILE ... --output-dir DIR [--repeat N]
//
// Inputs are .npy or ONNX TensorProto (.pb) files, by name or in the model's
// order; every output is written as DIR/<output name>.npy (characters other
// than letters, digits, '.', '_' and '-' become '_'). bfloat16 tensors, which
// numpy lacks, are uint16 bit patterns in files. Any problem is an
// "error: ..." line and exit status 1.
//
//===----------------------------------------------------------------------===//

#include "HostTensor.h"
#include "ModelLibrary.h"
#include "Npy.h"
#include "TensorProtoFile.h"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>

using namespace runner;

namespace {

constexpr char kUsage[] =
    "usage: lowbit-run MODEL.so --input [NAME=]FILE ... --output-dir DIR "
    "[--repeat N]";

struct Arguments {
  std::string model;
  std::vector<std::string> inputs;
  std::string outputDir;
  long repeat = 1;
};

int fail(const std::string &message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return 1;
}

/// Accepts "--flag VALUE" and "--flag=VALUE".
std::optional<Arguments> parseArguments(int argc, char **argv) {
  Arguments args;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char *flag) -> std::optional<std::string> {
      std::string prefix = std::string(flag) + "=";
      if (arg.compare(0, prefix.size(), prefix) == 0)
        return arg.substr(prefix.size());
      if (arg == flag && i + 1 < argc)
        return std::string(argv[++i]);
      return std::nullopt;
    };
    if (arg == "-h" || arg == "--help") {
      std::printf("%s\n", kUsage);
      std::exit(0);
    }
    auto is = [&](const char *flag) {
      return arg == flag || arg.rfind(std::string(flag) + "=", 0) == 0;
    };
    if (is("--input")) {
      auto v = value("--input");
      if (!v)
        return fail("--input needs a file"), std::nullopt;
      args.inputs.push_back(*v);
    } else if (is("--output-dir")) {
      auto v = value("--output-dir");
      if (!v)
        return fail("--output-dir needs a directory"), std::nullopt;
      args.outputDir = *v;
    } else if (is("--repeat")) {
      auto v = value("--repeat");
      char *end = nullptr;
      long n = v ? std::strtol(v->c_str(), &end, 10) : 0;
      if (!v || v->empty() || *end || n < 1 || n > 1000000)
        return fail("--repeat needs a count from 1 to 1000000"), std::nullopt;
      args.repeat = n;
    } else if (!arg.empty() && arg[0] == '-') {
      return fail("unknown option '" + arg + "'; " + kUsage), std::nullopt;
    } else if (args.model.empty()) {
      args.model = arg;
    } else {
      return fail("unexpected argument '" + arg + "'; " + kUsage), std::nullopt;
    }
  }
  if (args.model.empty())
    return fail(std::string("no model library given; ") + kUsage), std::nullopt;
  if (args.outputDir.empty())
    return fail(std::string("no --output-dir given; ") + kUsage), std::nullopt;
  return args;
}

bool loadTensor(const std::string &path, HostTensor &tensor,
                std::string &error) {
  std::string contents;
  if (!readFile(path, contents, error))
    return false;
  bool ok = looksLikeNpy(contents) ? parseNpy(contents, tensor, error)
                                   : parseTensorProto(contents, tensor, error);
  if (!ok)
    error = path + ": " + error;
  return ok;
}

/// Binds every --input to an input slot: NAME=FILE when NAME is an input
/// of the model, otherwise FILE fills the first slot still free.
bool bindInputs(const ModelLibrary &model,
                const std::vector<std::string> &specs,
                std::vector<std::string> &files, std::string &error) {
  int64_t count = model.numInputs();
  std::map<std::string, int64_t> byName;
  for (int64_t i = 0; i < count; ++i)
    byName[model.input(i).name] = i;
  files.assign(count, "");
  std::vector<std::string> positional;
  for (const std::string &spec : specs) {
    size_t eq = spec.find('=');
    auto named = eq == std::string::npos ? byName.end()
                                         : byName.find(spec.substr(0, eq));
    if (named == byName.end()) {
      positional.push_back(spec);
      continue;
    }
    if (!files[named->second].empty()) {
      error = "input '" + named->first + "' is given twice";
      return false;
    }
    files[named->second] = spec.substr(eq + 1);
  }
  size_t next = 0;
  for (int64_t i = 0; i < count && next < positional.size(); ++i)
    if (files[i].empty())
      files[i] = positional[next++];
  if (next < positional.size()) {
    error = "the model takes " + std::to_string(count) + " input" +
            (count == 1 ? "" : "s") + "; '" + positional[next] +
            "' is one too many";
    return false;
  }
  for (int64_t i = 0; i < count; ++i)
    if (files[i].empty()) {
      error = "input '" + std::string(model.input(i).name) +
              "' is not given (--input " + model.input(i).name + "=FILE)";
      return false;
    }
  return true;
}

std::string fileNameFor(const std::string &name, int64_t index) {
  std::string file;
  for (char c : name)
    file += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' ||
             c == '_' || c == '-')
                ? c
                : '_';
  if (file.empty() || file == "." || file == "..")
    file = "output" + std::to_string(index);
  return file + ".npy";
}

} // namespace

int main(int argc, char **argv) {
  std::optional<Arguments> args = parseArguments(argc, argv);
  if (!args)
    return 1;
  std::string error;
  std::unique_ptr<ModelLibrary> model = ModelLibrary::open(args->model, error);
  if (!model)
    return fail(error);

  std::vector<std::string> files;
  if (!bindInputs(*model, args->inputs, files, error))
    return fail(error);
  std::vector<HostTensor> inputs(files.size());
  std::vector<lowbit_tensor> inputViews;
  for (size_t i = 0; i < files.size(); ++i) {
    if (!loadTensor(files[i], inputs[i], error))
      return fail(error);
    // numpy and ONNX's test data have no bfloat16: uint16 bit patterns
    // stand for it.
    if (inputs[i].dtype == LOWBIT_DTYPE_UINT16 &&
        model->input(i).dtype == LOWBIT_DTYPE_BFLOAT16)
      inputs[i].dtype = LOWBIT_DTYPE_BFLOAT16;
    inputViews.push_back({inputs[i].data.data(), inputs[i].dtype,
                          static_cast<int64_t>(inputs[i].shape.size()),
                          inputs[i].shape.data()});
  }
  std::vector<HostTensor> outputs(model->numOutputs());
  std::vector<lowbit_tensor> outputViews;
  for (int64_t i = 0; i < model->numOutputs(); ++i) {
    lowbit_tensor_info info = model->output(i);
    outputs[i].dtype = info.dtype;
    outputs[i].shape.assign(info.shape, info.shape + info.rank);
    outputs[i].data.resize(info.num_bytes);
    outputViews.push_back(
        {outputs[i].data.data(), info.dtype, info.rank, info.shape});
  }

  auto start = std::chrono::steady_clock::now();
  for (long r = 0; r < args->repeat; ++r)
    if (!model->run(inputViews.data(), inputViews.size(), outputViews.data(),
                    outputViews.size(), error))
      return fail(error);
  if (args->repeat > 1) {
    double ms = std::chrono::duration<double, std::milli>(
                    std::chrono::steady_clock::now() - start)
                    .count();
    std::fprintf(stderr, "lowbit-run: %ld runs, %.3f ms per run\n",
                 args->repeat, ms / args->repeat);
  }

  std::map<std::string, std::string> writers;
  for (int64_t i = 0; i < model->numOutputs(); ++i) {
    std::string name = model->output(i).name;
    auto [it, inserted] = writers.emplace(fileNameFor(name, i), name);
    if (!inserted)
      return fail("outputs '" + it->second + "' and '" + name +
                  "' would both be written to " + it->first);
  }
  std::error_code ec;
  std::filesystem::create_directories(args->outputDir, ec);
  if (ec)
    return fail("cannot create the output directory " + args->outputDir + ": " +
                ec.message());
  for (int64_t i = 0; i < model->numOutputs(); ++i) {
    std::filesystem::path path = std::filesystem::path(args->outputDir) /
                                 fileNameFor(model->output(i).name, i);
    if (!writeNpy(path.string(), outputs[i], error))
      return fail(error);
  }
  return 0;
}
