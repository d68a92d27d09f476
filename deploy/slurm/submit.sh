#!/bin/bash
# Submit a whole study: SHARDS array tasks, then the merge once they all
# succeeded.
#
#   deploy/slurm/submit.sh paper 16 /scratch/$USER/paper
#
# Arguments: CONFIG ("paper" or a .toml file), SHARDS, OUT directory.
set -euo pipefail

CONFIG=${1:?usage: submit.sh CONFIG SHARDS OUT}
SHARDS=${2:?usage: submit.sh CONFIG SHARDS OUT}
OUT=${3:?usage: submit.sh CONFIG SHARDS OUT}
here=$(cd "$(dirname "$0")" && pwd)

mkdir -p "$OUT"
array=$(sbatch --parsable --array="0-$((SHARDS - 1))" \
	--export="ALL,SHARDS=$SHARDS,CONFIG=$CONFIG,OUT=$OUT" "$here/study.sbatch")
merge=$(sbatch --parsable --dependency="afterok:$array" \
	--export="ALL,SHARDS=$SHARDS,OUT=$OUT" "$here/merge.sbatch")
echo "study array job $array, merge job $merge; results in $OUT/study.db and $OUT/study.csv"
