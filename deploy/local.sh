#!/bin/bash
# Run a study as SHARDS separate processes on this machine and merge them:
# the same flow as the Slurm and Kubernetes examples, for trying them out
# (or for machines where one process per core is preferred over workers).
#
#   deploy/local.sh paper 4 /tmp/paper --trials 10 --iterations 50
#
# Arguments: CONFIG SHARDS OUT, then any extra 'study run' flags.
set -euo pipefail

CONFIG=${1:?usage: local.sh CONFIG SHARDS OUT [study run flags]}
SHARDS=${2:?usage: local.sh CONFIG SHARDS OUT [study run flags]}
OUT=${3:?usage: local.sh CONFIG SHARDS OUT [study run flags]}
shift 3
SOUNDMATCH=${SOUNDMATCH:-soundmatch}

mkdir -p "$OUT"
pids=()
for ((k = 0; k < SHARDS; k++)); do
	"$SOUNDMATCH" study run "$CONFIG" --db "$OUT/shard-$k.db" --shard "$k/$SHARDS" \
		--workers 1 --log-every 10 "$@" >"$OUT/shard-$k.log" 2>&1 &
	pids+=($!)
done
status=0
for k in "${!pids[@]}"; do
	if ! wait "${pids[$k]}"; then
		echo "shard $k/$SHARDS failed: see $OUT/shard-$k.log (rerun this script to resume)" >&2
		status=1
	fi
done
[ "$status" -eq 0 ] || exit "$status"

shards=()
for ((k = 0; k < SHARDS; k++)); do
	shards+=("$OUT/shard-$k.db")
done
"$SOUNDMATCH" study merge --db "$OUT/study.db" "${shards[@]}"
"$SOUNDMATCH" study export --db "$OUT/study.db" --csv "$OUT/study.csv"
