//===- QuantReport.h - The quantization report, read from JSON -*- C++ -*-===//
//
// The fields of the report that `lowbit-compile --report` writes and the
// HTML page shows (schema in docs/mixed-precision.md), read and checked:
// a missing field or one of the wrong type is an error naming the field.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_REPORT_QUANTREPORT_H
#define LOWBIT_LIB_REPORT_QUANTREPORT_H

#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lowbit::report {

struct Candidate {
  int64_t bits = 0;
  double bpw = 0;
  double outputError = 0;
};

struct Layer {
  std::string name;
  std::vector<int64_t> shape;
  int64_t params = 0;
  std::vector<Candidate> candidates;
  int64_t chosenBits = 0;
  double outputError = 0;
  int64_t bytesFloat = 0;
  int64_t bytesQuant = 0;
};

struct TradeoffPoint {
  std::string kind;
  double bpw = 0;
  double predictedError = 0;
};

struct Report {
  /// Errors are relative to each layer's output energy (the report has
  /// "relative_error" fields, which then take the place of "output_error").
  bool relative = false;
  std::string model, quant, method;
  std::optional<std::string> solver;
  std::optional<double> targetBpw;
  double achievedBpw = 0;
  int64_t groupSize = 0;
  std::vector<Layer> layers;
  std::vector<TradeoffPoint> tradeoff;
  std::vector<std::pair<std::string, double>> passSeconds;
};

/// Reads and checks the report.
llvm::Expected<Report> readReport(const llvm::json::Value &value);

} // namespace lowbit::report

#endif // LOWBIT_LIB_REPORT_QUANTREPORT_H
