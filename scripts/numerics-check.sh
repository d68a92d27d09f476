#!/usr/bin/env bash
# Checks that soundmatch computes the same bits on every machine.
#
# Go fuses x*y + z into one fused multiply-add (a single rounding instead of
# two) on arm64 and on amd64 built with GOAMD64=v3, so the same source gives
# other last bits there; an explicit float64(x*y) prevents it. This script
#   (a) cross-compiles soundmatch for arm64 and lists every fused
#       multiply-add (FMADD/FMSUB/FNMADD/FNMSUB) in the module's code that
#       the binary contains, inlined code included, as function and
#       file:line (code only tests reach is not checked);
#   (b) does the same for a GOAMD64=v3 build with GNU objdump (vfmadd...);
#   (c) when qemu-aarch64 is installed, runs a small study with the arm64
#       binary (under qemu), the native amd64 binary and, if the CPU has
#       AVX2 and FMA, the GOAMD64=v3 binary, and compares the exported
#       trials byte for byte without the timing (*_ms) columns;
#   (d) runs study's TestPortableExport (every loss, program and portable
#       optimizer against study/testdata/portable.csv, made on amd64) as an
#       arm64 test binary under qemu and as a GOAMD64=v3 build;
#   (e) runs it once more built with the purego tag, which turns off the
#       AVX/AVX2 kernels of dsp, loss and scatter (their lanes must give the
#       bits of the Go code, which arm64 runs anyway).
# It exits non-zero if any part fails. Parts that cannot run here are
# skipped with a message.
#
#   bash scripts/numerics-check.sh
#   PROGRAMS=bp-noise LOSSES=l1-spec TRIALS=1 bash scripts/numerics-check.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
module=$(go list -m)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

PROGRAMS=${PROGRAMS:-add-sinesaw,bp-noise}
LOSSES=${LOSSES:-l1-spec,dtw-envelope,scattering}
TRIALS=${TRIALS:-2}
ITERATIONS=${ITERATIONS:-10}

declare -a summary
failed=0
result() { # result PASS|FAIL|SKIP text
	summary+=("$1  $2")
	if [ "$1" = FAIL ]; then failed=1; fi
}

# module_sites BIN: reads "address symbol" lines of fused instructions on
# stdin and prints "symbol file:line" for those in the module's code, by the
# symbol they were compiled into or by the source line (inlined code).
# Builds use -trimpath, so file names start with the module path.
module_sites() {
	local bin=$1
	cat > "$tmp/fused"
	cut -d' ' -f1 "$tmp/fused" | go tool addr2line "$bin" | paste - - > "$tmp/lines"
	paste -d' ' "$tmp/fused" "$tmp/lines" |
		awk -v m="$module/" 'index($2, m) == 1 || index($4, m) == 1 { sub(/\(SB\)$/, "", $2); print $2, $4 }' |
		sort | uniq -c | awk '{ printf "    %s  %s  (%d instruction%s)\n", $2, $3, $1, ($1 > 1 ? "s" : "") }'
}

report_sites() { # report_sites LABEL SITES-FILE
	if [ -s "$2" ]; then
		echo "$1: fused multiply-adds in the module's code:"
		cat "$2"
		result FAIL "$1: $(wc -l < "$2") fused site(s)"
	else
		echo "$1: no fused multiply-add in the module's code"
		result PASS "$1: no fused multiply-add"
	fi
}

echo "== (a) arm64 build, go tool objdump"
GOARCH=arm64 go build -trimpath -o "$tmp/soundmatch-arm64" ./cmd/soundmatch
go tool objdump "$tmp/soundmatch-arm64" |
	awk '/^TEXT /{ fn = $2 } $4 ~ /^F(N)?M(ADD|SUB)[DS]$/ { print $2, fn }' |
	module_sites "$tmp/soundmatch-arm64" > "$tmp/sites-arm64"
report_sites "arm64" "$tmp/sites-arm64"

echo "== (b) GOAMD64=v3 build, GNU objdump"
GOARCH=amd64 GOAMD64=v3 go build -trimpath -o "$tmp/soundmatch-v3" ./cmd/soundmatch
if command -v objdump >/dev/null 2>&1; then
	objdump -d --no-show-raw-insn "$tmp/soundmatch-v3" |
		awk '/^[0-9a-f]+ <.*>:$/ { fn = $0; sub(/^[0-9a-f]+ </, "", fn); sub(/>:$/, "", fn) }
			/\tvfn?m(add|sub)/ { a = $1; sub(/:$/, "", a); print "0x" a, fn }' |
		module_sites "$tmp/soundmatch-v3" > "$tmp/sites-v3"
	report_sites "amd64 v3" "$tmp/sites-v3"
else
	echo "objdump (GNU binutils) not installed: skipping the GOAMD64=v3 disassembly"
	result SKIP "amd64 v3: no GNU objdump"
fi

echo "== (c) the same study on arm64 (qemu), amd64 and amd64 v3"
# strip_ms: the CSV without its *_ms columns. A small CSV reader (quoted
# fields may hold commas) in plain awk, which mawk runs too.
strip_ms() {
	awk '
	function split_csv(line, f,    n, i, c, q, cur) {
		n = 0; cur = ""; q = 0
		for (i = 1; i <= length(line); i++) {
			c = substr(line, i, 1)
			if (c == "\"") q = !q
			if (c == "," && !q) { f[++n] = cur; cur = ""; continue }
			cur = cur c
		}
		f[++n] = cur
		return n
	}
	{
		n = split_csv($0, f)
		if (NR == 1) for (i = 1; i <= n; i++) drop[i] = (f[i] ~ /_ms$/)
		out = ""; sep = ""
		for (i = 1; i <= n; i++) if (!drop[i]) { out = out sep f[i]; sep = "," }
		print out
	}' "$1"
}
qemu=$(command -v qemu-aarch64 || command -v qemu-aarch64-static || true)
if [ "$(go env GOHOSTARCH)" != amd64 ]; then
	echo "not an amd64 host: skipping the study comparison"
	result SKIP "study: needs an amd64 host"
elif [ -z "$qemu" ]; then
	echo "qemu-aarch64 not installed (Debian: apt-get install qemu-user): skipping the study comparison"
	result SKIP "study: no qemu-aarch64"
else
	GOARCH=amd64 GOAMD64=v1 go build -trimpath -o "$tmp/soundmatch-amd64" ./cmd/soundmatch
	builds=(amd64 arm64)
	if grep -qw fma /proc/cpuinfo && grep -qw avx2 /proc/cpuinfo; then
		builds+=(v3)
	else
		echo "this CPU lacks AVX2/FMA: the GOAMD64=v3 binary is not run"
		result SKIP "study: amd64 v3 binary (CPU lacks AVX2/FMA)"
	fi
	for b in "${builds[@]}"; do
		run=("$tmp/soundmatch-$b")
		if [ "$b" = arm64 ]; then run=("$qemu" "$tmp/soundmatch-arm64"); fi
		echo "-- $b: study run (programs $PROGRAMS, losses $LOSSES, $TRIALS trials × $ITERATIONS iterations)"
		start=$SECONDS
		"${run[@]}" study run paper --db "$tmp/$b.db" --trials "$TRIALS" --iterations "$ITERATIONS" \
			--programs "$PROGRAMS" --losses "$LOSSES" --workers 1 --quiet
		"${run[@]}" study export --db "$tmp/$b.db" --csv "$tmp/$b.csv" 2> "$tmp/$b.log" || { cat "$tmp/$b.log"; exit 1; }
		strip_ms "$tmp/$b.csv" > "$tmp/$b.trials"
		echo "   $(($(wc -l < "$tmp/$b.trials") - 1)) trials in $((SECONDS - start)) s"
	done
	if [ "$(wc -l < "$tmp/amd64.trials")" -le 1 ]; then
		echo "amd64: the study exported no trials, nothing to compare"
		result FAIL "study: no trials exported"
		builds=(amd64)
	fi
	for b in "${builds[@]:1}"; do
		if cmp -s "$tmp/amd64.trials" "$tmp/$b.trials"; then
			echo "$b: exported trials identical to amd64's"
			result PASS "study: $b trials identical to amd64"
		else
			ndiff=$(diff "$tmp/amd64.trials" "$tmp/$b.trials" | grep -c '^>' || true)
			echo "$b: $ndiff of $(($(wc -l < "$tmp/$b.trials") - 1)) trial rows differ from amd64's (program, loss, trial):"
			diff "$tmp/amd64.trials" "$tmp/$b.trials" | awk -F, '/^>/ { sub(/^> /, ""); print "    " $1 ", " $2 ", " $3 }'
			echo "  first difference (< amd64, > $b):"
			diff "$tmp/amd64.trials" "$tmp/$b.trials" | grep '^[<>]' | sed -n '1,2{s/^/    /;p;}' | cut -c1-300
			result FAIL "study: $ndiff trial row(s) of $b differ from amd64"
		fi
	done
fi

echo "== (d) study/testdata/portable.csv (every loss, program and portable optimizer) as arm64 and v3 tests"
if [ -n "$qemu" ] && [ "$(go env GOHOSTARCH)" = amd64 ]; then
	GOARCH=arm64 go test -c -o "$tmp/study-arm64.test" ./study
	if (cd study && "$qemu" "$tmp/study-arm64.test" -test.run '^TestPortableExport$' -test.count=1); then
		result PASS "portable.csv: reproduced by the arm64 test binary"
	else
		result FAIL "portable.csv: the arm64 test binary differs"
	fi
	if grep -qw fma /proc/cpuinfo && grep -qw avx2 /proc/cpuinfo; then
		if GOAMD64=v3 go test -count=1 -run '^TestPortableExport$' ./study; then
			result PASS "portable.csv: reproduced by the GOAMD64=v3 tests"
		else
			result FAIL "portable.csv: the GOAMD64=v3 tests differ"
		fi
	fi
else
	result SKIP "portable.csv: needs qemu-aarch64 on an amd64 host"
fi

echo "== (e) study/testdata/portable.csv without the vector kernels (purego)"
if go test -count=1 -tags purego -run '^TestPortableExport$' ./study; then
	result PASS "portable.csv: reproduced by the purego build"
else
	result FAIL "portable.csv: the purego build differs"
fi

echo
echo "== summary"
printf '%s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then
	echo "FAIL"
	exit 1
fi
echo "PASS"
