//===- QuantReport.cpp - The quantization report, read from JSON ----------===//

#include "QuantReport.h"

#include "llvm/ADT/STLExtras.h"

#include <cmath>

using namespace lowbit::report;
using llvm::json::Array;
using llvm::json::Object;
using llvm::json::Value;

namespace {

llvm::Error fieldError(const llvm::Twine &path, llvm::StringRef expected) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "report field '" + path.str() +
                                     "': expected " + expected);
}

const Value *member(const Object &object, llvm::StringRef key) {
  return object.get(key);
}

llvm::Error readString(const Object &o, llvm::StringRef key,
                       const llvm::Twine &path, std::string &out) {
  const Value *v = member(o, key);
  if (!v || !v->getAsString())
    return fieldError(path + key, "a string");
  out = v->getAsString()->str();
  return llvm::Error::success();
}

llvm::Error readNumber(const Object &o, llvm::StringRef key,
                       const llvm::Twine &path, double &out) {
  const Value *v = member(o, key);
  std::optional<double> d = v ? v->getAsNumber() : std::nullopt;
  if (!d || !std::isfinite(*d))
    return fieldError(path + key, "a finite number");
  out = *d;
  return llvm::Error::success();
}

llvm::Error readInteger(const Object &o, llvm::StringRef key,
                        const llvm::Twine &path, int64_t &out) {
  const Value *v = member(o, key);
  std::optional<int64_t> i = v ? v->getAsInteger() : std::nullopt;
  if (!i)
    return fieldError(path + key, "an integer");
  out = *i;
  return llvm::Error::success();
}

/// A member that may be absent or null.
template <typename T>
llvm::Error readOptional(const Object &o, llvm::StringRef key,
                         const llvm::Twine &path, std::optional<T> &out) {
  const Value *v = member(o, key);
  if (!v || v->kind() == Value::Null)
    return llvm::Error::success();
  T value{};
  if constexpr (std::is_same_v<T, std::string>) {
    if (llvm::Error e = readString(o, key, path, value))
      return e;
  } else {
    if (llvm::Error e = readNumber(o, key, path, value))
      return e;
  }
  out = value;
  return llvm::Error::success();
}

const Array *readArray(const Object &o, llvm::StringRef key) {
  const Value *v = member(o, key);
  return v ? v->getAsArray() : nullptr;
}

/// A "relative_error" number, when the object has one.
std::optional<double> relativeError(const Object &o) {
  const Value *v = o.get("relative_error");
  std::optional<double> d = v ? v->getAsNumber() : std::nullopt;
  if (d && std::isfinite(*d))
    return d;
  return std::nullopt;
}

llvm::Error readLayer(const Value &value, const std::string &path,
                      Layer &layer, bool &relative) {
  const Object *o = value.getAsObject();
  if (!o)
    return fieldError(path, "an object");
  std::string prefix = path + ".";
  if (llvm::Error e = readString(*o, "name", prefix, layer.name))
    return e;
  const Array *shape = readArray(*o, "shape");
  if (!shape)
    return fieldError(prefix + "shape", "an array of integers");
  for (const Value &d : *shape) {
    std::optional<int64_t> i = d.getAsInteger();
    if (!i)
      return fieldError(prefix + "shape", "an array of integers");
    layer.shape.push_back(*i);
  }
  if (llvm::Error e = readInteger(*o, "params", prefix, layer.params))
    return e;
  if (llvm::Error e = readInteger(*o, "chosen_bits", prefix, layer.chosenBits))
    return e;
  if (llvm::Error e = readNumber(*o, "output_error", prefix, layer.outputError))
    return e;
  if (std::optional<double> r = relativeError(*o)) {
    layer.outputError = *r;
    relative = true;
  }
  if (llvm::Error e = readInteger(*o, "bytes_float", prefix, layer.bytesFloat))
    return e;
  if (llvm::Error e = readInteger(*o, "bytes_quant", prefix, layer.bytesQuant))
    return e;
  const Array *candidates = readArray(*o, "candidates");
  if (!candidates)
    return fieldError(prefix + "candidates", "an array");
  for (auto [i, c] : llvm::enumerate(*candidates)) {
    std::string cpath = prefix + "candidates[" + std::to_string(i) + "]";
    const Object *co = c.getAsObject();
    if (!co)
      return fieldError(cpath, "an object");
    Candidate cand;
    if (llvm::Error e = readInteger(*co, "bits", cpath + ".", cand.bits))
      return e;
    if (llvm::Error e = readNumber(*co, "bpw", cpath + ".", cand.bpw))
      return e;
    if (llvm::Error e =
            readNumber(*co, "output_error", cpath + ".", cand.outputError))
      return e;
    if (std::optional<double> r = relativeError(*co)) {
      cand.outputError = *r;
      relative = true;
    }
    layer.candidates.push_back(cand);
  }
  llvm::sort(layer.candidates, [](const Candidate &a, const Candidate &b) {
    return a.bits < b.bits;
  });
  return llvm::Error::success();
}

} // namespace

llvm::Expected<Report> lowbit::report::readReport(const Value &value) {
  const Object *o = value.getAsObject();
  if (!o)
    return fieldError("<top>", "an object");
  Report r;
  if (llvm::Error e = readString(*o, "model", "", r.model))
    return std::move(e);
  if (llvm::Error e = readString(*o, "quant", "", r.quant))
    return std::move(e);
  if (llvm::Error e = readString(*o, "method", "", r.method))
    return std::move(e);
  if (llvm::Error e = readOptional(*o, "solver", "", r.solver))
    return std::move(e);
  if (llvm::Error e = readOptional(*o, "target_bpw", "", r.targetBpw))
    return std::move(e);
  if (llvm::Error e = readNumber(*o, "achieved_bpw", "", r.achievedBpw))
    return std::move(e);
  if (llvm::Error e = readInteger(*o, "group_size", "", r.groupSize))
    return std::move(e);
  const Array *layers = readArray(*o, "layers");
  if (!layers)
    return fieldError("layers", "an array");
  for (auto [i, l] : llvm::enumerate(*layers)) {
    Layer layer;
    if (llvm::Error e =
            readLayer(l, "layers[" + std::to_string(i) + "]", layer,
                      r.relative))
      return std::move(e);
    r.layers.push_back(std::move(layer));
  }
  if (const Value *t = member(*o, "tradeoff");
      t && t->kind() != Value::Null) {
    const Array *points = t->getAsArray();
    if (!points)
      return fieldError("tradeoff", "an array");
    for (auto [i, p] : llvm::enumerate(*points)) {
      std::string path = "tradeoff[" + std::to_string(i) + "].";
      const Object *po = p.getAsObject();
      if (!po)
        return fieldError(path, "an object");
      TradeoffPoint point;
      if (llvm::Error e = readString(*po, "kind", path, point.kind))
        return std::move(e);
      if (llvm::Error e = readNumber(*po, "bpw", path, point.bpw))
        return std::move(e);
      if (llvm::Error e =
              readNumber(*po, "predicted_error", path, point.predictedError))
        return std::move(e);
      r.tradeoff.push_back(point);
    }
  }
  if (const Value *t = member(*o, "pass_seconds");
      t && t->kind() != Value::Null) {
    const Object *times = t->getAsObject();
    if (!times)
      return fieldError("pass_seconds", "an object");
    // Keep the pipeline's order where the names are known.
    static const char *const order[] = {"rotate",      "smooth_quant",
                                        "calibrate",   "sensitivity",
                                        "allocate",    "quantize",
                                        "compile"};
    std::vector<std::string> keys;
    for (const auto &kv : *times)
      keys.push_back(kv.first.str());
    auto rank = [&](const std::string &k) {
      for (auto [i, name] : llvm::enumerate(order))
        if (k == name)
          return static_cast<int>(i);
      return static_cast<int>(std::size(order));
    };
    llvm::sort(keys, [&](const std::string &a, const std::string &b) {
      return std::make_pair(rank(a), a) < std::make_pair(rank(b), b);
    });
    for (const std::string &k : keys) {
      double seconds = 0;
      if (llvm::Error e = readNumber(*times, k, "pass_seconds.", seconds))
        return std::move(e);
      r.passSeconds.emplace_back(k, seconds);
    }
  }
  return r;
}
