#!/usr/bin/env bash
# Renders every dsp/*.dsp with the real Faust compiler into out/<name>.f64
# (raw little-endian float64, 4410 samples at 44100 Hz, controls at their
# init values). The faust package's tests compare its graphs with these.
#
#   bash gen.sh                  # all programs; needs Debian's faust (2.54.9) and g++
#   bash gen.sh dsp/a.dsp ...    # only these
#
# Same method as the project's golden set: faust -double with the offline
# renderer architecture render.cpp, FAUSTFLOAT=double, g++ -O2 -fwrapv
# -ffp-contract=off, on x86-64 with glibc.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
mkdir -p out
faust --version | sed -n 1p > out/VERSION
if (( $# > 0 )); then progs=("$@"); else progs=(dsp/*.dsp); fi
for dsp in "${progs[@]}"; do
    name="$(basename "$dsp" .dsp)"
    faust -double -a render.cpp "$dsp" -o "$build/$name.cpp"
    g++ -O2 -std=c++17 -fwrapv -ffp-contract=off -fno-fast-math -DFAUSTFLOAT=double \
        "$build/$name.cpp" -o "$build/$name"
    "$build/$name" --n 4410 --sr 44100 --f64 "out/$name.f64"
done
echo "rendered $(ls out/*.f64 | wc -l) programs"
