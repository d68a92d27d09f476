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
    # 12 significant digits, so the stored signal is exactly the input
    return np.array([float("%.12g" % v) for v in x])


def short(a):
    """Coefficients to 12 significant digits (tests need 1e-6)."""
    return [[float("%.12g" % v) for v in row] for row in a]


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
        "x": x.tolist(), "S": short(Sx)})


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


def jtfs_case(name, N, J, Q, T, J_fr, Q_fr, F, seed):
    S = TimeFrequencyScattering(J=J, J_fr=J_fr, Q=Q, Q_fr=Q_fr, F=F, T=T,
                                shape=N, format="time")
    x = signal(N, seed)
    Sx = S(x)
    m = S.meta()
    dump(name, {
        "config": {"N": N, "J": J, "Q": list(Q), "T": T, "J_fr": J_fr,
                   "Q_fr": Q_fr, "F": F},
        "npad": S._N_padded, "pad_left": S.pad_left, "nfr": S._N_padded_fr,
        "psi1": bank_json(S.psi1_f), "psi2": bank_json(S.psi2_f),
        "phi_fr": {"xi": 0.0, "sigma": S.filters_fr[0]["sigma"], "j": S.filters_fr[0]["j"]},
        "psi_fr": bank_json(S.filters_fr[1]),
        "order": m["order"].tolist(),
        "x": x.tolist(), "S": short(Sx)})


if __name__ == "__main__":
    jtfs_case("jtfs_J6_Q4-1_Jfr2_Qfr1", 2048, 6, (4, 1), 64, 2, 1, 4, 3)
    jtfs_case("jtfs_J7_Q8-2_Jfr3_Qfr2", 1024, 7, (8, 2), 128, 3, 2, 8, 4)


def formula_signal(n, sr):
    """1-s test sound computed from a formula, so tests need not store it."""
    t = np.arange(n) / sr
    return np.sin(2 * np.pi * (300 * t + 400 * t * t)) * (1 + 0.5 * np.sin(2 * np.pi * 6 * t))


def full_size_cases():
    N = 44100
    x = formula_signal(N, 44100.0)
    S = Scattering1D(J=6, shape=N, Q=1, T=64)
    S._reduction = np.mean
    S.create_filters()
    Sx = S(x)
    dump("full_scattering_default", {
        "N": N, "frame_step": 8,
        "S": [[float("%.10g" % v) for v in row[::8]] for row in Sx]})
    J = TimeFrequencyScattering(J=12, J_fr=2, Q=(4, 1), Q_fr=1, F=4, T=4096,
                                shape=N, format="time", out_type="list")
    # rows of the loss's default configuration: order 2 only for j2 >= 7
    # (a second-order row has n = (n1, n2, n_fr) in Kymatio's list output)
    rows = [p["coef"] for p in J(x) if len(p["n"]) != 3 or p["j"][-1] >= 7]
    dump("full_jtfs_default", {"N": N, "j2min": 7,
                               "S": [[float("%.10g" % v) for v in r] for r in rows]})


if __name__ == "__main__":
    full_size_cases()
