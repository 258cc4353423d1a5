//===- RecurrentOps.cpp - RNN, GRU and LSTM unrolled over time ------------===//
//
// Shapes are static, so the sequence length is known and the recurrence is
// unrolled: the input projection X W^T + Wb of all time steps is one matrix
// product per direction, then every step adds H R^T + Rb and applies the
// cell's gates as elementwise bodies. Gate orders follow ONNX (GRU: z, r, h;
// LSTM: i, o, f, c; peepholes i, o, f). sequence_lens may be a run-time
// value for forward directions: steps past a batch entry's length leave its
// state unchanged and write zeros to Y, as ONNX specifies.
//
//===----------------------------------------------------------------------===//

#include "DataMovement.h"
#include "ElementwiseCommon.h"
#include "NNBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace lowbit::onnx_import;

namespace {

enum class Cell { RNN, GRU, LSTM };
enum class Activation { Sigmoid, Tanh, Relu };

/// Longest sequence unrolled; beyond it the IR would be unreasonably large.
constexpr int64_t kMaxUnrolledSteps = 4096;

int gateCount(Cell cell) {
  return cell == Cell::RNN ? 1 : cell == Cell::GRU ? 3 : 4;
}

/// What one step needs, per direction.
struct Recurrence {
  NodeImporter &node;
  Cell cell;
  int64_t batch, hidden;
  Type element;
  std::optional<double> clip;
  SmallVector<Activation> activations; // f, g, h as the cell uses them
  bool linearBeforeReset = false;

  OpBuilder &b() { return node.builder(); }
  Location loc() { return node.loc(); }

  Value ew(ValueRange inputs, ScalarBodyFn body) {
    return buildElementwise(b(), loc(), {batch, hidden}, element, inputs,
                            body);
  }
  Value activate(OpBuilder &nb, Location nl, Value x, Activation fn) {
    if (clip) {
      x = arith::MaxNumFOp::create(nb, nl, x,
                                   scalarConstant(nb, nl, element, -*clip));
      x = arith::MinNumFOp::create(nb, nl, x,
                                   scalarConstant(nb, nl, element, *clip));
    }
    switch (fn) {
    case Activation::Tanh:
      return math::TanhOp::create(nb, nl, x);
    case Activation::Relu:
      return arith::MaximumFOp::create(nb, nl, x,
                                       scalarConstant(nb, nl, element, 0));
    case Activation::Sigmoid: {
      Value one = scalarConstant(nb, nl, element, 1);
      Value e = math::ExpOp::create(nb, nl, arith::NegFOp::create(nb, nl, x));
      return arith::DivFOp::create(nb, nl, one,
                                   arith::AddFOp::create(nb, nl, one, e));
    }
    }
    return x;
  }
  /// Gate `g` ([batch, hidden]) of a [batch, gates * hidden] value.
  Value gate(Value v, int g) {
    return sliceTensor(b(), loc(), v, {0, g * hidden}, {batch, hidden});
  }
  Value add(Value x, Value y) {
    return ew({x, y}, [](OpBuilder &nb, Location nl, ValueRange v) {
      return arith::AddFOp::create(nb, nl, v[0], v[1]).getResult();
    });
  }
  /// x @ w^T for x [M, K] and w [N, K].
  FailureOr<Value> productT(Value x, Value w) {
    return buildNumpyMatMul(node, x, transpose(b(), loc(), w, {1, 0}));
  }
};

FailureOr<Activation> parseActivation(NodeImporter &node, StringRef name) {
  if (name == "Sigmoid")
    return Activation::Sigmoid;
  if (name == "Tanh")
    return Activation::Tanh;
  if (name == "Relu")
    return Activation::Relu;
  return node.emitError() << "activation '" << name
                          << "' is not supported (Sigmoid, Tanh, Relu)";
}

/// Fails unless input i, when present, has `shape` and X's element type.
LogicalResult checkShape(NodeImporter &node, int i, ArrayRef<int64_t> shape,
                         StringRef what) {
  if (!node.hasInput(i))
    return success();
  if (node.inputType(i).getShape() != shape) {
    auto diag = node.emitError() << "input " << i << " (" << what
                                 << ") has shape " << node.inputType(i)
                                 << "; expected (";
    llvm::interleaveComma(shape, diag);
    return diag << ")";
  }
  if (node.inputType(i).getElementType() != node.inputType(0).getElementType())
    return node.emitError() << "input " << i << " (" << what
                            << ") has another element type than X";
  return success();
}

/// Slice d of a [dirs, ...] value, without the leading axis.
Value direction(Recurrence &r, Value v, int64_t d) {
  auto shape = llvm::to_vector(cast<RankedTensorType>(v.getType()).getShape());
  SmallVector<int64_t> offsets(shape.size(), 0), sizes(shape);
  offsets[0] = d;
  sizes[0] = 1;
  Value s = sliceTensor(r.b(), r.loc(), v, offsets, sizes);
  return reshapeTo(r.b(), r.loc(), s, ArrayRef<int64_t>(shape).drop_front());
}

LogicalResult importRecurrent(NodeImporter &node, Cell cell) {
  for (int i : {0, 1, 2})
    if (failed(checkInputType(node, i, kFloatTypes)))
      return failure();
  int gates = gateCount(cell);
  std::string directionName = node.attrString("direction", "forward");
  int64_t layout = node.attrInt("layout", 0);
  if (node.hasFailed())
    return failure();
  if (directionName != "forward" && directionName != "reverse" &&
      directionName != "bidirectional")
    return node.emitError() << "direction '" << directionName
                            << "' is not forward, reverse or bidirectional";
  int64_t dirs = directionName == "bidirectional" ? 2 : 1;
  if (layout != 0 && layout != 1)
    return node.emitError() << "layout " << layout << " is not 0 or 1";
  if (cell == Cell::LSTM && node.attrInt("input_forget", 0) != 0)
    return node.fail("input_forget = 1 is not supported");

  auto xType = node.inputType(0);
  if (xType.getRank() != 3)
    return node.fail("input 0 (X) must have rank 3");
  int64_t steps = xType.getDimSize(layout ? 1 : 0);
  int64_t batch = xType.getDimSize(layout ? 0 : 1);
  int64_t inputSize = xType.getDimSize(2);
  auto rType = node.inputType(2);
  if (rType.getRank() != 3)
    return node.fail("input 2 (R) must have rank 3");
  int64_t hidden = node.attrInt("hidden_size", rType.getDimSize(2));
  if (hidden != rType.getDimSize(2))
    return node.emitError() << "hidden_size " << hidden
                            << " does not match R's last dimension "
                            << rType.getDimSize(2);
  if (steps < 1 || batch < 1 || hidden < 1 || inputSize < 1)
    return node.fail("X and R must not have empty dimensions");
  if (steps > kMaxUnrolledSteps)
    return node.emitError() << "the sequence has " << steps
                            << " steps; lowbit unrolls at most "
                            << kMaxUnrolledSteps;
  int64_t gh = gates * hidden;
  SmallVector<int64_t> stateShape =
      layout ? SmallVector<int64_t>{batch, dirs, hidden}
             : SmallVector<int64_t>{dirs, batch, hidden};
  if (failed(checkShape(node, 1, {dirs, gh, inputSize}, "W")) ||
      failed(checkShape(node, 2, {dirs, gh, hidden}, "R")) ||
      failed(checkShape(node, 3, {dirs, 2 * gh}, "B")) ||
      failed(checkShape(node, 5, stateShape, "initial_h")) ||
      (cell == Cell::LSTM &&
       (failed(checkShape(node, 6, stateShape, "initial_c")) ||
        failed(checkShape(node, 7, {dirs, 3 * hidden}, "P")))))
    return failure();

  Recurrence r{node, cell, batch, hidden, xType.getElementType(), {}, {}};
  if (node.hasAttr("clip"))
    r.clip = node.attrFloat("clip", 0);
  r.linearBeforeReset = node.attrInt("linear_before_reset", 0) != 0;
  SmallVector<Activation> defaults =
      cell == Cell::RNN   ? SmallVector<Activation>{Activation::Tanh}
      : cell == Cell::GRU ? SmallVector<Activation>{Activation::Sigmoid,
                                                    Activation::Tanh}
                          : SmallVector<Activation>{Activation::Sigmoid,
                                                    Activation::Tanh,
                                                    Activation::Tanh};
  SmallVector<SmallVector<Activation>> activations(dirs, defaults);
  if (const onnx::AttributeProto *a = node.attr("activations")) {
    if (a->strings_size() != static_cast<int>(defaults.size() * dirs))
      return node.emitError() << "attribute 'activations' must name "
                              << defaults.size() * dirs << " functions";
    for (int k = 0; k < a->strings_size(); ++k) {
      FailureOr<Activation> fn = parseActivation(node, a->strings(k));
      if (failed(fn))
        return failure();
      activations[k / defaults.size()][k % defaults.size()] = *fn;
    }
  }
  if (node.hasFailed())
    return failure();

  // Sequence lengths: none, all full (known), or run time (forward only).
  Value seqLens;
  if (node.hasInput(4)) {
    auto type = node.inputType(4);
    if (type.getRank() != 1 || type.getDimSize(0) != batch ||
        !type.getElementType().isInteger(32))
      return node.fail("input 4 (sequence_lens) must be int32 of shape "
                       "[batch]");
    DenseElementsAttr known = node.constantInputDense(4);
    bool allFull = known && llvm::all_of(known.getValues<APInt>(),
                                         [&](const APInt &v) {
                                           return v.getSExtValue() == steps;
                                         });
    if (!allFull) {
      if (directionName != "forward")
        return node.emitError()
               << "input 4 (sequence_lens) shorter than the sequence is "
                  "supported for forward directions only; "
               << node.knownAtImportHint(4);
      seqLens = reshapeTo(node.builder(), node.loc(), node.input(4),
                          {batch, 1});
    }
  }

  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Value x = node.input(0);
  if (layout)
    x = transpose(b, loc, x, {1, 0, 2});
  Value xRows = reshapeTo(b, loc, x, {steps * batch, inputSize});
  Value initialH = node.hasInput(5) ? node.input(5) : Value();
  Value initialC = node.hasInput(6) ? node.input(6) : Value();
  if (layout) {
    if (initialH)
      initialH = transpose(b, loc, initialH, {1, 0, 2});
    if (initialC)
      initialC = transpose(b, loc, initialC, {1, 0, 2});
  }

  SmallVector<Value> ys, finalH, finalC;
  for (int64_t d = 0; d < dirs; ++d) {
    bool reverse = directionName == "reverse" || d == 1;
    r.activations = activations[d];
    Value w = direction(r, node.input(1), d);
    Value rw = direction(r, node.input(2), d);
    FailureOr<Value> xw = r.productT(xRows, w);
    if (failed(xw))
      return failure();
    Value input = *xw, recurrentBias;
    if (node.hasInput(3)) {
      Value biases = direction(r, node.input(3), d);
      Value wb = reshapeTo(b, loc, sliceTensor(b, loc, biases, {0}, {gh}),
                           {1, gh});
      recurrentBias =
          reshapeTo(b, loc, sliceTensor(b, loc, biases, {gh}, {gh}), {1, gh});
      input = buildElementwise(
          b, loc, {steps * batch, gh}, r.element, ValueRange{input, wb},
          [](OpBuilder &nb, Location nl, ValueRange v) {
            return arith::AddFOp::create(nb, nl, v[0], v[1]).getResult();
          });
    }
    Value h = initialH ? direction(r, initialH, d)
                       : createSplat(b, loc, r.element, {batch, hidden}, 0);
    Value c = initialC ? direction(r, initialC, d)
                       : createSplat(b, loc, r.element, {batch, hidden}, 0);
    Value peep[3];
    if (node.hasInput(7)) {
      Value p = direction(r, node.input(7), d);
      for (int k = 0; k < 3; ++k)
        peep[k] = reshapeTo(
            b, loc, sliceTensor(b, loc, p, {k * hidden}, {hidden}), {1, hidden});
    }
    Value zeros = createSplat(b, loc, r.element, {batch, hidden}, 0);
    SmallVector<Value> outputs(steps);
    for (int64_t s = 0; s < steps; ++s) {
      int64_t t = reverse ? steps - 1 - s : s;
      Value xt = sliceTensor(b, loc, input, {t * batch, 0}, {batch, gh});
      // For GRU without linear_before_reset, the h gate's recurrent product
      // needs r first; the product below then covers z and r only.
      bool splitH = cell == Cell::GRU && !r.linearBeforeReset;
      int64_t recurrentCols = splitH ? 2 * hidden : gh;
      Value rPart = splitH ? sliceTensor(b, loc, rw, {0, 0}, {recurrentCols, hidden})
                           : rw;
      FailureOr<Value> hr = r.productT(h, rPart);
      if (failed(hr))
        return failure();
      Value hrb = *hr;
      if (recurrentBias)
        hrb = buildElementwise(
            b, loc, {batch, recurrentCols}, r.element,
            ValueRange{hrb, sliceTensor(b, loc, recurrentBias, {0, 0},
                                        {1, recurrentCols})},
            [](OpBuilder &nb, Location nl, ValueRange v) {
              return arith::AddFOp::create(nb, nl, v[0], v[1]).getResult();
            });
      Value hNew, cNew;
      Activation f = r.activations[0];
      if (cell == Cell::RNN) {
        hNew = r.ew({xt, hrb}, [&](OpBuilder &nb, Location nl, ValueRange v) {
          return r.activate(nb, nl, arith::AddFOp::create(nb, nl, v[0], v[1]),
                            f);
        });
      } else if (cell == Cell::GRU) {
        Activation g = r.activations[1];
        auto gatePre = [&](int k) { return r.add(r.gate(xt, k), r.gate(hrb, k)); };
        Value z = r.ew({gatePre(0)}, [&](OpBuilder &nb, Location nl, ValueRange v) {
          return r.activate(nb, nl, v[0], f);
        });
        Value rg = r.ew({gatePre(1)}, [&](OpBuilder &nb, Location nl, ValueRange v) {
          return r.activate(nb, nl, v[0], f);
        });
        Value hPre;
        if (r.linearBeforeReset) {
          hPre = r.ew({r.gate(xt, 2), rg, r.gate(hrb, 2)},
                      [](OpBuilder &nb, Location nl, ValueRange v) {
                        Value m = arith::MulFOp::create(nb, nl, v[1], v[2]);
                        return arith::AddFOp::create(nb, nl, v[0], m).getResult();
                      });
        } else {
          Value rh = r.ew({rg, h}, [](OpBuilder &nb, Location nl, ValueRange v) {
            return arith::MulFOp::create(nb, nl, v[0], v[1]).getResult();
          });
          Value rwH = sliceTensor(b, loc, rw, {2 * hidden, 0}, {hidden, hidden});
          FailureOr<Value> prod = r.productT(rh, rwH);
          if (failed(prod))
            return failure();
          hPre = r.add(r.gate(xt, 2), *prod);
          if (recurrentBias)
            hPre = buildElementwise(
                b, loc, {batch, hidden}, r.element,
                ValueRange{hPre, sliceTensor(b, loc, recurrentBias,
                                             {0, 2 * hidden}, {1, hidden})},
                [](OpBuilder &nb, Location nl, ValueRange v) {
                  return arith::AddFOp::create(nb, nl, v[0], v[1]).getResult();
                });
        }
        hNew = r.ew({z, hPre, h}, [&](OpBuilder &nb, Location nl, ValueRange v) {
          Value cand = r.activate(nb, nl, v[1], g);
          Value one = scalarConstant(nb, nl, r.element, 1);
          Value keep = arith::SubFOp::create(nb, nl, one, v[0]);
          return arith::AddFOp::create(
                     nb, nl, arith::MulFOp::create(nb, nl, keep, cand),
                     arith::MulFOp::create(nb, nl, v[0], v[2]))
              .getResult();
        });
      } else {
        Activation g = r.activations[1], hAct = r.activations[2];
        Value pre[4];
        for (int k = 0; k < 4; ++k)
          pre[k] = r.add(r.gate(xt, k), r.gate(hrb, k));
        Value pI = peep[0] ? peep[0] : zeros, pO = peep[1] ? peep[1] : zeros,
              pF = peep[2] ? peep[2] : zeros;
        auto peephole = [&](Value p, Value cell) {
          return r.ew({p, cell}, [](OpBuilder &nb, Location nl, ValueRange v) {
            return arith::MulFOp::create(nb, nl, v[0], v[1]).getResult();
          });
        };
        auto sig = [&](Value v0) {
          return r.ew({v0}, [&](OpBuilder &nb, Location nl, ValueRange v) {
            return r.activate(nb, nl, v[0], f);
          });
        };
        Value i = sig(r.add(pre[0], peephole(pI, c)));
        Value fg = sig(r.add(pre[2], peephole(pF, c)));
        cNew = r.ew({fg, c, i, pre[3]}, [&](OpBuilder &nb, Location nl, ValueRange v) {
          Value cand = r.activate(nb, nl, v[3], g);
          return arith::AddFOp::create(
                     nb, nl, arith::MulFOp::create(nb, nl, v[0], v[1]),
                     arith::MulFOp::create(nb, nl, v[2], cand))
              .getResult();
        });
        Value o = sig(r.add(pre[1], peephole(pO, cNew)));
        hNew = r.ew({o, cNew}, [&](OpBuilder &nb, Location nl, ValueRange v) {
          return arith::MulFOp::create(nb, nl, v[0],
                                       r.activate(nb, nl, v[1], hAct))
              .getResult();
        });
      }
      Value y = hNew;
      if (seqLens) {
        // Steps at or past a batch entry's length keep its state.
        Type i32 = b.getI32Type();
        auto select = [&](Value fresh, Value old) {
          return r.ew({seqLens, fresh, old},
                      [&](OpBuilder &nb, Location nl, ValueRange v) {
                        Value step = arith::ConstantOp::create(
                            nb, nl, nb.getIntegerAttr(i32, t));
                        Value live = arith::CmpIOp::create(
                            nb, nl, arith::CmpIPredicate::slt, step, v[0]);
                        return arith::SelectOp::create(nb, nl, live, v[1], v[2])
                            .getResult();
                      });
        };
        y = select(hNew, zeros);
        hNew = select(hNew, h);
        if (cNew)
          cNew = select(cNew, c);
      }
      h = hNew;
      if (cNew)
        c = cNew;
      outputs[t] = reshapeTo(b, loc, y, {1, 1, batch, hidden});
    }
    ys.push_back(concatAxis(b, loc, outputs, 0));
    finalH.push_back(reshapeTo(b, loc, h, {1, batch, hidden}));
    finalC.push_back(reshapeTo(b, loc, c, {1, batch, hidden}));
  }
  Value y = concatAxis(b, loc, ys, 1);
  Value yh = concatAxis(b, loc, finalH, 0);
  Value yc = concatAxis(b, loc, finalC, 0);
  if (layout) {
    y = transpose(b, loc, y, {2, 0, 1, 3});
    yh = transpose(b, loc, yh, {1, 0, 2});
    yc = transpose(b, loc, yc, {1, 0, 2});
  }
  if (node.hasOutput(0) && failed(node.setResult(0, y)))
    return failure();
  if (node.hasOutput(1) && failed(node.setResult(1, yh)))
    return failure();
  if (cell == Cell::LSTM && node.hasOutput(2) && failed(node.setResult(2, yc)))
    return failure();
  return success();
}

LogicalResult importRNN(NodeImporter &node) {
  return importRecurrent(node, Cell::RNN);
}
LogicalResult importGRU(NodeImporter &node) {
  return importRecurrent(node, Cell::GRU);
}
LogicalResult importLSTM(NodeImporter &node) {
  return importRecurrent(node, Cell::LSTM);
}

} // namespace

void lowbit::onnx_import::registerRecurrentOps(std::vector<OpHandler> &table) {
  const char *notes = "unrolled over the static sequence; activations "
                      "Sigmoid/Tanh/Relu; sequence_lens at run time for "
                      "forward only";
  table.push_back({"", "RNN", 7, importRNN, notes});
  table.push_back({"", "GRU", 7, importGRU, notes});
  table.push_back({"", "LSTM", 7, importLSTM,
                   "unrolled over the static sequence; activations "
                   "Sigmoid/Tanh/Relu; peepholes; no input_forget; "
                   "sequence_lens at run time for forward only"});
}
