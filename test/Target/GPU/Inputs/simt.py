"""Runs lowbit's generated GEMV, per-token quantization and RMSNorm kernels
on the CPU, lane by lane, and checks them against numpy, so that their
numerics are tested without a GPU.

    simt.py MODEL.mlir|- [--seed S]

MODEL.mlir is the output of `lowbit-opt --lowbit-gpu-qlinear-gemv
[--lowbit-gpu-quantize-per-token] --mlir-print-op-generic` on a model of
bench/gpu/make_gemv_model.py (x, packed codes, scales[, zero points][,
bias] as inputs), or of `--lowbit-gpu-rms-norm` or `--lowbit-gpu-linear-gemv`
on a @main of one lowbit.rms_norm (x, gamma) or lowbit.linear (x, w[, b]). Every kernel it launches is interpreted: each warp's 32 lanes in lock step (every SSA value
an array over the lanes), the warps of a block in turn between barriers,
the blocks one after another. nvgpu.mma.sync follows the PTX fragment
layouts of mma.m16n8k16 f16 and m16n8k32 s8; dp4a, xor shuffles, prmt and
cp.async (copied at once) are interpreted too; loads, stores and copies are
bounds-checked. The launch's x is prepared by lowbit's own host code: where
the kernel takes it in f16, the host ops before the launch (the reshapes
and the generic that rounds x in the kernel's order) are interpreted; per-token
8-bit codes for W8A8 (a quantize_per_token kernel in the module is run
too, and must give numpy's codes and scales bit for bit); split-K partial
sums are added as the host does. Prints one line per kernel and exits
1 where a result differs from float64 numpy by more than 1e-5 of
sum |x w| (x rounded to f16 for the tensor cores, as they take it), or of
max |y| for RMSNorm.
"""

import argparse
import re
import sys

import numpy as np

LANES = 32
DTYPES = {"index": np.int64, "i64": np.int64, "i32": np.uint32,
          "i8": np.int8, "i1": np.bool_, "f16": np.float16,
          "f32": np.float32}


class KernelError(Exception):
    pass


def split_top(text, sep=","):
    """Splits at `sep` outside <>, (), [] and {}."""
    parts, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c in "<([{":
            depth += 1
        elif c in ">)]}":
            depth -= 1
        elif c == sep and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    tail = text[start:].strip()
    if tail:
        parts.append(tail)
    return parts


def parse_type(text):
    """(numpy dtype, shape) of an MLIR type; memrefs give their element
    type and shape."""
    text = text.strip()
    m = re.match(r"(vector|memref|tensor)<((?:\d+x)*)([a-z]\w*)(,.*)?>$", text)
    if m:
        dims = [int(d) for d in m.group(2).split("x") if d]
        return DTYPES.get(m.group(3)), tuple(dims)
    return DTYPES.get(text), ()


class Op:
    def __init__(self, results, name, operands, line):
        self.results, self.name, self.operands = results, name, operands
        self.line = line
        self.regions = []  # lists of (block args, ops)
        self.arg_types = []  # of the first region's block arguments
        self.result_types = []

    def attr(self, pattern):
        m = re.search(pattern, self.line)
        return m.group(1) if m else None


OP_LINE = re.compile(
    r'^\s*(?:(%[\w]+)(?::(\d+))? = )?"([\w.]+)"\(([^)]*)\)(.*)$')


def parse_ops(lines, i):
    """Parses ops from lines[i] until a region's end; returns (ops, i)."""
    ops = []
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("}"):
            return ops, i
        if stripped.startswith("^bb"):
            i += 1
            continue
        m = OP_LINE.match(line)
        if not m:
            raise KernelError(f"cannot parse: {stripped[:80]}")
        base, count, name, operands, rest = m.groups()
        results = []
        if base:
            results = ([f"{base}#{j}" for j in range(int(count))] if count
                       else [base])
        op = Op(results, name, [o.strip() for o in operands.split(",")
                                if o.strip()], line)
        i += 1
        if rest.rstrip().endswith("({"):
            while True:
                args = []
                if i < len(lines) and lines[i].strip().startswith("^bb"):
                    inner = lines[i].strip()
                    inner = inner[inner.index("(") + 1:inner.rindex(")")]
                    pairs = [a.split(":", 1) for a in split_top(inner)]
                    args = [name.strip() for name, _ in pairs]
                    if not op.regions:
                        op.arg_types = [t.strip() for _, t in pairs]
                    i += 1
                body, i = parse_ops(lines, i)
                op.regions.append((args, body))
                closing = lines[i].strip()
                i += 1
                if closing.startswith("}, {"):
                    continue
                op.line += " " + closing
                break
        sig = op.line[op.line.rindex(" -> ") + 4:].strip() \
            if " -> " in op.line else ""
        if sig.startswith("("):
            sig = sig[1:sig.rindex(")")]
        op.result_types = [parse_type(t) for t in split_top(sig)] \
            if op.results else []
        ops.append(op)
    return ops, i


def parse_module(text):
    """The module op (builtin.module) of a whole generic-form module."""
    lines = [l for l in text.splitlines()
             if l.strip() and not l.startswith("#")]
    ops, _ = parse_ops(lines, 0)
    return ops[0]


class Warp:
    """One warp of a block: its lanes' values, run as a generator that
    yields at each barrier."""

    def __init__(self, block, warp, memory):
        self.block, self.warp, self.memory = block, warp, memory
        self.env = {}

    def get(self, name):
        return self.env[name]

    def run(self, ops, active):
        for op in ops:
            if op.name in ("gpu.return", "scf.yield"):
                return [self.get(o) for o in op.operands]
            if op.name == "gpu.barrier":
                yield "barrier"
                continue
            if op.name == "scf.for":
                yield from self.run_for(op, active)
                continue
            if op.name == "scf.if":
                yield from self.run_if(op, active)
                continue
            values = self.evaluate(op, active)
            for name, value in zip(op.results, values):
                self.env[name] = value
        return []

    def run_for(self, op, active):
        """scf.for with per-lane bounds: each lane runs while its own index
        is below its bound; values it carries stop changing after."""
        lower, upper, step = (self.get(o) for o in op.operands[:3])
        carried = [self.get(o) for o in op.operands[3:]]
        args, body = op.regions[0]
        index = lower.copy()
        while True:
            mask = active & (index < upper)
            if not mask.any():
                break
            self.env[args[0]] = index
            for name, value in zip(args[1:], carried):
                self.env[name] = value
            results = yield from self.run(body, mask)
            carried = [np.where(mask.reshape((-1,) + (1,) * (new.ndim - 1)),
                                new, old) for new, old in zip(results, carried)]
            index = np.where(mask, index + step, index)
        for name, value in zip(op.results, carried):
            self.env[name] = value

    def run_if(self, op, active):
        cond = self.get(op.operands[0]).astype(bool)
        merged = None
        for taken, (args, body) in zip((cond, ~cond), op.regions):
            mask = active & taken
            if not body or not mask.any():
                continue
            results = yield from self.run(body, mask)
            if merged is None:
                merged = results
            else:
                merged = [np.where(cond.reshape((-1,) + (1,) * (a.ndim - 1)),
                                   a, b) for a, b in zip(merged, results)]
        for name, value in zip(op.results, merged or []):
            self.env[name] = value

    def address(self, memref, indices, active):
        """The flat buffer of `memref` and each lane's element offset;
        inactive lanes get 0."""
        array = self.memory[memref]
        flat = np.zeros(LANES, np.int64)
        for axis, index in enumerate(indices):
            index = np.where(active, index.astype(np.int64), 0)
            if np.any((index < 0) | (index >= array.shape[axis])):
                raise KernelError(f"index out of bounds of {array.shape}")
            flat = flat * array.shape[axis] + index
        return array.reshape(-1), flat

    def evaluate(self, op, active):
        name, ops = op.name, [self.get(o) for o in op.operands]
        rt = op.result_types
        if name == "arith.constant":
            dtype, shape = rt[0]
            raw = op.attr(r"value = (.*?) : ")
            dense = re.search(r"dense<([^>]*)>", op.line)
            value = dense.group(1) if dense else raw
            if value in ("true", "false"):
                value = value == "true"
            elif value.startswith("0x") and dtype in (np.float16, np.float32):
                bits = np.uint16 if dtype == np.float16 else np.uint32
                value = np.array(int(value, 16), bits).view(dtype)
            elif dtype in (np.float16, np.float32):
                value = float(value)
            else:
                value = int(value)
                if dtype == np.uint32:
                    value &= 0xFFFFFFFF
                elif dtype == np.int8:
                    value = (value + 128) % 256 - 128
            return [np.full((LANES,) + shape, value, dtype)]
        if name == "gpu.thread_id":
            return [np.arange(LANES, dtype=np.int64) + LANES * self.warp]
        if name == "gpu.block_id":
            axis = op.attr(r"dim (\w)")
            return [np.full(LANES, self.block["xyz".index(axis)], np.int64)]
        binary = {"arith.addi": np.add, "arith.subi": np.subtract,
                  "arith.muli": np.multiply, "arith.andi": np.bitwise_and,
                  "arith.ori": np.bitwise_or, "arith.minui": np.minimum,
                  "arith.xori": np.bitwise_xor, "arith.shli": np.left_shift,
                  "arith.addf": np.add, "arith.subf": np.subtract,
                  "arith.mulf": np.multiply, "arith.divf": np.divide,
                  "arith.maxnumf": np.fmax, "arith.minnumf": np.fmin}
        if name in binary:
            return [binary[name](ops[0], ops[1]).astype(ops[0].dtype)]
        if name == "arith.divui":
            return [np.where(active, ops[0] // np.where(ops[1] == 0, 1, ops[1]),
                             0).astype(ops[0].dtype)]
        if name == "arith.remui":
            return [np.where(active, ops[0] % np.where(ops[1] == 0, 1, ops[1]),
                             0).astype(ops[0].dtype)]
        if name == "arith.shrui":
            return [(ops[0] >> ops[1]).astype(ops[0].dtype)]
        if name == "arith.cmpi":
            predicate = int(op.attr(r"predicate = (\d+)"))
            compare = [np.equal, np.not_equal, np.less, np.less_equal,
                       np.greater, np.greater_equal, np.less, np.less_equal,
                       np.greater, np.greater_equal][predicate]
            return [compare(ops[0], ops[1])]
        if name == "arith.cmpf":
            # 1-6: oeq ogt oge olt ole one; 8-13 the same, unordered;
            # 0 false, 7 ord, 14 uno, 15 true.
            predicate = int(op.attr(r"predicate = (\d+)"))
            unordered = np.isnan(ops[0]) | np.isnan(ops[1])
            if predicate in (0, 7, 14, 15):
                return [[np.zeros(LANES, bool), ~unordered, unordered,
                         np.ones(LANES, bool)][(0, 7, 14, 15).index(predicate)]]
            compare = [np.equal, np.greater, np.greater_equal, np.less,
                       np.less_equal, np.not_equal][(predicate - 1) % 7]
            result = compare(ops[0], ops[1])
            return [result & ~unordered if predicate < 7
                    else result | unordered]
        if name == "math.absf":
            return [np.abs(ops[0])]
        if name in ("math.sqrt", "math.rsqrt"):
            root = np.sqrt(ops[0])
            return [root if name == "math.sqrt"
                    else (1 / root.astype(np.float64)).astype(root.dtype)]
        if name == "math.roundeven":
            return [np.rint(ops[0])]
        if name == "arith.fptosi":
            dtype = rt[0][0]
            info = np.iinfo(np.int32 if dtype == np.uint32 else dtype)
            value = np.clip(np.trunc(ops[0]), info.min, info.max)
            value = value.astype(np.int64)
            return [value.astype(np.int32).view(np.uint32)
                    if dtype == np.uint32 else value.astype(dtype)]
        if name == "arith.select":
            cond = ops[0].reshape((-1,) + (1,) * (ops[1].ndim - 1))
            return [np.where(cond, ops[1], ops[2])]
        if name == "arith.extui":
            source = ops[0].view(np.uint8) if ops[0].dtype == np.int8 else ops[0]
            return [source.astype(rt[0][0])]
        if name == "arith.sitofp":
            source = ops[0].view(np.int32) if ops[0].dtype == np.uint32 \
                else ops[0]
            return [source.astype(rt[0][0])]
        if name in ("arith.uitofp", "arith.truncf", "arith.extf"):
            return [ops[0].astype(rt[0][0])]
        if name == "llvm.intr.fma":
            return [(ops[0].astype(np.float64) * ops[1] + ops[2])
                    .astype(ops[0].dtype)]
        if name == "llvm.inline_asm":
            if "mov.b32 $0, $1;" in op.line:
                return [ops[0]]
            lop3 = re.search(r'"lop3\.b32 \$0, (\$\d|0x[0-9a-fA-F]+|\d+), '
                             r'(\$\d|0x[0-9a-fA-F]+|\d+), '
                             r'(\$\d|0x[0-9a-fA-F]+|\d+), (0x[0-9a-fA-F]+);"',
                             op.line)
            if not lop3:
                raise KernelError("unknown inline asm")
            a, b, c = [ops[int(t[1:]) - 1] if t.startswith("$")
                       else np.full(LANES, int(t, 0), np.uint32)
                       for t in lop3.groups()[:3]]
            # Bit i of the result is bit (a_i b_i c_i) of the table.
            table = int(lop3.group(4), 16)
            result = np.zeros(LANES, np.uint32)
            for index in range(8):
                if table >> index & 1:
                    pick = np.full(LANES, 0xFFFFFFFF, np.uint32)
                    for operand, bit in ((a, 4), (b, 2), (c, 1)):
                        pick &= operand if index & bit else ~operand
                    result |= pick
            return [result]
        if name == "arith.bitcast":
            return [np.ascontiguousarray(ops[0]).view(rt[0][0])]
        if name == "vector.bitcast":
            dtype, shape = rt[0]
            return [np.ascontiguousarray(ops[0]).view(dtype)
                    .reshape((LANES,) + shape)]
        if name == "vector.broadcast":
            dtype, shape = rt[0]
            source = ops[0].reshape((LANES,) + (1,) * len(shape))
            return [np.broadcast_to(source, (LANES,) + shape).astype(dtype)]
        if name == "vector.extract":
            position = [int(p) for p in op.attr(
                r"static_position = array<i64: ([\d, ]*)>").split(",")]
            return [ops[0][(slice(None),) + tuple(position)].copy()]
        if name == "vector.insert":
            position = [int(p) for p in op.attr(
                r"static_position = array<i64: ([\d, ]*)>").split(",")]
            result = ops[1].copy()
            result[(slice(None),) + tuple(position)] = ops[0]
            return [result]
        if name == "vector.from_elements":
            return [np.stack(ops, axis=1).reshape((LANES,) + rt[0][1])]
        if name == "vector.shuffle":
            mask = [int(p) for p in op.attr(
                r"mask = array<i64: ([\d, ]*)>").split(",")]
            both = np.concatenate([ops[0], ops[1]], axis=1)
            return [both[:, mask]]
        if name == "vector.load":
            dtype, shape = rt[0]
            length = int(np.prod(shape))
            flat, at = self.address(op.operands[0], ops[1:], active)
            if np.any(at[active] + length > flat.size):
                raise KernelError("vector load out of bounds")
            lanes = np.where(active, at, 0)
            return [np.stack([flat[a:a + length] for a in lanes])
                    .reshape((LANES,) + shape)]
        if name == "memref.load":
            flat, at = self.address(op.operands[0], ops[1:], active)
            return [flat[np.where(active, at, 0)]]
        if name == "vector.store":
            flat, at = self.address(op.operands[1], ops[2:], active)
            values = ops[0].reshape(LANES, -1)
            if np.any(at[active] + values.shape[1] > flat.size):
                raise KernelError("vector store out of bounds")
            for lane in np.nonzero(active)[0]:
                flat[at[lane]:at[lane] + values.shape[1]] = values[lane]
            return []
        if name == "memref.store":
            flat, at = self.address(op.operands[1], ops[2:], active)
            flat[at[active]] = ops[0][active]
            return []
        if name == "gpu.shuffle":
            if "shuffle_mode xor" not in op.line:
                raise KernelError("only xor shuffles are interpreted")
            source = np.arange(LANES) ^ ops[1].astype(np.int64)
            valid = source < ops[2].astype(np.int64)
            return [ops[0][np.where(valid, source, np.arange(LANES))], valid]
        if name == "nvvm.prmt":
            if "permute_mode<default>" not in op.line:
                raise KernelError("only the default prmt mode is interpreted")
            pool = (ops[0].astype(np.uint64) |
                    (ops[1].astype(np.uint64) << np.uint64(32)))
            result = np.zeros(LANES, np.uint32)
            for byte in range(4):
                select = (ops[2] >> np.uint32(4 * byte)) & np.uint32(15)
                value = (pool >> ((select & 7).astype(np.uint64) * 8)) & 0xFF
                value = np.where(select & 8, np.where(value & 0x80, 0xFF, 0),
                                 value)
                result |= (value.astype(np.uint32) << np.uint32(8 * byte))
            return [result]
        if name == "nvgpu.device_async_copy":
            # Copied at once: what the kernel reads after its wait is the
            # same (a missing wait goes unnoticed here).
            sizes = [int(v) for v in op.attr(
                r"operandSegmentSizes = array<i32: ([\d, ]*)>").split(",")]
            dst_rank, src_rank = sizes[1], sizes[3]
            count = int(op.attr(r"dstElements = (\d+)"))
            dst, at = self.address(op.operands[0], ops[1:1 + dst_rank],
                                   active)
            src_at = 2 + dst_rank
            src, start = self.address(op.operands[1 + dst_rank],
                                      ops[src_at:src_at + src_rank], active)
            given = ops[src_at + src_rank] if len(sizes) > 4 and sizes[4] \
                else np.full(LANES, count)
            for lane in np.nonzero(active)[0]:
                n = int(given[lane])
                if start[lane] + n > src.size or at[lane] + count > dst.size:
                    raise KernelError("async copy out of bounds")
                dst[at[lane]:at[lane] + count] = 0
                dst[at[lane]:at[lane] + n] = src[start[lane]:start[lane] + n]
            return [None]
        if name in ("nvgpu.device_async_create_group",
                    "nvgpu.device_async_wait"):
            return [None] * len(op.results)
        if name == "nvvm.dot.accumulate.4way":
            # dp4a: four byte products added to the i32 accumulator.
            kinds = re.findall(r"dot_accumulate_type<(\w+)>", op.line)
            a_, b_ = (v.view(np.uint8) if kind == "unsigned" else v
                      for v, kind in zip(ops[:2], kinds))
            total = (a_.astype(np.int64) * b_.astype(np.int64)).sum(axis=1)
            total += ops[2].view(np.int32)
            return [total.astype(np.int32).view(np.uint32)]
        if name == "nvgpu.mma.sync":
            return [mma(ops[0], ops[1], ops[2])]
        raise KernelError(f"op not interpreted: {name}")


def mma(a, b, c):
    """mma.sync over the warp's fragments (PTX ISA layouts): m16n8k16 f16
    with f32 accumulators, or m16n8k32 s8 with i32 ones (kept as uint32)."""
    g, t = np.arange(LANES) // 4, np.arange(LANES) % 4
    per = a.shape[2]  # values per register: 2 f16 or 4 s8
    depth = 8 * per  # K of the mma
    integer = a.dtype == np.int8
    A = np.zeros((16, depth), np.int64 if integer else np.float64)
    B = np.zeros((depth, 8), A.dtype)
    C = np.zeros((16, 8), A.dtype)
    for lane in range(LANES):
        for reg in range(4):
            row = g[lane] + 8 * (reg % 2)
            col = per * t[lane] + depth // 2 * (reg // 2)
            A[row, col:col + per] = a[lane, reg]
        for reg in range(2):
            k = per * t[lane] + depth // 2 * reg
            B[k:k + per, g[lane]] = b[lane, reg]
        for half in range(2):
            part = c[lane, half].view(np.int32) if integer else c[lane, half]
            C[g[lane] + 8 * half, 2 * t[lane]:2 * t[lane] + 2] = part
    D = A @ B + C
    D = D.astype(np.int32).view(np.uint32) if integer else D.astype(np.float32)
    d = np.zeros_like(c)
    for lane in range(LANES):
        for half in range(2):
            d[lane, half] = D[g[lane] + 8 * half,
                              2 * t[lane]:2 * t[lane] + 2]
    return d


def run_kernel(func, grid, threads, memory):
    """Runs `func` (a gpu.func Op) on `grid` blocks of `threads` threads."""
    args, body = func.regions[0]
    workgroups = [(a, t) for a, t in zip(args, func.arg_types)
                  if a not in memory]
    for gx in range(grid[0]):
        for gy in range(grid[1]):
            for gz in range(grid[2]):
                shared = dict(memory)
                for name, text in workgroups:
                    dtype, shape = parse_type(text[:text.index(",")] + ">")
                    shared[name] = np.zeros(shape, dtype)
                warps = [Warp((gx, gy, gz), w, shared)
                         for w in range(threads // LANES)]
                for warp in warps:
                    for name in args:
                        warp.env[name] = name
                runners = [w.run(body, np.ones(LANES, bool)) for w in warps]
                while runners:
                    still = []
                    for runner in runners:
                        try:
                            next(runner)
                            still.append(runner)
                        except StopIteration:
                            pass
                    if still and len(still) != len(runners):
                        raise KernelError("a barrier not reached by every warp")
                    runners = still


def activations(m, k, seed):
    """The model's x, the same for every kernel of a run."""
    return np.random.default_rng(seed + 1).standard_normal((m, k)) \
        .astype(np.float32)


def per_token(x):
    """lowbit.quantize_per_token's codes and scales, as the CPU makes them:
    max |x| / 127 per row (1 where 0), then x / scale rounded half to even
    and clamped."""
    scale = (np.max(np.abs(x), axis=1) / np.float32(127)).astype(np.float32)
    scale[scale == 0] = 1
    codes = np.clip(np.rint(x / scale[:, None]), -128, 127).astype(np.int8)
    return codes, scale


def check_quantize(func, name, sizes, types, seed, host):
    """Runs the per-token quantization kernel (x, codes, scales); its codes
    and scales must be numpy's, bit for bit."""
    (_, (m, k)) = types[0]
    x = activations(m, k, seed)
    codes = np.zeros((m, k), np.int8)
    scale = np.zeros(m, np.float32)
    run_kernel(func, sizes[:3], sizes[3],
               dict(zip(func.regions[0][0], [x, codes, scale])))
    want_codes, want_scale = per_token(x)
    ok = np.array_equal(codes, want_codes) and np.array_equal(scale, want_scale)
    print(f"{name}: {'ok' if ok else 'FAILED'} (codes and scales "
          f"{'bit-identical to' if ok else 'differ from'} numpy's)")
    return ok


def report(name, error, tolerance, of):
    """Prints the kernel's line; whether its error is within tolerance."""
    ok = error <= tolerance
    print(f"{name}: {'ok' if ok else 'FAILED'} (max error {error:.1e} of "
          f"{of})")
    return ok


def product_error(y, x, w, bias):
    """max |y - (x w^T + bias)| / (|x| |w|^T + |bias|), in float64."""
    x, w = x.astype(np.float64), w.astype(np.float64)
    want = x @ w.T + bias
    bound = np.abs(x) @ np.abs(w).T + np.abs(bias)
    return float(np.max(np.abs(y - want) / bound))


def check_rms_norm(func, name, sizes, types, seed, host):
    """Runs an RMSNorm kernel (rms_norm_rR_wW_epsBITS: epsilon as the bits
    of an f32) against float64 numpy, to 1e-5 of max |y|."""
    (_, (rows, width)) = types[0]
    epsilon = float(np.array(int(name.rsplit("_eps", 1)[1]), np.uint32)
                    .view(np.float32))
    x = activations(rows, width, seed)
    gamma = np.random.default_rng(seed + 2).standard_normal(width) \
        .astype(np.float32)
    y = np.zeros((rows, width), np.float32)
    run_kernel(func, sizes[:3], sizes[3],
               dict(zip(func.regions[0][0], [x, gamma, y])))
    x64 = x.astype(np.float64)
    want = x64 / np.sqrt(np.mean(x64 * x64, axis=1, keepdims=True) +
                         epsilon) * gamma
    error = float(np.max(np.abs(y - want)) / np.max(np.abs(want)))
    return report(name, error, 1e-5, "max |y|")


def check_float_gemv(func, name, sizes, types, seed, host):
    """Runs the f32-weight GEMV (x [M, K], w [N, K][, bias]) against
    float64 numpy, to 1e-5 of sum |x w|."""
    (_, (m, k)), (_, (n, _)) = types[0], types[1]
    rng = np.random.default_rng(seed + 3)
    x = activations(m, k, seed)
    w = rng.standard_normal((n, k)).astype(np.float32)
    memory = [x, w]
    bias = np.zeros(n)
    if len(types) == 4:
        memory.append(rng.standard_normal(n).astype(np.float32))
        bias = memory[-1].astype(np.float64)
    y = np.zeros((m, n), np.float32)
    memory.append(y)
    run_kernel(func, sizes[:3], sizes[3], dict(zip(func.regions[0][0], memory)))
    return report(name, product_error(y, x, w, bias), 1e-5, "sum |x w|")


class HostCode:
    """The host ops of @main before one launch, for its x operand: the
    reshapes and the elementwise generic that rounds x to f16 in the order
    the kernel reads it (GemvShape::xLayout), interpreted with numpy, so
    that a kernel is checked with the x lowbit's own host code gives it."""

    def __init__(self, body, maps, launch):
        self.body, self.maps, self.launch = body, maps, launch

    def x_for_launch(self, x):
        producers = {r: o for o in self.body for r in o.results}
        chain, value = [], self.launch.operands[6]
        while value in producers:
            chain.append(producers[value])
            value = chain[-1].operands[0]
        for op in reversed(chain):
            if op.name in ("tensor.expand_shape", "tensor.collapse_shape"):
                x = x.reshape(op.result_types[0][1])
            elif op.name == "linalg.generic":
                inner = [o.name for o in op.regions[0][1]]
                if inner != ["arith.truncf", "linalg.yield"]:
                    raise KernelError(f"host generic {inner} not interpreted")
                dims, picked = self.maps[op.attr(r"indexing_maps = \[(#\w+)")]
                perm = [dims.index(d) for d in picked]
                # Input axis j is the output's axis perm[j].
                x = x.transpose(np.argsort(perm)).astype(op.result_types[0][0])
            elif op.name != "bufferization.to_buffer":
                raise KernelError(f"host op {op.name} before the launch "
                                  "not interpreted")
        return np.ascontiguousarray(x)


def check_code_gemv(func, name, sizes, types, seed, host):
    """Runs a GEMV on packed codes (gemv_w4... / gemv_w8...: x, packed,
    scales[, zero points][, bias][, x scales], y) against float64 numpy,
    to 1e-5 of sum |x w|."""
    bits = int(re.match(r"gemv_w(\d)", name).group(1))
    (_, (m, k)), (_, (n, row)) = types[0], types[1]
    groups = types[2][1][1]
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 256, (n, row), dtype=np.uint8)
    scales = rng.uniform(0.005, 0.02, (n, groups)).astype(types[2][0])
    x = activations(m, k, seed)
    memory = [x.astype(types[0][0]), codes.view(np.int8), scales]
    int8_x = types[0][0] == np.int8
    if int8_x:
        # Per-token codes, as lowbit.quantize_per_token makes them.
        x_codes, x_scale = per_token(x)
        memory[0] = x_codes
        x = x_scale[:, None].astype(np.float64) * x_codes
        types = types[:-2] + types[-1:]  # x's scales: given below
    zero = np.full((n, groups), 1 << (bits - 1), np.float64)
    extra = types[3:-1]
    if extra and extra[0][0] == np.int8:
        zp = rng.integers(0, 1 << bits, (n, groups), dtype=np.uint8)
        memory.append(zp.view(np.int8))
        zero = zp.astype(np.float64)
        extra = extra[1:]
    bias = np.zeros(n)
    if extra:
        memory.append(rng.standard_normal(n).astype(extra[0][0]))
        bias = memory[-1].astype(np.float64)
    if "tc" in name.split("_")[1] and not int8_x:
        # The tensor cores take x rounded to f16 (before the launch or in
        # the kernel).
        x = x.astype(np.float16).astype(np.float32)
    if types[0][0] == np.float16:
        memory[0] = host.x_for_launch(x)
    if int8_x:
        memory.append(x_scale)
    y = np.zeros(types[-1][1], np.float32)
    memory.append(y)
    run_kernel(func, sizes[:3], sizes[3], dict(zip(func.regions[0][0], memory)))
    if bits == 4:
        codes = np.stack([codes & 15, codes >> 4], axis=-1).reshape(n, k)
    w = np.repeat(scales.astype(np.float64), k // groups, axis=1) * (
        codes.astype(np.float64) - np.repeat(zero, k // groups, axis=1))
    result = y.sum(axis=0) if y.ndim == 3 else y  # K split: add the splits
    return report(name, product_error(result, x, w, bias), 1e-5, "sum |x w|")


CHECKS = (("rms_norm", check_rms_norm), ("gemv_f32", check_float_gemv),
          ("quantize_per_token", check_quantize), ("gemv_w", check_code_gemv))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    text = sys.stdin.read() if a.model == "-" else open(a.model).read()
    module = parse_module(text)
    # Affine map aliases: name -> (dimensions, results).
    maps = {name: (split_top(dims), split_top(results))
            for name, dims, results in re.findall(
                r"^(#\w+) = affine_map<\((.*?)\) -> \((.*?)\)>$", text, re.M)}
    top = module.regions[0][1]
    kernels = {}
    for gpu_module in (o for o in top if o.name == "gpu.module"):
        for f in gpu_module.regions[0][1]:
            if f.name == "gpu.func":
                kernels[f.attr(r'sym_name = "(\w+)"')] = f
    main_func = next(f for f in top if f.name == "func.func"
                     and f.attr(r'sym_name = "(\w+)"') == "main")
    body = main_func.regions[0][1]
    constants = {o.results[0]: int(o.attr(r"value = (-?\d+) : index"))
                 for o in body if o.name == "arith.constant"
                 and o.attr(r"value = (-?\d+) : index") is not None}
    failed = 0
    for launch in (o for o in body if o.name == "gpu.launch_func"):
        name = launch.attr(r"@\w+::@(\w+)")
        sizes = [constants[o] for o in launch.operands[:6]]
        signature = launch.line[launch.line.rindex(": (") + 3:
                                launch.line.rindex(") ->")]
        types = [parse_type(t) for t in split_top(signature)][6:]
        check = next(c for prefix, c in CHECKS if name.startswith(prefix))
        failed += not check(kernels[name], name, sizes, types, a.seed,
                            HostCode(body, maps, launch))
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KernelError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)
