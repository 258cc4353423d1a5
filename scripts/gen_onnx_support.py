"""Generates (or checks) the tables in docs/onnx-support.md from the code.

  gen_onnx_support.py --tool build/bin/lowbit-import [--sweep SWEEP.json]
                      [--e2e E2E.json] [--check]

The op table comes from `lowbit-import --list-supported-ops`, i.e. from the
importer's handler table itself; the node-test counts from a JSON written by
scripts/node_test_sweep.py, the end-to-end results from one written by
scripts/node_test_e2e.py. Sections between
"<!-- BEGIN GENERATED: NAME -->" and "<!-- END GENERATED: NAME -->" are
replaced; everything else in the file is kept. With --check, nothing is
written and the exit status says whether the supported-ops table is current.
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys

DOC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "onnx-support.md")


def replace_section(text, name, body):
    pattern = re.compile(
        rf"(<!-- BEGIN GENERATED: {name} -->\n).*?(<!-- END GENERATED: {name} -->)", re.S)
    if not pattern.search(text):
        raise SystemExit(f"error: {DOC} has no generated section '{name}'")
    return pattern.sub(lambda m: m.group(1) + body + m.group(2), text)


def section(text, name):
    m = re.search(rf"<!-- BEGIN GENERATED: {name} -->\n(.*?)<!-- END GENERATED: {name} -->",
                  text, re.S)
    return m.group(1) if m else None


def sweep_body(path):
    results = json.load(open(path))
    counts = collections.Counter(r["outcome"] for r in results.values())
    total = len(results)
    lines = [f"| Outcome | Models | Share |", "|---|---|---|"]
    labels = {"imported": "imported", "imported-frozen": "imported with frozen shape inputs",
              "rejected": "rejected", "crashed": "crashed"}
    for kind, label in labels.items():
        lines.append(f"| {label} | {counts[kind]} | {100.0 * counts[kind] / total:.1f}% |")
    both = counts["imported"] + counts["imported-frozen"]
    lines.append(f"| **imported, all** | **{both}** | **{100.0 * both / total:.1f}%** |")
    lines.append("")
    lines.append("Node tests imported with frozen shape inputs, and the inputs frozen to "
                 "the test's own values:")
    lines.append("")
    lines.append("| Test | Frozen inputs |")
    lines.append("|---|---|")
    for test, r in sorted(results.items()):
        if r["outcome"] == "imported-frozen":
            lines.append(f"| {test} | {', '.join(r.get('frozen_inputs', []))} |")
    lines.append("")
    lines.append("Rejected node tests and the importer's message:")
    lines.append("")
    lines.append("| Test | Message |")
    lines.append("|---|---|")
    for test, r in sorted(results.items()):
        if not r["outcome"].startswith("imported"):
            msg = re.sub(r"^error: \S+: ", "", r["message"]).replace("|", "\\|")
            lines.append(f"| {test} | {msg} |")
    return "\n".join(lines) + "\n"


def e2e_body(path):
    """The end-to-end section, from a JSON of scripts/node_test_e2e.py."""
    results = json.load(open(path))
    counts = collections.Counter(r["outcome"] for r in results.values())
    total = len(results)
    lines = ["| Outcome | Models | Share |", "|---|---|---|"]
    for kind in ("passed", "rejected", "wrong", "crashed"):
        lines.append(f"| {kind} | {counts[kind]} | {100.0 * counts[kind] / total:.1f}% |")
    stages = collections.Counter(r["stage"] for r in results.values()
                                 if r["outcome"] == "rejected")
    lines.append("")
    frozen = sum(1 for r in results.values() if r["outcome"] == "passed" and r.get("frozen"))
    lines.append(f"Rejected at import: {stages['import']}; rejected by code generation "
                 f"(compiled after importing): {stages['compile']}. Passed with shape-deciding "
                 f"inputs frozen to the test's values: {frozen}. Wrong results and crashes "
                 "that are understood are listed, with the reason, in "
                 "`test/e2e/Inputs/node-tests-known.txt`.")
    for kind, title in (("wrong", "Wrong results"), ("crashed", "Crashes"),
                        ("rejected", "Rejections by code generation")):
        rows = [(t, r) for t, r in sorted(results.items())
                if r["outcome"] == kind and (kind != "rejected" or r["stage"] == "compile")]
        if not rows:
            continue
        lines += ["", f"{title}:", "", "| Test | Message |", "|---|---|"]
        for test, r in rows:
            msg = re.sub(r"^error: (\S+: )?", "", r["message"]).replace("|", "\\|")
            lines.append(f"| {test} | {msg[:300]} |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tool", required=True)
    parser.add_argument("--sweep")
    parser.add_argument("--e2e", help="JSON written by scripts/node_test_e2e.py")
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--doc", default=DOC)
    args = parser.parse_args()
    table = subprocess.run([args.tool, "--list-supported-ops"], check=True,
                           capture_output=True, text=True).stdout
    text = open(args.doc).read()
    if args.check:
        if section(text, "supported-ops") != table:
            print(f"error: {args.doc} is out of date; run scripts/gen_onnx_support.py "
                  f"--tool {args.tool}")
            return 1
        print("docs/onnx-support.md: supported-ops table is current")
        return 0
    text = replace_section(text, "supported-ops", table)
    if args.sweep:
        text = replace_section(text, "node-tests", sweep_body(args.sweep))
    if args.e2e:
        text = replace_section(text, "node-tests-e2e", e2e_body(args.e2e))
    open(args.doc, "w").write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
