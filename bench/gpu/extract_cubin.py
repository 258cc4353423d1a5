"""Writes the object of one gpu.binary of an MLIR module to a file.

    extract_cubin.py MODULE.mlir BINARY_NAME OUT.cubin

MODULE is what `lowbit-compile --compile-to=llvm --target cuda` (or
`lowbit-opt --lowbit-gpu-pipeline`) prints; the object's `bin` string is
decoded from MLIR's escapes (\\XX hex bytes).
"""

import re
import sys


def main():
    text = open(sys.argv[1], encoding="latin-1").read()
    match = re.search(r'gpu\.binary @' + re.escape(sys.argv[2]) +
                      r'\s.*?bin = "((?:[^"\\]|\\.)*)"', text, re.S)
    if not match:
        sys.exit(f"error: {sys.argv[1]}: no gpu.binary @{sys.argv[2]} "
                 "with a bin object")
    data, escaped, i = bytearray(), match.group(1), 0
    while i < len(escaped):
        if escaped[i] == "\\":
            if escaped[i + 1] in '\\"':
                data.append(ord(escaped[i + 1]))
                i += 2
            else:
                data.append(int(escaped[i + 1:i + 3], 16))
                i += 3
        else:
            data.append(ord(escaped[i]))
            i += 1
    with open(sys.argv[3], "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
