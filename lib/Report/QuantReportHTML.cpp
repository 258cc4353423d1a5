//===- QuantReportHTML.cpp - The quantization report as one HTML page -----===//
//
// The JSON is first read into plain structs (QuantReport.h: every field
// checked, errors name the field), then written out: a summary table, three
// kinds of inline SVG plot and the per-layer table. Errors are plotted on a
// log scale; a zero error (a layer kept in 16 bits) is drawn on the floor.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Report/QuantReportHTML.h"

#include "QuantReport.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

using namespace lowbit;
using llvm::json::Array;
using llvm::json::Object;
using llvm::json::Value;
using namespace lowbit::report;

namespace {

//===----------------------------------------------------------------------===//
// Formatting helpers
//===----------------------------------------------------------------------===//

std::string escape(llvm::StringRef text) {
  std::string out;
  for (char c : text) {
    switch (c) {
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '&': out += "&amp;"; break;
    case '"': out += "&quot;"; break;
    case '\'': out += "&#39;"; break;
    default: out += c;
    }
  }
  return out;
}

std::string fmt(const char *format, double value) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << llvm::format(format, value);
  return s;
}

std::string bytes(int64_t n) {
  if (n >= (int64_t(1) << 20))
    return fmt("%.2f MiB", n / double(1 << 20));
  if (n >= 1024)
    return fmt("%.1f KiB", n / 1024.0);
  return std::to_string(n) + " B";
}

/// Colour of a bit width, shared by every plot and the table.
const char *bitsColor(int64_t bits) {
  switch (bits) {
  case 0: return "#444444";
  case 2: return "#d62728";
  case 3: return "#ff7f0e";
  case 4: return "#1f77b4";
  case 6: return "#17becf";
  case 8: return "#2ca02c";
  default: return "#9e9e9e";
  }
}

const char *seriesColor(llvm::StringRef kind, size_t index) {
  if (kind == "uniform")
    return "#555555";
  if (kind == "mixed-exact")
    return "#1f77b4";
  if (kind == "mixed-greedy")
    return "#ff7f0e";
  if (kind == "mixed-equal-loss")
    return "#2ca02c";
  static const char *const others[] = {"#9467bd", "#8c564b", "#e377c2",
                                       "#bcbd22"};
  return others[index % std::size(others)];
}

/// A log10 axis over positive values; non-positive values sit on the floor.
struct LogAxis {
  double lo = 0, hi = 1; // decades

  static LogAxis fit(llvm::ArrayRef<double> values) {
    double minPos = std::numeric_limits<double>::infinity(), maxPos = 0;
    for (double v : values)
      if (v > 0) {
        minPos = std::min(minPos, v);
        maxPos = std::max(maxPos, v);
      }
    LogAxis axis;
    if (maxPos <= 0) // nothing positive: an arbitrary unit decade
      return axis;
    axis.lo = std::floor(std::log10(minPos));
    axis.hi = std::ceil(std::log10(maxPos));
    if (axis.hi <= axis.lo)
      axis.hi = axis.lo + 1;
    return axis;
  }
  /// Position in [0, 1] (0 = bottom).
  double at(double v) const {
    if (!(v > 0))
      return 0;
    return std::clamp((std::log10(v) - lo) / (hi - lo), 0.0, 1.0);
  }
};

struct Box {
  double left, top, width, height;
  double x(double t) const { return left + t * width; }
  double y(double t) const { return top + (1 - t) * height; }
};

//===----------------------------------------------------------------------===//
// The page
//===----------------------------------------------------------------------===//

class PageWriter {
public:
  PageWriter(const Report &r, llvm::raw_ostream &os) : r(r), os(os) {}

  void write() {
    os << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
          "charset=\"utf-8\">\n<title>lowbit quantization report: "
       << escape(r.model) << "</title>\n<style>\n" << kStyle
       << "</style>\n</head>\n<body>\n";
    os << "<h1>lowbit quantization report</h1>\n";
    writeSummary();
    writeTradeoff();
    writeBitsChart();
    writeLayerTable();
    os << "<p class=\"note\">Errors are the layers' output errors predicted "
          "from the calibration data (squared error of the layer output per "
          "calibration row"
       << (r.relative ? ", relative to the output's energy" : "")
       << "); the model-level error is their sum. Bits per weight count "
          "scales and zero points as they are stored. Written by "
          "lowbit-compile --report.</p>\n";
    os << "</body>\n</html>\n";
  }

private:
  static constexpr const char *kStyle =
      "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;"
      "margin:24px 32px;color:#222;max-width:1200px}\n"
      "h1{font-size:22px;margin:0 0 12px}h2{font-size:17px;margin:28px 0 "
      "8px}\n"
      "table{border-collapse:collapse;font-size:13px}\n"
      "td,th{padding:3px 10px;border-bottom:1px solid #e3e3e3;text-align:"
      "left;vertical-align:middle}\n"
      "th{background:#f4f4f4}td.num{text-align:right;white-space:nowrap;"
      "font-variant-numeric:tabular-nums}\n"
      ".summary th{width:200px}\n"
      ".bits{display:inline-block;min-width:26px;text-align:center;color:"
      "#fff;border-radius:4px;padding:1px 4px;font-weight:600}\n"
      "svg text{font-family:system-ui,sans-serif;font-size:11px;fill:#333}\n"
      ".note{color:#666;font-size:12px;margin-top:24px}\n";

  double totalError() const {
    double sum = 0;
    for (const Layer &l : r.layers)
      sum += l.outputError;
    return sum;
  }

  void writeSummary() {
    int64_t bytesFloat = 0, bytesQuant = 0, params = 0;
    for (const Layer &l : r.layers) {
      bytesFloat += l.bytesFloat;
      bytesQuant += l.bytesQuant;
      params += l.params;
    }
    os << "<table class=\"summary\">\n";
    auto row = [&](llvm::StringRef key, const std::string &value) {
      os << "<tr><th>" << key << "</th><td>" << value << "</td></tr>\n";
    };
    row("model", escape(r.model));
    row("recipe", escape(r.quant) + ", method " + escape(r.method) +
                      (r.groupSize > 0
                           ? ", groups of " + std::to_string(r.groupSize)
                           : std::string(", per channel")));
    if (r.solver)
      row("allocation solver", escape(*r.solver));
    if (r.targetBpw)
      row("target bits per weight", fmt("%.3f", *r.targetBpw));
    row("achieved bits per weight", fmt("%.3f", r.achievedBpw));
    row("quantized layers",
        std::to_string(r.layers.size()) + " (" + std::to_string(params) +
            " weights)");
    std::string size = bytes(bytesFloat) + " &rarr; " + bytes(bytesQuant);
    if (bytesQuant > 0)
      size += fmt(" (%.2fx smaller)", double(bytesFloat) / bytesQuant);
    row("their weights", size);
    row("predicted model error", fmt("%.4g", totalError()));
    if (!r.passSeconds.empty()) {
      std::string times;
      for (auto [i, p] : llvm::enumerate(r.passSeconds))
        times += (i ? ", " : "") + escape(p.first) + " " +
                 fmt("%.2f s", p.second);
      row("time", times);
    }
    os << "</table>\n";
  }

  /// Predicted error against bits per weight, one line per kind of point.
  void writeTradeoff() {
    if (r.tradeoff.empty())
      return;
    os << "<h2>Accuracy and size</h2>\n";
    const double W = 720, H = 380;
    Box box{70, 16, 470, H - 16 - 46};
    std::vector<double> errors;
    double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin;
    for (const TradeoffPoint &p : r.tradeoff) {
      errors.push_back(p.predictedError);
      xmin = std::min(xmin, p.bpw);
      xmax = std::max(xmax, p.bpw);
    }
    errors.push_back(totalError());
    xmin = std::min(xmin, r.achievedBpw);
    xmax = std::max(xmax, r.achievedBpw);
    xmin = std::floor(xmin);
    xmax = std::ceil(xmax);
    if (xmax <= xmin)
      xmax = xmin + 1;
    LogAxis ya = LogAxis::fit(errors);
    auto px = [&](double bpw) { return box.x((bpw - xmin) / (xmax - xmin)); };
    auto py = [&](double e) { return box.y(ya.at(e)); };

    os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W
       << "\" height=\"" << H << "\" viewBox=\"0 0 " << W << " " << H
       << "\" role=\"img\" aria-label=\"predicted error against bits per "
          "weight\">\n";
    writeFrame(box);
    // Axes: integer bits per weight, decades of error.
    int step = xmax - xmin > 10 ? 2 : 1;
    for (double x = xmin; x <= xmax + 1e-9; x += step) {
      os << fmt("<line x1=\"%.1f\" ", px(x)) << fmt("x2=\"%.1f\" ", px(x))
         << fmt("y1=\"%.1f\" ", box.top)
         << fmt("y2=\"%.1f\" stroke=\"#eee\"/>\n", box.top + box.height);
      os << fmt("<text x=\"%.1f\" ", px(x))
         << fmt("y=\"%.1f\" text-anchor=\"middle\">", box.top + box.height + 15)
         << fmt("%g</text>\n", x);
    }
    for (double d = ya.lo; d <= ya.hi + 1e-9; d += 1) {
      double y = box.y((d - ya.lo) / (ya.hi - ya.lo));
      os << fmt("<line x1=\"%.1f\" ", box.left)
         << fmt("x2=\"%.1f\" ", box.left + box.width) << fmt("y1=\"%.1f\" ", y)
         << fmt("y2=\"%.1f\" stroke=\"#eee\"/>\n", y);
      os << fmt("<text x=\"%.1f\" ", box.left - 6)
         << fmt("y=\"%.1f\" text-anchor=\"end\">", y + 4)
         << fmt("1e%g</text>\n", d);
    }
    os << fmt("<text x=\"%.1f\" ", box.left + box.width / 2)
       << fmt("y=\"%.1f\" text-anchor=\"middle\">bits per weight</text>\n",
              H - 8);
    os << fmt("<text transform=\"translate(14,%.1f) rotate(-90)\" "
              "text-anchor=\"middle\">predicted error (log)</text>\n",
              box.top + box.height / 2);

    // One polyline per kind, in the order the kinds first appear.
    std::vector<std::string> kinds;
    for (const TradeoffPoint &p : r.tradeoff)
      if (!llvm::is_contained(kinds, p.kind))
        kinds.push_back(p.kind);
    for (auto [k, kind] : llvm::enumerate(kinds)) {
      std::vector<const TradeoffPoint *> points;
      for (const TradeoffPoint &p : r.tradeoff)
        if (p.kind == kind)
          points.push_back(&p);
      llvm::sort(points, [](const TradeoffPoint *a, const TradeoffPoint *b) {
        return a->bpw < b->bpw;
      });
      const char *color = seriesColor(kind, k);
      os << "<polyline fill=\"none\" stroke=\"" << color
         << "\" stroke-width=\"1.8\" points=\"";
      for (const TradeoffPoint *p : points)
        os << fmt("%.1f,", px(p->bpw)) << fmt("%.1f ", py(p->predictedError));
      os << "\"/>\n";
      for (const TradeoffPoint *p : points)
        os << fmt("<circle cx=\"%.1f\" ", px(p->bpw))
           << fmt("cy=\"%.1f\" r=\"3\" fill=\"", py(p->predictedError))
           << color << "\"><title>" << escape(kind)
           << fmt(": %.3f bpw, ", p->bpw)
           << fmt("error %.4g</title></circle>\n", p->predictedError);
      double ly = box.top + 10 + 18 * k;
      os << fmt("<line x1=\"%.1f\" ", box.left + box.width + 20)
         << fmt("x2=\"%.1f\" ", box.left + box.width + 44)
         << fmt("y1=\"%.1f\" ", ly) << fmt("y2=\"%.1f\" stroke=\"", ly)
         << color << "\" stroke-width=\"2\"/>\n";
      os << fmt("<text x=\"%.1f\" ", box.left + box.width + 50)
         << fmt("y=\"%.1f\">", ly + 4) << escape(kind) << "</text>\n";
    }
    // The model as compiled.
    double cx = px(r.achievedBpw), cy = py(totalError());
    os << fmt("<circle cx=\"%.1f\" ", cx)
       << fmt("cy=\"%.1f\" r=\"7\" fill=\"none\" stroke=\"#d62728\" "
              "stroke-width=\"2.5\"><title>this model: ",
              cy)
       << fmt("%.3f bpw, ", r.achievedBpw)
       << fmt("error %.4g</title></circle>\n", totalError());
    double ly = box.top + 10 + 18 * kinds.size();
    os << fmt("<circle cx=\"%.1f\" ", box.left + box.width + 32)
       << fmt("cy=\"%.1f\" r=\"6\" fill=\"none\" stroke=\"#d62728\" "
              "stroke-width=\"2.5\"/>\n",
              ly);
    os << fmt("<text x=\"%.1f\" ", box.left + box.width + 50)
       << fmt("y=\"%.1f\">this model</text>\n", ly + 4);
    os << "</svg>\n";
  }

  void writeFrame(const Box &box) {
    os << fmt("<rect x=\"%.1f\" ", box.left) << fmt("y=\"%.1f\" ", box.top)
       << fmt("width=\"%.1f\" ", box.width)
       << fmt("height=\"%.1f\" fill=\"none\" stroke=\"#999\"/>\n",
              box.height);
  }

  /// One bar per layer, its height the chosen bits.
  void writeBitsChart() {
    if (r.layers.empty())
      return;
    os << "<h2>Bits per layer</h2>\n";
    const double H = 200;
    double barW = std::clamp(900.0 / r.layers.size(), 4.0, 28.0);
    double W = std::max(60 + barW * r.layers.size() + 20, 420.0);
    Box box{50, 12, barW * r.layers.size(), H - 12 - 34};
    const double maxBits = 16;
    os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W
       << "\" height=\"" << H << "\" viewBox=\"0 0 " << W << " " << H
       << "\" role=\"img\" aria-label=\"bits chosen per layer\">\n";
    for (int b : {2, 4, 8, 16}) {
      double y = box.y(b / maxBits);
      os << fmt("<line x1=\"%.1f\" ", box.left)
         << fmt("x2=\"%.1f\" ", box.left + box.width) << fmt("y1=\"%.1f\" ", y)
         << fmt("y2=\"%.1f\" stroke=\"#eee\"/>\n", y);
      os << fmt("<text x=\"%.1f\" ", box.left - 6)
         << fmt("y=\"%.1f\" text-anchor=\"end\">", y + 4) << b << "</text>\n";
    }
    for (auto [i, l] : llvm::enumerate(r.layers)) {
      double x = box.left + barW * i;
      double h = box.height * std::max<int64_t>(l.chosenBits, 0) / maxBits;
      os << fmt("<rect x=\"%.1f\" ", x + 1)
         << fmt("y=\"%.1f\" ", box.top + box.height - h)
         << fmt("width=\"%.1f\" ", std::max(barW - 2, 1.0))
         << fmt("height=\"%.1f\" fill=\"", h) << bitsColor(l.chosenBits)
         << "\"><title>" << escape(l.name) << ": " << l.chosenBits
         << " bits</title></rect>\n";
      if (barW >= 14 || i % 5 == 0)
        os << fmt("<text x=\"%.1f\" ", x + barW / 2)
           << fmt("y=\"%.1f\" text-anchor=\"middle\">",
                  box.top + box.height + 14)
           << i << "</text>\n";
    }
    writeFrame(box);
    os << fmt("<text x=\"%.1f\" ", box.left)
       << fmt("y=\"%.1f\">layer (row of the table below)</text>\n", H - 4);
    os << "</svg>\n";
  }

  /// A small plot of a layer's output error against its candidate widths.
  void writeSparkline(const Layer &l, const LogAxis &ya) {
    const double W = 170, H = 46;
    Box box{4, 4, W - 8, H - 8};
    size_t n = l.candidates.size();
    auto px = [&](size_t i) { return box.x(n > 1 ? double(i) / (n - 1) : 0.5); };
    os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W
       << "\" height=\"" << H << "\" viewBox=\"0 0 " << W << " " << H
       << "\">";
    os << "<polyline fill=\"none\" stroke=\"#888\" stroke-width=\"1.2\" "
          "points=\"";
    for (auto [i, c] : llvm::enumerate(l.candidates))
      os << fmt("%.1f,", px(i)) << fmt("%.1f ", box.y(ya.at(c.outputError)));
    os << "\"/>";
    for (auto [i, c] : llvm::enumerate(l.candidates)) {
      bool chosen = c.bits == l.chosenBits;
      os << fmt("<circle cx=\"%.1f\" ", px(i))
         << fmt("cy=\"%.1f\" ", box.y(ya.at(c.outputError)))
         << (chosen ? "r=\"5\" stroke=\"#000\" stroke-width=\"2\" fill=\""
                    : "r=\"2.5\" fill=\"")
         << bitsColor(c.bits) << "\""
         << "><title>" << c.bits << " bits: "
         << fmt("%.3f bpw, ", c.bpw)
         << fmt("error %.4g", c.outputError) << (chosen ? " (chosen)" : "")
         << "</title></circle>";
    }
    os << "</svg>";
  }

  void writeLayerTable() {
    if (r.layers.empty())
      return;
    os << "<h2>Layers</h2>\n";
    // One error axis for every sparkline, so that rows compare.
    std::vector<double> errors;
    for (const Layer &l : r.layers)
      for (const Candidate &c : l.candidates)
        errors.push_back(c.outputError);
    LogAxis ya = LogAxis::fit(errors);
    os << "<table>\n<tr><th>#</th><th>layer</th><th>shape</th>"
          "<th>weights</th><th>bits</th><th>"
       << (r.relative ? "relative error" : "output error") << "</th>"
          "<th>float</th><th>quantized</th><th>saved</th>"
          "<th>"
       << (r.relative ? "relative error" : "output error")
       << " by candidate bits (log, " << fmt("1e%g", ya.lo) << fmt(" to 1e%g; ringed: chosen)", ya.hi)
       << "</th></tr>\n";
    for (auto [i, l] : llvm::enumerate(r.layers)) {
      std::string shape;
      for (auto [j, d] : llvm::enumerate(l.shape))
        shape += (j ? "&times;" : "") + std::to_string(d);
      os << "<tr><td class=\"num\">" << i << "</td><td>" << escape(l.name)
         << "</td><td>" << shape << "</td><td class=\"num\">" << l.params
         << "</td><td><span class=\"bits\" style=\"background:"
         << bitsColor(l.chosenBits) << "\">"
         << (l.chosenBits >= 16 ? std::string("f16")
                                : std::to_string(l.chosenBits))
         << "</span></td><td class=\"num\">" << fmt("%.4g", l.outputError)
         << "</td><td class=\"num\">" << bytes(l.bytesFloat)
         << "</td><td class=\"num\">" << bytes(l.bytesQuant)
         << "</td><td class=\"num\">" << bytes(l.bytesFloat - l.bytesQuant)
         << "</td><td>";
      writeSparkline(l, ya);
      os << "</td></tr>\n";
    }
    os << "</table>\n";
  }

  const Report &r;
  llvm::raw_ostream &os;
};

} // namespace

llvm::Error lowbit::writeQuantReportHTML(const Value &report,
                                         llvm::raw_ostream &os) {
  llvm::Expected<Report> r = readReport(report);
  if (!r)
    return r.takeError();
  PageWriter(*r, os).write();
  return llvm::Error::success();
}

llvm::Error lowbit::renderQuantReportFile(llvm::StringRef jsonPath,
                                          llvm::StringRef htmlPath) {
  auto fail = [&](llvm::StringRef file, const llvm::Twine &why) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   file + ": " + why);
  };
  auto buffer = llvm::MemoryBuffer::getFile(jsonPath);
  if (!buffer)
    return fail(jsonPath, buffer.getError().message());
  llvm::Expected<Value> json = llvm::json::parse((*buffer)->getBuffer());
  if (!json)
    return fail(jsonPath, llvm::toString(json.takeError()));
  std::error_code ec;
  llvm::raw_fd_ostream out(htmlPath, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return fail(htmlPath, ec.message());
  if (llvm::Error e = writeQuantReportHTML(*json, out))
    return fail(jsonPath, llvm::toString(std::move(e)));
  return llvm::Error::success();
}
