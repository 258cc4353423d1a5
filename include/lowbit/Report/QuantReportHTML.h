//===- QuantReportHTML.h - The quantization report as one HTML page -*- C++ -*-===//
//
// Renders the report that `lowbit-compile --report FILE.json` writes (schema
// in docs/mixed-precision.md) as a self-contained HTML page: no scripts, no
// external files, every plot drawn as inline SVG. The page shows
//
//   * a summary (model, recipe, bits per weight, size, time of each pass);
//   * the trade-off curve: predicted error against bits per weight, for
//     uniform widths and for each allocation solver, with the chosen point;
//   * the bits chosen for each layer, as a bar chart;
//   * a table with one row per layer: shape, chosen bits, error introduced,
//     bytes before and after, and its sensitivity curve (output error
//     against bits, log scale, chosen width marked).
//
// Fields the page needs are checked; a report that lacks them, or whose
// values have the wrong type, is an error naming the field.
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_REPORT_QUANTREPORTHTML_H
#define LOWBIT_REPORT_QUANTREPORTHTML_H

#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

namespace lowbit {

/// Writes `report` (the JSON object) as an HTML page to `os`.
llvm::Error writeQuantReportHTML(const llvm::json::Value &report,
                                 llvm::raw_ostream &os);

/// Reads the JSON report at `jsonPath` and writes the page to `htmlPath`.
/// Errors name the file.
llvm::Error renderQuantReportFile(llvm::StringRef jsonPath,
                                  llvm::StringRef htmlPath);

} // namespace lowbit

#endif // LOWBIT_REPORT_QUANTREPORTHTML_H
