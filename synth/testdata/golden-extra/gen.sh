#!/usr/bin/env bash
# Renders the extra golden set with the real Faust compiler.
#
#   bash gen.sh            # (re)write data/*.f64 and manifest.tsv
#   bash gen.sh --check    # render into a scratch folder, compare byte for byte
#
# Needs: faust (Debian 12 package 'faust' 2.54.9), g++. Same recipe as the
# main golden set (testdata/golden/NOTE.md): faust -double, FAUSTFLOAT=double,
# g++ -O2 -fwrapv -ffp-contract=off, 4096 samples at 44100 Hz from zero
# state, controls set once before the first compute(). Output is raw
# little-endian float64 (exact).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
N=4096
SR=44100
CXXFLAGS=(-O2 -std=c++17 -fwrapv -ffp-contract=off -fno-fast-math)
check=0
if [[ "${1:-}" == "--check" ]]; then check=1; fi
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
if (( check )); then out="$build/out"; else out="$here"; fi
mkdir -p "$out/data"
echo "faust: $(faust --version | head -1)"
for dsp in dsp/*.dsp; do
    prog="$(basename "$dsp" .dsp)"
    faust -double -a arch/render.cpp "$dsp" -o "$build/$prog.cpp"
    g++ "${CXXFLAGS[@]}" -DFAUSTFLOAT=double "$build/$prog.cpp" -o "$build/$prog"
done
manifest="$out/manifest.tsv"
printf '# extra golden renderings: %s, %d samples, sr=%d, raw float64 LE in data/\nname\tprogram\tparams\n' \
    "$(faust --version | head -1)" "$N" "$SR" > "$manifest"
while IFS=$'\t' read -r prog params; do
    [[ -z "$prog" || "$prog" == \#* ]] && continue
    name="$prog"
    for kv in $params; do name="${name}_${kv}"; done
    # shellcheck disable=SC2086
    "$build/$prog" --n "$N" --sr "$SR" --f64 "$out/data/$name.f64" $params
    printf '%s\t%s\t%s\n' "$name" "$prog" "$params" >> "$manifest"
done < settings.tsv
if (( check )); then
    status=0
    for f in "$out"/data/* "$manifest"; do
        rel="${f#"$out"/}"
        cmp -s "$f" "$here/$rel" || { echo "DIFFERS: $rel"; status=1; }
    done
    (( status == 0 )) && echo "check: all files reproduced byte for byte"
    exit $status
fi
echo "wrote $(ls data | wc -l) renderings to data/"
