"""Reference scattering coefficients and filters from Kymatio's NumPy backend.

Run from the repository root (see ../README.md for the Kymatio revisions):
    PYTHONPATH=/path/to/kymatio python3 scatter/testdata/gen/gen.py scatter/testdata
"""
import json, sys
import numpy as np
from kymatio.numpy import Scattering1D, TimeFrequencyScattering

out = sys.argv[1]


def signal(n, seed):
    rng = np.random.default_rng(seed)
    t = np.arange(n) / 8000.0
    # chirp + noise bursts: energy in many bands and at many time scales
    x = np.sin(2 * np.pi * (200 * t + 3000 * t * t)) * (1 + 0.5 * np.sin(2 * np.pi * 7 * t))
    x += 0.3 * rng.standard_normal(n) * (np.arange(n) % 512 < 100)
    return x


def bank_json(fs):
    return [{"xi": f["xi"], "sigma": f["sigma"], "j": f["j"]} for f in fs]


def dump(name, obj):
    with open(f"{out}/{name}.json", "w") as fh:
        json.dump(obj, fh, separators=(",", ":"))


def time_case(name, N, J, Q, T, reduction, seed):
    S = Scattering1D(J=J, shape=N, Q=Q, T=T)
    if reduction == "mean":
        S._reduction = np.mean
        S.create_filters()
    x = signal(N, seed)
    Sx = S(x)
    dump(name, {
        "N": N, "J": J, "Q": list(Q), "T": T, "norm": reduction,
        "npad": S._N_padded, "pad_left": S.pad_left,
        "phi": {"xi": 0.0, "sigma": S.phi_f["sigma"], "j": S.phi_f["j"]},
        "psi1": bank_json(S.psi1_f), "psi2": bank_json(S.psi2_f),
        "x": x.tolist(), "S": Sx.tolist()})


def filters_case(name, N, J, Q, T):
    S = Scattering1D(J=J, shape=N, Q=Q, T=T)
    lv = lambda f: [l.tolist() for l in f["levels"]]
    dump(name, {
        "N": N, "J": J, "Q": list(Q), "T": T, "npad": S._N_padded,
        "phi": lv(S.phi_f), "psi1": [lv(f) for f in S.psi1_f],
        "psi2": [lv(f) for f in S.psi2_f]})


if __name__ == "__main__":
    time_case("time_J6_Q1_T64_mean", 2048, 6, (1, 1), 64, "mean", 1)
    time_case("time_J6_Q1_T64_sum", 2048, 6, (1, 1), 64, "sum", 1)
    time_case("time_J7_Q4-2_T128_sum", 2048, 7, (4, 2), 128, "sum", 2)
    filters_case("filters_J4_Q2-1_T16", 64, 4, (2, 1), 16)
