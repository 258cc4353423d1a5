//===- EinsumOps.cpp - Einsum as one linalg.generic -----------------------===//
//
// Any Einsum equation is a sum of products over an iteration space with one
// loop per distinct label: labels of the output are parallel loops, the
// others reductions, and each operand is read through an indexing map
// (a label repeated in one operand reads a diagonal). "..." stands for the
// leading axes, broadcast numpy-style across operands. Without "->" the
// output is "..." followed by the labels used once, in alphabetical order.
//
//===----------------------------------------------------------------------===//

#include "NNBuilders.h"
#include "../OpRegistry.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <map>

using namespace mlir;
using namespace lowbit::onnx_import;

namespace {

/// One side of an equation: labels, with -1 where "..." stands.
struct Term {
  SmallVector<int> labels; // a character, or -1 for the ellipsis
  bool hasEllipsis = false;
};

FailureOr<Term> parseTerm(NodeImporter &node, StringRef text) {
  Term term;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (llvm::isAlpha(c)) {
      term.labels.push_back(c);
    } else if (text.substr(i).starts_with("...") && !term.hasEllipsis) {
      term.hasEllipsis = true;
      term.labels.push_back(-1);
      i += 2;
    } else {
      return node.emitError() << "equation term '" << text
                              << "' has an unexpected character '" << c << "'";
    }
  }
  return term;
}

LogicalResult importEinsum(NodeImporter &node) {
  std::string equation = node.attrString("equation", "");
  if (node.hasFailed())
    return failure();
  equation.erase(llvm::remove_if(equation, [](char c) { return c == ' '; }),
                 equation.end());
  if (equation.empty())
    return node.fail("attribute 'equation' is missing or empty");
  auto [lhs, rhs] = StringRef(equation).split("->");
  bool explicitOutput = StringRef(equation).contains("->");
  SmallVector<StringRef> inputTerms;
  lhs.split(inputTerms, ',');
  if (static_cast<int>(inputTerms.size()) != node.numInputs())
    return node.emitError() << "the equation has " << inputTerms.size()
                            << " operands, the node " << node.numInputs();

  SmallVector<Term> terms;
  Type element;
  for (auto [i, text] : llvm::enumerate(inputTerms)) {
    if (!node.hasInput(i))
      return node.emitError() << "input " << i << " is missing";
    Type t = node.inputType(i).getElementType();
    if (t.isInteger(1))
      return node.fail("Einsum does not take bool tensors");
    if (element && t != element)
      return node.fail("the inputs have different element types");
    element = t;
    FailureOr<Term> term = parseTerm(node, text);
    if (failed(term))
      return failure();
    terms.push_back(*term);
  }

  // Ellipsis axes (broadcast, right-aligned) come first in the loop order.
  int64_t ellipsisRank = 0;
  SmallVector<int64_t> ellipsisCounts;
  for (auto [i, term] : llvm::enumerate(terms)) {
    int64_t rank = node.inputType(i).getRank();
    int64_t named = term.labels.size() - (term.hasEllipsis ? 1 : 0);
    if (rank < named || (!term.hasEllipsis && rank != named))
      return node.emitError() << "operand " << i << " has rank " << rank
                              << ", its term '" << inputTerms[i] << "' has "
                              << named << " labels";
    ellipsisCounts.push_back(rank - named);
    ellipsisRank = std::max(ellipsisRank, rank - named);
  }
  SmallVector<int64_t> loopSizes(ellipsisRank, 1);
  std::map<int, int64_t> labelLoop;
  std::map<int, int> labelUses;
  for (auto [i, term] : llvm::enumerate(terms)) {
    ArrayRef<int64_t> shape = node.inputType(i).getShape();
    int64_t axis = 0;
    for (int label : term.labels) {
      if (label == -1) {
        int64_t count = ellipsisCounts[i];
        for (int64_t j = 0; j < count; ++j, ++axis) {
          int64_t &size = loopSizes[ellipsisRank - count + j];
          if (size != shape[axis] && size != 1 && shape[axis] != 1)
            return node.emitError() << "the '...' axes of the operands do not "
                                       "broadcast";
          if (shape[axis] != 1)
            size = shape[axis];
        }
        continue;
      }
      ++labelUses[label];
      auto [it, inserted] = labelLoop.try_emplace(label, loopSizes.size());
      if (inserted)
        loopSizes.push_back(shape[axis]);
      else if (loopSizes[it->second] != shape[axis])
        return node.emitError() << "label '" << static_cast<char>(label)
                                << "' has sizes " << loopSizes[it->second]
                                << " and " << shape[axis];
      ++axis;
    }
  }

  // Output loops.
  SmallVector<int64_t> outputLoops;
  if (explicitOutput) {
    FailureOr<Term> out = parseTerm(node, rhs);
    if (failed(out))
      return failure();
    for (int label : out->labels) {
      if (label == -1) {
        for (int64_t j = 0; j < ellipsisRank; ++j)
          outputLoops.push_back(j);
        continue;
      }
      auto it = labelLoop.find(label);
      if (it == labelLoop.end())
        return node.emitError() << "output label '" << static_cast<char>(label)
                                << "' is not in any operand";
      if (llvm::is_contained(outputLoops, it->second))
        return node.emitError() << "output label '" << static_cast<char>(label)
                                << "' appears twice";
      outputLoops.push_back(it->second);
    }
    if (!out->hasEllipsis && ellipsisRank > 0)
      for (int64_t size : ArrayRef<int64_t>(loopSizes).take_front(ellipsisRank))
        if (size != 1)
          return node.fail("the output must keep the '...' axes");
  } else {
    for (int64_t j = 0; j < ellipsisRank; ++j)
      outputLoops.push_back(j);
    for (auto [label, loop] : labelLoop) // std::map: alphabetical (ASCII)
      if (labelUses[label] == 1)
        outputLoops.push_back(loop);
  }

  MLIRContext *ctx = node.context();
  int64_t loops = loopSizes.size();
  SmallVector<AffineMap> maps;
  for (auto [i, term] : llvm::enumerate(terms)) {
    ArrayRef<int64_t> shape = node.inputType(i).getShape();
    SmallVector<AffineExpr> exprs;
    for (int label : term.labels) {
      if (label != -1) {
        exprs.push_back(getAffineDimExpr(labelLoop[label], ctx));
        continue;
      }
      int64_t count = ellipsisCounts[i];
      for (int64_t j = 0; j < count; ++j) {
        int64_t loop = ellipsisRank - count + j;
        bool broadcast = shape[exprs.size()] == 1 && loopSizes[loop] != 1;
        exprs.push_back(broadcast ? getAffineConstantExpr(0, ctx)
                                  : getAffineDimExpr(loop, ctx));
      }
    }
    maps.push_back(AffineMap::get(loops, 0, exprs, ctx));
  }
  SmallVector<AffineExpr> outExprs;
  SmallVector<int64_t> outShape;
  for (int64_t loop : outputLoops) {
    outExprs.push_back(getAffineDimExpr(loop, ctx));
    outShape.push_back(loopSizes[loop]);
  }
  maps.push_back(AffineMap::get(loops, 0, outExprs, ctx));
  SmallVector<utils::IteratorType> iterators(loops,
                                             utils::IteratorType::reduction);
  for (int64_t loop : outputLoops)
    iterators[loop] = utils::IteratorType::parallel;

  OpBuilder &b = node.builder();
  Location loc = node.loc();
  bool isFloat = isa<FloatType>(element);
  Value init = createSplat(b, loc, element, outShape, 0);
  SmallVector<Value> inputs;
  for (int i = 0; i < node.numInputs(); ++i)
    inputs.push_back(node.input(i));
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value product = args[0];
        for (Value v : args.drop_front().drop_back())
          product = isFloat ? arith::MulFOp::create(nb, nl, product, v).getResult()
                            : arith::MulIOp::create(nb, nl, product, v).getResult();
        Value sum = isFloat
                        ? arith::AddFOp::create(nb, nl, args.back(), product).getResult()
                        : arith::AddIOp::create(nb, nl, args.back(), product).getResult();
        linalg::YieldOp::create(nb, nl, sum);
      });
  return node.setResult(0, generic.getResult(0));
}

} // namespace

void lowbit::onnx_import::registerEinsumOps(std::vector<OpHandler> &table) {
  table.push_back({"", "Einsum", 12, importEinsum,
                   "any equation, as one linalg.generic; '...' broadcasts"});
}
