//===- CalibrationTable.cpp - calibration statistics in the IR ------------===//

#include "lowbit/Analysis/CalibrationTable.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cstring>

using namespace mlir;
using namespace lowbit;

namespace {

/// Arrays up to this many elements are printed inline.
constexpr int64_t kMaxInlineElements = 16;

template <typename T>
ElementsAttr makeArray(MLIRContext *context, ArrayRef<int64_t> shape,
                       Type element, const std::vector<T> &values,
                       StringRef name) {
  auto type = RankedTensorType::get(shape, element);
  ArrayRef<char> bytes(reinterpret_cast<const char *>(values.data()),
                       values.size() * sizeof(T));
  if (type.getNumElements() <= kMaxInlineElements)
    return cast<ElementsAttr>(DenseElementsAttr::getFromRawBuffer(type, bytes));
  return cast<ElementsAttr>(DenseResourceElementsAttr::get(
      type, name, HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, alignof(T))));
}

/// The elements of a dense or dense_resource attribute of T, or failure.
template <typename T>
FailureOr<std::vector<T>> readArray(Attribute attr, Type expectedElement) {
  auto elements = dyn_cast_or_null<ElementsAttr>(attr);
  if (!elements || elements.getElementType() != expectedElement)
    return failure();
  int64_t count = elements.getNumElements();
  std::vector<T> values(static_cast<size_t>(count));
  if (auto dense = dyn_cast<DenseElementsAttr>(elements)) {
    auto range = dense.getValues<T>();
    std::copy(range.begin(), range.end(), values.begin());
    return values;
  }
  auto resource = dyn_cast<DenseResourceElementsAttr>(elements);
  AsmResourceBlob *blob =
      resource ? resource.getRawHandle().getBlob() : nullptr;
  if (!blob || blob->getData().size() != values.size() * sizeof(T))
    return failure();
  std::memcpy(values.data(), blob->getData().data(), blob->getData().size());
  return values;
}

} // namespace

std::string lowbit::inputProbeTag(StringRef opName) {
  return (opName + "/input").str();
}

DictionaryAttr lowbit::encodeCalibration(MLIRContext *context,
                                         const ActivationStatistics &stats,
                                         int64_t channelAxis,
                                         StringRef blobName) {
  Builder b(context);
  Type f32 = b.getF32Type(), i64 = b.getI64Type();
  int64_t k = stats.channels();
  auto blob = [&](StringRef field) { return (blobName + "." + field).str(); };
  SmallVector<NamedAttribute> entries = {
      b.getNamedAttr("samples", b.getI64IntegerAttr(stats.samples())),
      b.getNamedAttr("values_per_channel",
                     b.getI64IntegerAttr(stats.valuesPerChannel())),
      b.getNamedAttr("channel_axis", b.getI64IntegerAttr(channelAxis)),
      b.getNamedAttr("min", b.getF32FloatAttr(stats.min())),
      b.getNamedAttr("max", b.getF32FloatAttr(stats.max())),
      b.getNamedAttr("channel_min",
                     makeArray(context, {k}, f32, stats.channelMin(),
                               blob("channel_min"))),
      b.getNamedAttr("channel_max",
                     makeArray(context, {k}, f32, stats.channelMax(),
                               blob("channel_max"))),
      b.getNamedAttr("mean_abs", makeArray(context, {k}, f32,
                                           stats.channelMeanAbs(),
                                           blob("mean_abs"))),
      b.getNamedAttr("histogram",
                     makeArray(context,
                               {static_cast<int64_t>(stats.histogram().size())},
                               i64, stats.histogram(), blob("histogram"))),
      b.getNamedAttr("histogram_max", b.getF32FloatAttr(stats.histogramMax())),
  };
  if (stats.nonFinite() > 0)
    entries.push_back(
        b.getNamedAttr("non_finite", b.getI64IntegerAttr(stats.nonFinite())));
  std::vector<float> gram = stats.meanGram();
  if (!gram.empty())
    entries.push_back(b.getNamedAttr(
        "gram", makeArray(context, {k, k}, f32, gram, blob("gram"))));
  return b.getDictionaryAttr(entries);
}

FailureOr<std::optional<TensorCalibration>>
lowbit::lookupCalibration(Operation *module, StringRef tag) {
  auto table = module->getAttrOfType<DictionaryAttr>(kCalibrationAttrName);
  if (!table)
    return std::optional<TensorCalibration>();
  Attribute found = table.get(tag);
  if (!found)
    return std::optional<TensorCalibration>();
  auto malformed = [&](StringRef field) {
    return module->emitError() << "malformed " << kCalibrationAttrName
                               << " entry '" << tag << "': bad or missing '"
                               << field << "'";
  };
  auto entry = dyn_cast<DictionaryAttr>(found);
  if (!entry)
    return malformed("<entry>");
  Builder b(module->getContext());
  TensorCalibration result;
  for (auto [field, slot] :
       {std::pair<StringRef, int64_t *>{"samples", &result.samples},
        {"values_per_channel", &result.valuesPerChannel},
        {"channel_axis", &result.channelAxis}}) {
    auto value = entry.getAs<IntegerAttr>(field);
    if (!value)
      return malformed(field);
    *slot = value.getInt();
  }
  for (auto [field, slot] :
       {std::pair<StringRef, float *>{"min", &result.min},
        {"max", &result.max},
        {"histogram_max", &result.histogramMax}}) {
    auto value = entry.getAs<FloatAttr>(field);
    if (!value)
      return malformed(field);
    *slot = static_cast<float>(value.getValueAsDouble());
  }
  for (auto [field, slot] :
       {std::pair<StringRef, std::vector<float> *>{"channel_min",
                                                   &result.channelMin},
        {"channel_max", &result.channelMax},
        {"mean_abs", &result.meanAbs}}) {
    auto values = readArray<float>(entry.get(field), b.getF32Type());
    if (failed(values))
      return malformed(field);
    *slot = std::move(*values);
  }
  auto histogram = readArray<int64_t>(entry.get("histogram"), b.getI64Type());
  if (failed(histogram))
    return malformed("histogram");
  result.histogram = std::move(*histogram);
  size_t k = result.meanAbs.size();
  if (result.channelMin.size() != k || result.channelMax.size() != k)
    return malformed("channel_max");
  if (Attribute gram = entry.get("gram")) {
    auto values = readArray<float>(gram, b.getF32Type());
    if (failed(values) || values->size() != k * k)
      return malformed("gram");
    result.gram = std::move(*values);
  }
  return std::optional<TensorCalibration>(std::move(result));
}
