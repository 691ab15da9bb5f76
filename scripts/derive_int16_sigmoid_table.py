#!/usr/bin/env python3
"""Reconstructs the interpolation table of TFLite's int16 LOGISTIC kernel from its outputs.

TFLite's int16 LOGISTIC interpolates a 256-entry table T of sigmoid(i / 24) in unsigned 0.16 fixed
point (core/kernels/reference/int16_logistic.h has the arithmetic). This script reads the outputs
the real TFLite runtime gave for every int16 input at several input scales, written by

  COMPRESSD_DUMP_DIR=DIR build/tests/quantize_int8_test --gtest_filter='Scales/Int16Logistic*'

(files DIR/int16_logistic_<scale>.bin, 65536 int16 outputs for the inputs -32768..32767), turns
each output into a bound on T[i] * 512 + t * (T[i + 1] - T[i]), and finds the table entries that
satisfy every bound. It prints the table as C++ initializer rows, or, with --check HEADER, compares
it with the table in that header. Entries the outputs cannot tell apart are reported.

  scripts/derive_int16_sigmoid_table.py DIR [--check core/kernels/reference/int16_sigmoid_table.h]
"""
import argparse
import glob
import math
import os
import re
import struct
import sys


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def kernel_params(scale):
    """TFLite's SigmoidPrepare for int16 (table path): multiplier, left shift."""
    m = float(scale) * 4096.0 * 3.0
    shift = 0
    while m <= 32767.0 / 2.0 and shift <= 30:
        shift += 1
        m *= 2.0
    return int(m), shift


def constraints(dump_dir):
    """{segment i: [(t, lo, hi)]}: lo <= 512 * T[i] + t * (T[i+1] - T[i]) <= hi."""
    cons = {}
    files = sorted(glob.glob(os.path.join(dump_dir, "int16_logistic_*.bin")))
    if not files:
        sys.exit(f"no int16_logistic_*.bin in {dump_dir}")
    for path in files:
        scale = f32(float(re.search(r"int16_logistic_(.*)\.bin$", path).group(1)))
        mult, shift = kernel_params(scale)
        rnd = (1 << (shift - 1)) if shift > 0 else 0
        data = open(path, "rb").read()
        outs = struct.unpack(f"<{len(data) // 2}h", data)
        for k, out in enumerate(outs):
            x = k - 32768
            v = (x * mult + rnd) >> shift
            a = abs(v)
            i, t = a >> 9, a & 511
            if i >= 255:
                continue
            if v >= 0:  # out = (r + 512) >> 10
                lo, hi = 1024 * out - 512, 1024 * out + 511
            else:  # out = (2^25 - r + 511) >> 10
                lo, hi = (1 << 25) - 1024 * out - 512, (1 << 25) - 1024 * out + 511
            cons.setdefault(i, []).append((t, lo, hi))
    return cons


def feasible_pairs(obs):
    """All (T[i], T[i+1]) in [0, 65535]^2 meeting every bound of one segment."""
    lo0 = max(lo for t, lo, hi in obs if t == 0) if any(t == 0 for t, _, _ in obs) else 0
    hi0 = min(hi for t, lo, hi in obs if t == 0) if any(t == 0 for t, _, _ in obs) else 65535 * 512
    pairs = []
    for ua in range(max(0, -(-lo0 // 512)), min(65535, hi0 // 512) + 1):
        tmax, lo_m, hi_m = max(obs)
        # ub from the largest-t bound, then every bound.
        d_lo = math.ceil((lo_m - 512 * ua) / tmax) if tmax else -65535
        d_hi = math.floor((hi_m - 512 * ua) / tmax) if tmax else 65535
        for ub in range(max(ua, ua + d_lo), min(65535, ua + d_hi) + 1):
            if all(lo <= 512 * ua + t * (ub - ua) <= hi for t, lo, hi in obs):
                pairs.append((ua, ub))
    return pairs


def solve(cons):
    """A chain T[0..255] with (T[i], T[i+1]) feasible for every segment; ambiguous entries."""
    options = [feasible_pairs(cons.get(i, [])) for i in range(255)]
    for i, o in enumerate(options):
        if not o:
            sys.exit(f"segment {i}: no table entries fit TFLite's outputs")
    # Forward pass: values T[i] can take that continue a valid chain from T[0].
    reach = [set(ua for ua, _ in options[0])]
    for i in range(255):
        reach.append(set(ub for ua, ub in options[i] if ua in reach[i]))
        if not reach[-1]:
            sys.exit(f"no consistent chain at entry {i + 1}")
    # Backward pass keeps values that also reach the end; pick the one nearest the ideal sigmoid.
    table = [0] * 256
    ideal = lambda i: 65536.0 / (1.0 + math.exp(-i / 24.0))
    alive = reach[255]
    ambiguous = []
    table[255] = min(alive, key=lambda v: abs(v - ideal(255)))
    if len(alive) > 1:
        ambiguous.append(255)
    for i in range(254, -1, -1):
        alive = set(ua for ua, ub in options[i] if ua in reach[i] and ub == table[i + 1])
        if len(alive) > 1:
            ambiguous.append(i)
        table[i] = min(alive, key=lambda v: abs(v - ideal(i)))
    return table, sorted(ambiguous)


def segment_outputs(ua, ub):
    """The kernel's outputs over a whole segment (every t, both signs) for T[i], T[i+1]."""
    rs = [(ua << 9) + t * (ub - ua) for t in range(512)]
    return [(r + 512) >> 10 for r in rs] + [((1 << 25) - r + 511) >> 10 for r in rs]


def unresolved(cons, table):
    """Segments where another feasible pair would change some output of the kernel."""
    bad = []
    for i in range(255):
        mine = segment_outputs(table[i], table[i + 1])
        if any(segment_outputs(ua, ub) != mine for ua, ub in feasible_pairs(cons.get(i, []))):
            bad.append(i)
    return bad


def header_table(path):
    text = open(path).read()
    body = text[text.index("kInt16SigmoidTable"):]
    body = body[body.index("{") + 1:body.index("}")]
    return [int(v) for v in re.findall(r"\d+", body)]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("dump_dir")
    p.add_argument("--check", metavar="HEADER")
    args = p.parse_args()
    cons = constraints(args.dump_dir)
    table, ambiguous = solve(cons)
    if ambiguous:
        print(f"entries not pinned down by these outputs (nearest to sigmoid chosen): {ambiguous}",
              file=sys.stderr)
    open_segments = unresolved(cons, table)
    if open_segments:
        sys.exit(f"segments {open_segments}: another table fitting these outputs would give other "
                 "outputs at inputs not probed; probe more input scales")
    print("every other table fitting these outputs gives the same output for every input",
          file=sys.stderr)
    if args.check:
        have = header_table(args.check)
        bad = [i for i in range(256) if have[i] != table[i] and i not in ambiguous]
        if len(have) != 256 or bad:
            sys.exit(f"{args.check} differs from TFLite's outputs at entries {bad}")
        print(f"{args.check}: all 256 entries agree with TFLite's outputs")
        return
    for k in range(0, 256, 12):
        print("    " + ", ".join(str(v) for v in table[k:k + 12]) + ",")


if __name__ == "__main__":
    main()
