#!/usr/bin/env python3
"""Writes the reference vectors testdata/<Func>.txt.gz used by TestReference.

Each line holds the inputs and, for each function of the file, the
correctly rounded result, all as 16 hex digits of the IEEE 754 binary64 bit
pattern, each result followed by its rounding residual (exact - rounded)/ulp
as a decimal in [-0.5, 0.5]:

    x [y] result residual [result residual ...]

Functions that share inputs share a file (SinCosTan, LogLog2Log10, AsinAcos,
SinhCoshTanh).

so a test can measure its error in ulps of the exact value, not only
against the rounded one. The exact values are computed with mpmath at 50
significant digits (60 for arguments whose reduction needs it), rounded to
nearest-even binary64 (subnormals included) once. Inputs are drawn from a
seeded generator over the ranges the project uses (audio phases up to
2π·20000, exponents of ±700, logarithms of 1e-300..1e300, powers with
integer and fractional exponents and negative bases) plus edge cases.

    cd detmath && python3 testdata/genref.py

For a larger check, DETMATH_N (inputs per function, default 2000),
DETMATH_SEED and DETMATH_OUT (directory, default testdata) select other
vectors; DETMATH_REFDIR points TestReference at them:

    DETMATH_N=20000 DETMATH_SEED=7 DETMATH_OUT=/tmp/ref python3 testdata/genref.py
    DETMATH_REFDIR=/tmp/ref go test -run Reference -v .
"""
import gzip
import math
import os
import random
import struct

import mpmath as mp

mp.mp.dps = 50
R = random.Random(int(os.environ.get("DETMATH_SEED", "20261125")))
N = int(os.environ.get("DETMATH_N", "2000"))
OUT = os.environ.get("DETMATH_OUT", "testdata")


def bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def fl(b):
    return struct.unpack("<d", struct.pack("<Q", b))[0]


def rnd(v):
    """Correctly rounded binary64 of mpf v and the residual in ulps."""
    if v == 0:
        return 0.0, 0.0
    a = abs(v)
    e = int(mp.floor(mp.log(a, 2)))
    # guard against log rounding at exact powers of two
    if mp.mpf(2) ** e > a:
        e -= 1
    elif mp.mpf(2) ** (e + 1) <= a:
        e += 1
    if e >= 1024:
        return math.copysign(math.inf, v), 0.0
    q = max(e, -1022) - 52  # ulp exponent
    m = mp.nint(a / mp.mpf(2) ** q)  # nint rounds half to even
    if m >= 2 ** 53 and q + 53 > 1023 + 0:
        if (m * mp.mpf(2) ** q) >= mp.mpf(2) ** 1024:
            return math.copysign(math.inf, v), 0.0
    r = float(mp.ldexp(m, q))  # exact
    resid = float((a - m * mp.mpf(2) ** q) / mp.mpf(2) ** q)
    if v < 0:
        return -r, -resid
    return r, resid


def loguni(lo, hi, sign=False):
    x = math.exp(R.uniform(math.log(lo), math.log(hi)))
    if sign and R.random() < 0.5:
        x = -x
    return x


def near(x, k=4):
    """x moved by a few ulps."""
    b = bits(x) + R.randint(-k, k)
    return fl(b)


def write(name, rows):
    """rows: (inputs, [exact values]); one result column pair per value."""
    lines = []
    for ins, vs in rows:
        line = " ".join("%016x" % bits(a) for a in ins)
        for v in vs:
            r, res = rnd(v)
            line += " %016x %.3f" % (bits(r), res)
        lines.append(line + "\n")
    # mtime=0 and no file name in the header: regenerating gives the same bytes.
    with open(os.path.join(OUT, "%s.txt.gz" % name), "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=raw, mtime=0) as f:
            f.write("".join(lines).encode())


def unary(name, fns, xs, dps=50):
    """Functions sharing one input set share one file, a column each."""
    rows = []
    seen = set()
    for x in xs:
        if x in seen or math.isnan(x) or math.isinf(x):
            continue
        seen.add(x)
        with mp.workdps(dps):
            vs = [fn(mp.mpf(x)) for fn in fns]
        rows.append(((x,), vs))
    write(name, rows)
    print(name, len(rows))


def pick(gens, n=N):
    out = []
    while len(out) < n:
        g = R.choice(gens)
        out.append(g())
    return out


SUB = 2.0 ** -1074
MAXF = 1.7976931348623157e308
edges = [0.0, -0.0, SUB, -SUB, 2.0 ** -1022, MAXF, -MAXF, 1.0, -1.0, 0.5, 2.0]

# --- trigonometric -------------------------------------------------------
trig_x = edges + [6381956970095103 * 2.0 ** 797, 1e22, 2.0 ** 20 * math.pi / 2, math.pi, math.pi / 2, math.pi / 4]
trig_x += pick([
    lambda: R.uniform(-math.pi / 4, math.pi / 4),
    lambda: R.uniform(-2 * math.pi, 2 * math.pi),
    lambda: R.uniform(-2 * math.pi * 20000, 2 * math.pi * 20000),
    lambda: loguni(1e-300, 1e-4, True),
    lambda: loguni(1e6, 1e308, True),
    lambda: near(R.randint(-100000, 100000) * math.pi / 2, 3),
    lambda: loguni(1, 1e6, True),
])
dps_trig = 400  # arguments up to 1e308 need ~330 digits to reduce mod π
unary("SinCosTan", [mp.sin, mp.cos, mp.tan], trig_x, dps_trig)

# --- exponentials --------------------------------------------------------
exp_x = edges[:4] + [709.782712893384, 709.7827128933841, -745.1332191019411, -745.1332191019412, -708.3964185322641, -708.4]
exp_x += pick([
    lambda: R.uniform(-745.2, 709.8),
    lambda: R.uniform(-1, 1),
    lambda: loguni(1e-300, 1e-3, True),
    lambda: R.uniform(-745.2, -700),
    lambda: R.uniform(700, 709.8),
    lambda: float(R.randint(-745, 709)),
    lambda: R.uniform(-40, 40),
])
unary("Exp", [mp.exp], exp_x)
exp2_x = edges[:4] + [1023.9999999999999, -1074.0, -1075.0, -1074.5, -1022.0, -1022.5]
exp2_x += pick([
    lambda: R.uniform(-1076, 1024),
    lambda: R.uniform(-1, 1),
    lambda: loguni(1e-300, 1e-3, True),
    lambda: float(R.randint(-1074, 1023)),
    lambda: R.randint(-2148, 2046) / 2.0,
    lambda: R.uniform(-1076, -1020),
])
unary("Exp2", [lambda x: mp.power(2, x)], exp2_x)
em1_x = edges[:4] + pick([
    lambda: R.uniform(-40, 709.78),
    lambda: R.uniform(-1, 1),
    lambda: loguni(1e-300, 1e-3, True),
    lambda: R.uniform(-0.4, 0.4),
    lambda: R.uniform(-745, -30),
])
unary("Expm1", [mp.expm1], em1_x)

# --- logarithms ----------------------------------------------------------
log_x = [SUB, 2.0 ** -1022, MAXF, 1.0, 2.0, 0.5, 10.0, 1e22, 1e-300, 1e300, 1 - 2.0 ** -53, 1 + 2.0 ** -52]
log_x += pick([
    lambda: loguni(1e-300, 1e300),
    lambda: loguni(SUB, 1e-300),
    lambda: R.uniform(0.5, 2),
    lambda: 1 + R.uniform(-1e-3, 1e-3),
    lambda: 1 + loguni(1e-16, 1e-6, True),
    lambda: 2.0 ** R.randint(-1074, 1023),
    lambda: 10.0 ** R.randint(-300, 300),
    lambda: loguni(1e300, MAXF),
])
unary("LogLog2Log10", [mp.log, lambda x: mp.log(x, 2), mp.log10], log_x)
log1p_x = edges[:4] + [-0.5, -1 + 2.0 ** -53, MAXF, 1e-300]
log1p_x += pick([
    lambda: loguni(1e-300, 1e300),
    lambda: loguni(1e-300, 1e-3, True),
    lambda: R.uniform(-1, 1),
    lambda: -1 + loguni(1e-16, 0.5),
    lambda: R.uniform(-0.3, 0.3),
])
unary("Log1p", [mp.log1p], log1p_x)

# --- inverse trigonometric ----------------------------------------------
atan_x = edges + pick([
    lambda: loguni(1e-300, 1e300, True),
    lambda: R.uniform(-1, 1),
    lambda: R.uniform(-10, 10),
    lambda: loguni(1e-10, 1e10, True),
])
unary("Atan", [mp.atan], atan_x)
as_x = [0.0, -0.0, SUB, 1.0, -1.0, 0.5, -0.5, 1 - 2.0 ** -53, -1 + 2.0 ** -53] + pick([
    lambda: R.uniform(-1, 1),
    lambda: loguni(1e-300, 1e-3, True),
    lambda: (1 - loguni(1e-16, 0.1)) * R.choice([-1, 1]),
    lambda: R.uniform(-0.6, 0.6),
])
unary("AsinAcos", [mp.asin, mp.acos], as_x)

# --- hyperbolic ----------------------------------------------------------
hyp_x = edges[:4] + pick([
    lambda: R.uniform(-710, 710),
    lambda: R.uniform(-2, 2),
    lambda: loguni(1e-300, 1e-3, True),
    lambda: R.uniform(-25, 25),
])
unary("SinhCoshTanh", [mp.sinh, mp.cosh, mp.tanh], hyp_x)


# --- binary --------------------------------------------------------------
def binary(name, fn, pairs):
    rows = []
    seen = set()
    for x, y in pairs:
        if (x, y) in seen:
            continue
        seen.add((x, y))
        v = fn(mp.mpf(x), mp.mpf(y))
        if v is None:
            continue
        rows.append(((x, y), [v]))
    write(name, rows)
    print(name, len(rows))


def atan2_pair():
    c = R.random()
    if c < 0.4:
        return (R.uniform(-10, 10), R.uniform(-10, 10))
    if c < 0.8:
        return (loguni(1e-300, 1e300, True), loguni(1e-300, 1e300, True))
    a = loguni(1e-3, 1e3, True)
    return (a * loguni(0.9, 1.1, True), a)


binary("Atan2", mp.atan2, [(1.0, 0.0), (-1.0, 0.0), (0.0, -1.0), (1.0, 1.0), (-1.0, -1.0)] + [atan2_pair() for _ in range(N)])


def hyp_pair():
    c = R.random()
    if c < 0.4:
        return (R.uniform(-10, 10), R.uniform(-10, 10))
    if c < 0.7:
        return (loguni(SUB, MAXF, True), loguni(SUB, MAXF, True))
    a = loguni(SUB, MAXF, True)
    return (a, a * loguni(1e-10, 1, True))


binary("Hypot", lambda x, y: mp.sqrt(x * x + y * y),
       [(3.0, 4.0), (MAXF, MAXF), (SUB, SUB), (MAXF, 1.0), (1e300, 1e300)] + [hyp_pair() for _ in range(N)])


def pow_ref(x, y):
    if x == 0:
        return None
    if x < 0:
        if y != int(y):
            return None
        v = mp.power(-x, y)
        return -v if int(y) % 2 else v
    return mp.power(x, y)


def pow_pair():
    c = R.random()
    if c < 0.2:  # positive base, result in range
        x = loguni(1e-300, 1e300)
        lim = 700 / max(abs(math.log(x)), 1e-300)
        return (x, R.uniform(-lim, lim))
    if c < 0.35:  # integer exponents
        x = loguni(1e-3, 1e3, True)
        return (x, float(R.randint(-60, 60)))
    if c < 0.45:  # small integers (exact results)
        return (float(R.randint(-30, 30) or 2), float(R.randint(0, 30)))
    if c < 0.6:  # fractional exponents of typical values
        return (loguni(1e-5, 1e5), R.uniform(-5, 5))
    if c < 0.7:  # near 1 with large exponents
        x = 1 + loguni(1e-15, 1e-3, True)
        return (x, R.uniform(-700, 700) / math.log(x))
    if c < 0.8:  # results near the overflow and underflow thresholds
        x = loguni(1.5, 1e300)
        t = R.choice([R.uniform(700, 709.78), R.uniform(-745.1, -700)])
        return (x, t / math.log(x))
    if c < 0.9:  # negative bases with integer exponents
        x = -loguni(1e-3, 1e3)
        n = float(R.randint(-100, 100))
        return (x, n)
    return (loguni(1e-300, 1e300), R.choice([0.5, -0.5, 1 / 3, -1.5, 2.5, 0.25, 1.0 / 7]))


binary("Pow", pow_ref, [(2.0, 0.5), (2.0, -1074.0), (2.0, 1023.0), (10.0, 22.0), (3.0, 20.0), (-2.0, 3.0), (-2.0, -1075.0)] +
       [pow_pair() for _ in range(2 * N)])
