#!/usr/bin/env bash
# Long checks that the default 'go test ./...' leaves out: the SOUNDMATCH_LONG
# tests, the Faust front end and engine fuzzers, an end-to-end reduced paper
# study through export and report, the cross-machine numerics check and the
# emulated cluster deployment.
#
#   bash scripts/long-checks.sh              # fuzz each target for 10 minutes
#   FUZZTIME=2m bash scripts/long-checks.sh  # what CI runs
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
FUZZTIME=${FUZZTIME:-10m}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== long tests (SOUNDMATCH_LONG=1)"
SOUNDMATCH_LONG=1 go test -count=1 ./...

echo "== fuzzing faust.Compile for $FUZZTIME"
go test ./faust -run '^$' -fuzz '^FuzzCompile$' -fuzztime "$FUZZTIME" -parallel 2
echo "== fuzzing synth (parse, compile, render vs the slow evaluator) for $FUZZTIME"
go test ./synth -run '^$' -fuzz '^FuzzCompile$' -fuzztime "$FUZZTIME" -parallel 2

echo "== reduced paper study, export and report"
go build -o "$tmp/soundmatch" ./cmd/soundmatch
sm="$tmp/soundmatch"
"$sm" study run paper --db "$tmp/study.db" --trials 3 --iterations 20 --losses l1-spec,dtw-envelope,scattering --workers 2
"$sm" study status --db "$tmp/study.db"
"$sm" study export --db "$tmp/study.db" --csv "$tmp/trials.csv"
rows=$(($(wc -l < "$tmp/trials.csv") - 1))
if [ "$rows" -ne 36 ]; then echo "export has $rows trials, want 36"; exit 1; fi
"$sm" report --db "$tmp/study.db" --out "$tmp/report"
test -s "$tmp/report/report.md"
grep -q "no ratings yet" "$tmp/report/report.md"
echo "== the same bits on every machine (arm64 under qemu, GOAMD64=v3)"
bash scripts/numerics-check.sh

echo "== the deploy files (Slurm, Kubernetes, local) under emulation"
bash deploy/test/run.sh

echo "long checks: all passed"
