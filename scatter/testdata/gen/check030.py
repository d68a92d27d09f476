"""Check that the "mean" reference file equals Kymatio release 0.3.0's output.

    git -C /tmp/kymatio030 checkout 0.3.0   # a second checkout of Kymatio
    PYTHONPATH=/tmp/kymatio030 python3 scatter/testdata/gen/check030.py scatter/testdata
"""
import json, sys
import numpy as np
from kymatio.numpy import Scattering1D

d = json.load(open(sys.argv[1] + "/time_J6_Q1_T64_mean.json"))
S = Scattering1D(J=d["J"], shape=d["N"], Q=tuple(d["Q"]), T=d["T"])
s = S(np.array(d["x"]))
ref = np.array(d["S"])
err = np.abs(s - ref).max() / np.abs(ref).max()
print("max relative difference, Kymatio 0.3.0 vs time_J6_Q1_T64_mean.json:", err)
sys.exit(0 if err < 1e-10 else 1)
