//===- ShapeUtils.cpp - shape checks shared by lowbit verifiers -----------===//

#include "ShapeUtils.h"

#include "llvm/Support/raw_ostream.h"

using namespace mlir;

std::string lowbit::detail::formatShape(llvm::ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "[";
  llvm::interleaveComma(shape, os, [&](int64_t d) {
    if (ShapedType::isDynamic(d))
      os << "?";
    else
      os << d;
  });
  os << "]";
  return text;
}

bool lowbit::detail::dimsCompatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

bool lowbit::detail::shapesCompatible(llvm::ArrayRef<int64_t> a,
                                      llvm::ArrayRef<int64_t> b) {
  if (a.size() != b.size())
    return false;
  for (auto [x, y] : llvm::zip_equal(a, b))
    if (!dimsCompatible(x, y))
      return false;
  return true;
}
