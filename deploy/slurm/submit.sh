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
[[ $SHARDS =~ ^[1-9][0-9]*$ ]] || { echo "submit.sh: SHARDS must be a positive number, got '$SHARDS'" >&2; exit 2; }
# --export separates variables with commas: a comma in a value would cut it.
case $CONFIG$OUT in *,*)
	echo "submit.sh: CONFIG and OUT must not contain a comma (sbatch --export splits on it)" >&2
	exit 2
	;;
esac

mkdir -p "$OUT"
# --parsable prints "ID" or, on a multi-cluster site, "ID;CLUSTER";
# --dependency wants the ID alone.
array=$(sbatch --parsable --array="0-$((SHARDS - 1))" \
	--export="ALL,SHARDS=$SHARDS,CONFIG=$CONFIG,OUT=$OUT" "$here/study.sbatch")
array=${array%%;*}
merge=$(sbatch --parsable --dependency="afterok:$array" \
	--export="ALL,SHARDS=$SHARDS,OUT=$OUT" "$here/merge.sbatch")
merge=${merge%%;*}
echo "study array job $array, merge job $merge; results in $OUT/study.db and $OUT/study.csv"
