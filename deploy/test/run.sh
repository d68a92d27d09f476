#!/bin/bash
# Run the deploy/ files the way a cluster would, on this machine, and check
# that a sharded study gives the same CSV as one process:
#
#   build       soundmatch, a tiny study config, its reference CSV (one process)
#   scripts     bash -n (and shellcheck, when installed) on every deploy script
#   dockerfile  the image's build stage run here; its binary, path and user
#               agree with what the Jobs call
#   slurm       deploy/slurm/submit.sh under a fake sbatch (deploy/test/fake-slurm):
#               array tasks, afterok merge, logs; a failed task blocks the merge,
#               rerunning it alone and then the merge recovers
#   preempt     the same with one array task killed -9 mid-shard and requeued
#   kubernetes  the Job manifests validated, their container command run per
#               completion index through /bin/sh as uid 65532 on an fsGroup-like
#               volume, one pod killed and retried, then the merge Job
#   local       deploy/local.sh with a failing shard (no merge), then resumed
#
# One PASS/FAIL line per part; exits non-zero if any failed. KEEP=1 keeps the
# work directory. About 20 s on 2 cores once the Go build cache is warm; the
# two builds (plain, and the Dockerfile's -trimpath) take minutes when cold.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
deploy=$(dirname "$here")
root=$(dirname "$deploy")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/soundmatch-deploy.XXXXXX")
# The emulated pods run as another user and must reach the binary and data.
chmod 755 "$tmp"
export FAKE_SLURM_STATE=$tmp/slurm-state

cleanup() {
	local f
	# The fake scheduler's jobs and tasks, and pods, still running (only
	# after a failure).
	for f in "$FAKE_SLURM_STATE"/*/runner.pid; do
		kill "$(cat "$f")" 2>/dev/null || true
	done
	for f in "$FAKE_SLURM_STATE"/*/task-*.pgid "$tmp"/k8s/*.pgid; do
		if [ -s "$f" ]; then kill -KILL -- "-$(cat "$f")" 2>/dev/null || true; fi
	done
	if [ "${KEEP:-}" = 1 ]; then echo "work directory kept: $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

end_jobs() {
	local j pids
	j=$(jobs -pr)
	[ -n "$j" ] || return 0
	mapfile -t pids <<<"$j"
	kill "${pids[@]}" 2>/dev/null || true
}

failed=0
# part NAME FUNCTION: run FUNCTION with errexit in force (a function called
# from an if would run with errexit off), its output in $tmp/NAME.log.
part() {
	local name=$1 t0=$SECONDS
	shift
	# A part that fails ends the background jobs it started.
	(
		trap end_jobs EXIT
		"$@"
	) >"$tmp/$name.log" 2>&1 &
	if wait $!; then
		printf 'PASS %-11s (%ds)%s\n' "$name" $((SECONDS - t0)) "$(cat "$tmp/$name.note" 2>/dev/null)"
	else
		printf 'FAIL %-11s (%ds): last lines of its log:\n' "$name" $((SECONDS - t0))
		tail -n 25 "$tmp/$name.log" | sed 's/^/    /'
		failed=1
	fi
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

bin=$tmp/soundmatch
failing_bin=$tmp/soundmatch-failing-shard-1 # soundmatch, except that shard 1/3 fails
cfg=$tmp/study.toml
ref=$tmp/reference.csv # without the *_ms columns

# same_csv FILE: FILE, timing columns dropped, is byte-identical to the reference.
same_csv() {
	[ -s "$1" ] || fail "$1 is missing or empty"
	awk -f "$here/strip-ms.awk" "$1" >"$1.nots"
	if ! cmp -s "$ref" "$1.nots"; then
		diff "$ref" "$1.nots" | head -n 10 >&2
		fail "$1 differs from the single-process reference (timing columns aside)"
	fi
	echo "$1: identical to the reference ($(($(wc -l <"$ref") - 1)) trials)"
}

# done_trials DB: trials stored in DB (0 if it does not exist yet).
done_trials() {
	"$bin" study status --db "$1" 2>/dev/null | awk '$1 == "total" { print $3; found = 1 } END { if (!found) print 0 }'
}

# planned_trials DB
planned_trials() {
	"$bin" study status --db "$1" | awk '$1 == "total" { print $2 }'
}

# wait_for_trials DB N LIMIT_S: until DB holds at least N trials.
wait_for_trials() {
	local deadline=$((SECONDS + $3))
	until [ "$(done_trials "$1")" -ge "$2" ]; do
		[ "$SECONDS" -lt "$deadline" ] || fail "$1 did not reach $2 trials in $3 s"
		sleep 0.05
	done
}

# source_hash: a fingerprint of the repository's files (tracked and not
# ignored), to tell an edit made while this runs from a broken build.
source_hash() {
	(cd "$root" && git ls-files -co --exclude-standard -z 2>/dev/null | sort -z |
		xargs -0 sha256sum 2>/dev/null | sha256sum | cut -c1-16) || true
}

# --- build: the binary, the study, the reference --------------------------

build() {
	source_hash >"$tmp/source.hash"
	(cd "$root" && go build -o "$bin" ./cmd/soundmatch)
	# 2 programs × 2 cheap losses × 4 trials × 20 iterations = 16 trials:
	# a shard of 3 holds 5 or 6, long enough to be killed in the middle.
	cat >"$cfg" <<-'EOF'
		# A tiny study for deploy/test/run.sh.
		seed = 11
		trials = 4
		iterations = 20
		programs = ["bp-noise", "add-sinesaw"]
		[[losses]]
		name = "l1-spec"
		[[losses]]
		name = "simse-spec"
	EOF
	cat >"$failing_bin" <<-EOF
		#!/bin/bash
		for a; do [ "\$a" != 1/3 ] || { echo "injected failure of shard 1/3" >&2; exit 3; }; done
		exec "$bin" "\$@"
	EOF
	chmod +x "$failing_bin"
	"$bin" study run "$cfg" --db "$tmp/reference.db" --workers 1 --quiet
	"$bin" study export --db "$tmp/reference.db" --csv "$tmp/reference-full.csv"
	awk -f "$here/strip-ms.awk" "$tmp/reference-full.csv" >"$ref"
	[ "$(wc -l <"$ref")" -eq 17 ] || fail "reference CSV: want 16 trials and a header, got $(wc -l <"$ref") lines"
	grep -q '_ms' "$tmp/reference-full.csv" || fail "the export has no *_ms column: update strip-ms.awk's rule"
	! head -n 1 "$ref" | grep -q '_ms' || fail "strip-ms.awk left a timing column"
	# The awk CSV reader against Python's csv module, when there is Python.
	if command -v python3 >/dev/null; then
		python3 - "$tmp/reference-full.csv" "$ref" <<-'EOF'
			import csv, io, sys
			rows = list(csv.reader(open(sys.argv[1], newline="")))
			keep = [i for i, h in enumerate(rows[0]) if not h.endswith("_ms")]
			out = io.StringIO()
			w = csv.writer(out, lineterminator="\n")
			for r in rows:
			    w.writerow([r[i] for i in keep])
			if out.getvalue() != open(sys.argv[2], newline="").read():
			    sys.exit("strip-ms.awk disagrees with Python's csv module")
		EOF
	fi
}

# --- scripts ----------------------------------------------------------------

scripts() {
	local f
	for f in "$deploy"/local.sh "$deploy"/slurm/*.sh "$deploy"/slurm/*.sbatch "$here"/run.sh "$here"/fake-slurm; do
		bash -n "$f"
		[ -x "$f" ] || case $f in *.sbatch) ;; *) fail "$f is not executable" ;; esac
	done
	if command -v shellcheck >/dev/null; then
		shellcheck "$deploy"/local.sh "$deploy"/slurm/*.sh "$deploy"/slurm/*.sbatch "$here"/run.sh "$here"/fake-slurm
		echo "shellcheck: clean"
	else
		echo "shellcheck not installed: bash -n only"
		echo " (no shellcheck: bash -n only)" >"$tmp/scripts.note"
	fi
}

# --- dockerfile -------------------------------------------------------------

# docker_context DIR: copy the build context deploy/README.md's docker build
# sends (the repository less Dockerfile.dockerignore's patterns) to DIR.
# Only the kinds of pattern that file uses are understood: a name at the
# root, and **/GLOB for a file name anywhere; any other fails.
docker_context() {
	local ignore=$deploy/Dockerfile.dockerignore p prune=()
	if [ -f "$ignore" ]; then
		while IFS= read -r p || [ -n "$p" ]; do
			case $p in
			'' | '#'*) continue ;;
			'**/'*)
				[[ ${p#'**/'} != */* ]] || fail "dockerignore pattern $p: not understood by this test"
				prune+=(-o -name "${p#'**/'}")
				;;
			*[*?[/!]*) fail "dockerignore pattern $p: not understood by this test" ;;
			*) prune+=(-o -path "./$p") ;;
			esac
		done <"$ignore"
	fi
	mkdir -p "$1"
	(cd "$root" && find . -mindepth 1 \( -false "${prune[@]}" \) -prune -o -print) >"$1.list"
	tar -C "$root" -cf - --no-recursion -T "$1.list" | tar -C "$1" -xf -
	echo "build context: $(wc -l <"$1.list") entries, $(du -sh "$1" | cut -f1)"
}

# The image cannot be built here (no Docker daemon), so run its build
# stage's commands: "go mod download" in a directory holding go.mod and
# go.sum only (the first COPY), then the "go build" line in a copy of the
# build context (COPY . . into WORKDIR), its output path moved under
# $tmp/docker.
dockerfile() {
	local df=$deploy/Dockerfile out=$tmp/docker line stage='' build_out='' src='' dst=''
	local user='' gomod_minor image_minor
	mkdir -p "$out/modcache-layer"
	docker_context "$out/src"
	# The kubernetes part runs this build and expects the reference's results.
	[ "$(source_hash)" = "$(cat "$tmp/source.hash")" ] ||
		fail "the sources changed since the build part (an edit while this ran?): rerun"
	# Go's minor version in the image tag must be the one go.mod asks for,
	# or the build would have to fetch another toolchain.
	gomod_minor=$(awk '$1 == "go" { split($2, v, "."); print v[1] "." v[2] }' "$root/go.mod")
	image_minor=$(sed -n 's/^FROM golang:\([0-9]*\.[0-9]*\).* AS build$/\1/p' "$df")
	[ -n "$image_minor" ] || fail "Dockerfile: no 'FROM golang:X.Y AS build' stage"
	[ "$gomod_minor" = "$image_minor" ] || fail "Dockerfile builds with golang:$image_minor, go.mod wants go $gomod_minor"
	while IFS= read -r line; do
		case $line in
		FROM*) stage=$line ;;
		RUN*go\ mod\ download*)
			cp "$root/go.mod" "$root/go.sum" "$out/modcache-layer/"
			(cd "$out/modcache-layer" && sh -c "${line#RUN }")
			;;
		RUN*go\ build*)
			[[ $stage == *" AS build" ]] || fail "go build outside the build stage"
			build_out=$(sed -n 's/.* -o \([^ ]*\) .*/\1/p' <<<"$line")
			[ -n "$build_out" ] || fail "Dockerfile: go build has no -o"
			mkdir -p "$out$(dirname "$build_out")"
			line=${line#RUN }
			(cd "$out/src" && sh -c "${line/ -o $build_out / -o $out$build_out }")
			;;
		COPY\ --from=build*)
			read -r _ _ src dst <<<"$line"
			;;
		USER*) user=${line#USER } ;;
		esac
	done <"$df"
	[ -x "$out$build_out" ] || fail "the build stage made no binary at $build_out"
	[ "$src" = "$build_out" ] || fail "the final stage copies $src, the build wrote $build_out"
	# The final image is busybox: no C library for a dynamic binary.
	local headers
	headers=$(readelf -l "$out$build_out")
	if grep -q INTERP <<<"$headers"; then fail "the binary is dynamically linked"; fi
	go version -m "$out$build_out" | grep -q 'CGO_ENABLED=0' || fail "the binary was built with cgo"
	# The Jobs call "soundmatch" through /bin/sh: it must be on the image's
	# PATH (busybox's, the usual default) under that name.
	local image_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	[[ ":$image_path:" == *":$(dirname "$dst"):"* ]] || fail "the image puts the binary in $(dirname "$dst"), not on PATH"
	[ "$(basename "$dst")" = soundmatch ] || fail "the image's binary is $(basename "$dst"), the Jobs call soundmatch"
	local tag
	tag=$(sed -n 's/.*docker build -f deploy\/Dockerfile -t \([^ ]*\) .*/\1/p' "$deploy/README.md" | head -n 1)
	[ -n "$tag" ] || fail "deploy/README.md has no 'docker build -f deploy/Dockerfile -t TAG' line"
	for f in "$deploy"/kubernetes/*-job.yaml; do
		grep -Eq '(^|[ ;])soundmatch study ' "$f" || fail "$f does not call soundmatch"
		grep -Eq "image: $tag( |$)" "$f" || fail "$f does not run the image deploy/README.md builds ($tag)"
		# fsGroup must be the image user's group, so it may write the volume.
		grep -Eq "fsGroup: ${user#*:}([^0-9]|$)" "$f" || fail "$f: fsGroup is not the image's group ${user#*:} (USER $user)"
	done
	[ "$user" = 65532:65532 ] || fail "the image runs as '$user', the Jobs and this test assume 65532:65532"
	grep -qx 'ENTRYPOINT \[\]' "$df" || fail "the image has an ENTRYPOINT that would wrap the Jobs' command"
	echo "build stage ran; $dst is static, on PATH, run as $user = fsGroup"
}

# --- slurm ------------------------------------------------------------------

slurm_setup() {
	mkdir -p "$tmp/bin"
	ln -sf "$here/fake-slurm" "$tmp/bin/sbatch"
	export PATH=$tmp/bin:$PATH SOUNDMATCH=$bin
}

# submit OUT: run submit.sh from $OUT.work (the submit dir, where Slurm puts
# the logs); sets array_id and merge_id from its output.
submit() {
	mkdir -p "$1.work"
	local said
	said=$(cd "$1.work" && "$deploy/slurm/submit.sh" "$cfg" 3 "$1")
	echo "$said"
	array_id=$(sed -n 's/^study array job \([0-9]*\), merge job \([0-9]*\);.*/\1/p' <<<"$said")
	merge_id=$(sed -n 's/^study array job \([0-9]*\), merge job \([0-9]*\);.*/\2/p' <<<"$said")
	if [ -z "$array_id" ] || [ -z "$merge_id" ]; then fail "submit.sh printed no job ids: $said"; fi
}

slurm() {
	slurm_setup
	local out=$tmp/slurm k log
	submit "$out"
	"$here/fake-slurm" wait "$array_id" 120 || fail "array job $array_id did not complete"
	"$here/fake-slurm" wait "$merge_id" 60 || fail "merge job $merge_id did not complete"
	for k in 0 1 2; do
		log=$out.work/soundmatch-study-${array_id}_$k.log
		[ -s "$log" ] || fail "no log $log"
		grep -q "on 1 workers" "$log" || fail "$log: the task did not run with --workers = SLURM_CPUS_PER_TASK (1)"
		[ -s "$out/shard-$k.db" ] || fail "no $out/shard-$k.db"
	done
	[ -s "$out.work/soundmatch-merge-$merge_id.log" ] || fail "no merge log"
	grep -q '^complete' "$out.work/soundmatch-merge-$merge_id.log" || fail "the merge's status does not say complete"
	same_csv "$out/study.csv"

	# A failed task must keep the merge from running; then the recovery
	# deploy/README.md describes: rerun that index alone, then the merge,
	# with the commands in the scripts' headers.
	out=$tmp/slurm-failing
	SOUNDMATCH=$failing_bin submit "$out"
	! "$here/fake-slurm" wait "$array_id" 60 || fail "an array with a failing task completed"
	[ "$("$here/fake-slurm" wait "$merge_id" 60)" = DependencyNeverSatisfied ] || fail "the merge ran after a failed array"
	[ ! -e "$out/study.db" ] || fail "a merge wrote study.db after a failed array"
	echo "failed task 1: merge held back (DependencyNeverSatisfied)"
	local rerun merge
	rerun=$(cd "$out.work" && sbatch --parsable --array=1 --export="ALL,SHARDS=3,CONFIG=$cfg,OUT=$out" "$deploy/slurm/study.sbatch")
	"$here/fake-slurm" wait "$rerun" 60 || fail "rerunning task 1 failed"
	merge=$(cd "$out.work" && sbatch --parsable --dependency="afterok:$rerun" --export="ALL,SHARDS=3,OUT=$out" "$deploy/slurm/merge.sbatch")
	"$here/fake-slurm" wait "$merge" 60 || fail "the merge after the rerun failed"
	same_csv "$out/study.csv"
}

# One array task killed -9 in the middle of its shard, as a preemption
# does, and requeued by the scheduler (study.sbatch asks for --requeue).
# sbatch prints "id;cluster" here, as on a multi-cluster site.
preempt() {
	slurm_setup
	local out=$tmp/preempt log stored planned
	FAKE_SLURM_CLUSTER="test" submit "$out"
	wait_for_trials "$out/shard-1.db" 1 60
	"$here/fake-slurm" preempt "$array_id" 1
	stored=$(done_trials "$out/shard-1.db")
	"$here/fake-slurm" wait "$array_id" 120 || fail "array job $array_id did not complete after the requeue"
	"$here/fake-slurm" wait "$merge_id" 60 || fail "merge job $merge_id did not complete"
	[ "$(cat "$FAKE_SLURM_STATE/$array_id/task-1.requeued" 2>/dev/null)" = 1 ] || fail "task 1 was not requeued"
	planned=$(planned_trials "$out/shard-1.db")
	log=$out.work/soundmatch-study-${array_id}_1.log
	# --open-mode=append keeps the first run's lines; the second run resumes.
	grep -q "trials to run" "$log" || fail "$log: no run"
	local resumed
	resumed=$(sed -n 's/.* trials to run on .* (\([0-9]*\) already stored)$/\1/p' "$log" | tail -n 1)
	[ "$(grep -c 'trials to run' "$log")" -eq 2 ] || fail "$log: want 2 runs (first and requeued) in the appended log"
	if [ "${resumed:-0}" -lt 1 ] || [ "$resumed" -ge "$planned" ]; then
		fail "the requeued task resumed with ${resumed:-?} of $planned trials stored, want 1…$((planned - 1))"
	fi
	echo "task 1 killed with $stored of $planned trials stored, requeued, resumed from $resumed"
	same_csv "$out/study.csv"
}

# --- kubernetes -------------------------------------------------------------

k8s_shards=3 # instead of the manifests' 16, for speed, in both Jobs
kubernetes() {
	local kdir=$deploy/kubernetes parser n data=$tmp/k8s/data k
	# Set by eval "$(extract MANIFEST)".
	local -a command=() args=() env=()
	local mount='' completions=1 parallelism=1 backoff=0 fsgroup='' run_as_user='' image=''
	mkdir -p "$tmp/k8s/root" "$data" "$tmp/k8s/usr/local/bin"
	# The manifests are read with PyYAML when Python has it; as root it is
	# installed (Debian's python3-yaml); otherwise an awk reader of the
	# shapes these files use (k8s-extract.awk), which cannot validate.
	parser="awk"
	if command -v python3 >/dev/null; then
		if ! python3 -c 'import yaml' 2>/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
			apt-get install -y -qq python3-yaml >/dev/null 2>&1 ||
				{ apt-get update -qq && apt-get install -y -qq python3-yaml; } >/dev/null 2>&1 || true
		fi
		python3 -c 'import yaml' 2>/dev/null && parser=python
	fi
	extract() {
		if [ $parser = python ]; then python3 "$here/k8s.py" extract "$1"; else awk -f "$here/k8s-extract.awk" "$1"; fi
	}
	if [ $parser = python ]; then
		python3 "$here/k8s.py" validate "$kdir"/*.yaml
		n=$(python3 "$here/k8s.py" shards "$kdir/study-job.yaml" "$kdir/merge-job.yaml")
		echo "manifests valid; completions = parallelism = SHARDS = $n in both Jobs"
		# The checks catch the mistakes they are for.
		sed 's/value: "16"/value: "8"/' "$kdir/merge-job.yaml" >"$tmp/k8s/bad-merge.yaml"
		sed 's/parallelism: 16/parallelism: 8/' "$kdir/study-job.yaml" >"$tmp/k8s/bad-study.yaml"
		sed 's/value: "16"/value: 16/' "$kdir/study-job.yaml" >"$tmp/k8s/bad-env.yaml"
		! python3 "$here/k8s.py" shards "$kdir/study-job.yaml" "$tmp/k8s/bad-merge.yaml" 2>/dev/null || fail "a merge Job with SHARDS 8 passed"
		! python3 "$here/k8s.py" shards "$tmp/k8s/bad-study.yaml" "$kdir/merge-job.yaml" 2>/dev/null || fail "parallelism 8 passed"
		! python3 "$here/k8s.py" validate "$kdir/pvc.yaml" "$tmp/k8s/bad-env.yaml" 2>/dev/null || fail "an unquoted env value passed"
		# The awk fallback reads the same as PyYAML.
		for f in "$kdir"/*-job.yaml; do
			cmp <(python3 "$here/k8s.py" extract "$f" | bash -c 'eval "$(cat)"; declare -p command args env mount completions parallelism backoff fsgroup image') \
				<(awk -f "$here/k8s-extract.awk" "$f" | bash -c 'eval "$(cat)"; declare -p command args env mount completions parallelism backoff fsgroup image') ||
				fail "k8s-extract.awk reads $f differently from PyYAML"
		done
	else
		echo "no PyYAML: manifests read with k8s-extract.awk, NOT validated"
		echo " (no PyYAML: manifests read, not validated)" >"$tmp/kubernetes.note"
	fi

	# Both Jobs run the same image as its user (when they name one), and
	# agree on the number of shards (again here, for the awk reader).
	local study_image study_shards e
	eval "$(extract "$kdir/study-job.yaml")"
	study_image=$image
	for e in "${env[@]}"; do [[ $e != SHARDS=* ]] || study_shards=${e#SHARDS=}; done
	[ -n "${study_shards:-}" ] || fail "the study Job sets no SHARDS"
	if [ "$completions" != "$study_shards" ] || [ "$parallelism" != "$study_shards" ]; then
		fail "study Job: completions $completions, parallelism $parallelism, SHARDS $study_shards differ"
	fi
	[ -z "$run_as_user" ] || [ "$run_as_user" = 65532 ] || fail "study Job runAsUser $run_as_user, the image's user is 65532"
	eval "$(extract "$kdir/merge-job.yaml")"
	[ "$image" = "$study_image" ] || fail "the Jobs run different images: $study_image, $image"
	[ -z "$run_as_user" ] || [ "$run_as_user" = 65532 ] || fail "merge Job runAsUser $run_as_user, the image's user is 65532"
	[[ " ${env[*]} " == *" SHARDS=$study_shards "* ]] || fail "merge Job: SHARDS is not the study Job's $study_shards (${env[*]})"

	# The container: the image's binary (the dockerfile part's build when it
	# ran, else the test build) on its PATH, the volume at the manifest's
	# mountPath rewritten to $data, busybox's sh when installed (the image's
	# /bin/sh is busybox), run as the image's user with fsGroup's group
	# owning the volume when this runs as root.
	local img_bin=$tmp/docker/out/soundmatch sh_cmd=(/bin/sh) as_user=()
	[ -x "$img_bin" ] || img_bin=$bin
	cp "$img_bin" "$tmp/k8s/usr/local/bin/soundmatch"
	command -v busybox >/dev/null && sh_cmd=(busybox sh)
	cp "$cfg" "$data/study.toml"
	if [ "$(id -u)" = 0 ]; then
		eval "$(extract "$kdir/study-job.yaml")"
		chgrp -R "$fsgroup" "$data"
		chmod 2775 "$data"
		chmod 644 "$data/study.toml"
		# runAsUser, or the image's USER (which the dockerfile part checks).
		as_user=(setpriv --reuid="${run_as_user:-65532}" --regid=65532 --groups="$fsgroup")
		echo "pods run as uid ${run_as_user:-65532}, volume group $fsgroup (setgid), cwd not writable"
	else
		echo "not root: pods run as $(id -un), fsGroup not emulated"
		echo " (not root: uid 65532 and fsGroup not emulated)" >>"$tmp/kubernetes.note"
	fi
	echo "pod shell: ${sh_cmd[*]}"

	# run_pod NAME INDEX: the container of the Job last extracted, run once
	# in its own session (so that it can be killed whole, like a pod).
	run_pod() {
		local name=$1 index=$2 script
		[ "${command[*]}" = "/bin/sh -c" ] || fail "$name: command is '${command[*]}', this test runs /bin/sh -c only"
		[ ${#args[@]} -eq 1 ] || fail "$name: want one args string for sh -c"
		script=${args[0]//"$mount"/"$data"}
		local penv=() e
		for e in "${env[@]}"; do
			case $e in
			SHARDS=*) e=SHARDS=$k8s_shards ;;
			CONFIG=*) e=CONFIG=$mount/study.toml ;; # "a .toml file mounted into the pod"
			esac
			penv+=("${e//"$mount"/"$data"}")
		done
		(
			cd "$tmp/k8s/root"
			# shellcheck disable=SC2016 # expanded by the inner bash
			exec env -i PATH="$tmp/k8s/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin" \
				HOME=/ HOSTNAME="$name" KUBERNETES_SERVICE_HOST=10.0.0.1 \
				${index:+JOB_COMPLETION_INDEX=$index} "${penv[@]}" \
				setsid bash -c 'echo $$ >"$0"; exec "$@"' "$tmp/k8s/$name.pgid" \
				"${as_user[@]}" "${sh_cmd[@]}" -c "$script"
		) >>"$tmp/k8s/$name.log" 2>&1
	}

	# The study Job: indexes 0…completions-1, at most 2 pods at once here,
	# each retried up to backoffLimitPerIndex times. Pod 1's first attempt
	# is evicted (killed -9) once it has stored a trial.
	eval "$(extract "$kdir/study-job.yaml")"
	completions=$k8s_shards
	parallelism=$k8s_shards
	run_index() {
		local k=$1 try=0
		while :; do
			if run_pod "pod-$k" "$k"; then return 0; fi
			try=$((try + 1))
			echo "index $k: attempt $try failed" >>"$tmp/k8s/pod-$k.log"
			[ "$try" -le "$backoff" ] || return 1
		done
	}
	local pids=() slots=$((parallelism < 2 ? parallelism : 2))
	for ((k = 0; k < completions; k++)); do
		while [ "$(jobs -rp | wc -l)" -ge "$slots" ]; do wait -n || true; done
		run_index "$k" &
		pids[k]=$!
		if [ "$k" = 1 ]; then
			wait_for_trials "$data/shard-1.db" 1 60
			kill -KILL -- "-$(cat "$tmp/k8s/pod-1.pgid")"
			echo "pod-1 evicted with $(done_trials "$data/shard-1.db") trials stored"
		fi
	done
	for k in "${!pids[@]}"; do
		wait "${pids[k]}" || fail "index $k failed for good: $(tail -n 3 "$tmp/k8s/pod-$k.log")"
	done
	grep -q "attempt 1 failed" "$tmp/k8s/pod-1.log" || fail "pod-1 was not evicted and retried"
	grep -q "already stored" "$tmp/k8s/pod-1.log" || fail "pod-1's retry did not resume"
	[ ! -e "$data/shard-$k8s_shards.db" ] || fail "more shards than completions"
	if [ ${#as_user[@]} -gt 0 ]; then
		[ "$(stat -c %u:%g "$data/shard-0.db")" = "${run_as_user:-65532}:$fsgroup" ] || fail "shard-0.db is not owned by the pod's user and fsGroup"
	fi

	# The merge Job, once.
	eval "$(extract "$kdir/merge-job.yaml")"
	run_pod merge "" || fail "the merge pod failed: $(tail -n 5 "$tmp/k8s/merge.log")"
	grep -q '^complete' "$tmp/k8s/merge.log" || fail "the merge's status does not say complete"
	same_csv "$data/study.csv"
}

# --- local ------------------------------------------------------------------

local_sh() {
	local out=$tmp/local k
	# Shard 1 fails: local.sh must say so, fail, and not merge.
	if SOUNDMATCH=$failing_bin "$deploy/local.sh" "$cfg" 3 "$out" 2>"$out.err"; then
		fail "local.sh succeeded with a failing shard"
	fi
	grep -q "shard 1/3 failed" "$out.err" || fail "local.sh did not name the failed shard: $(cat "$out.err")"
	[ ! -e "$out/study.db" ] || fail "local.sh merged after a failed shard"
	for k in 0 1 2; do [ -s "$out/shard-$k.log" ] || fail "no $out/shard-$k.log"; done
	# Rerun, as it says: the complete shards run nothing, shard 1 runs.
	SOUNDMATCH=$bin "$deploy/local.sh" "$cfg" 3 "$out"
	grep -q "study: 0 trials run" "$out/shard-0.log" || fail "the rerun ran shard 0's trials again"
	grep -q "(0 already stored)" "$out/shard-1.log" || fail "shard 1 did not run on the rerun"
	same_csv "$out/study.csv"
}

cd "$root"
part build build
if [ "$failed" = 0 ]; then
	part scripts scripts
	part dockerfile dockerfile
	part slurm slurm
	part preempt preempt
	part kubernetes kubernetes
	part local local_sh
fi
[ "$failed" = 0 ] || exit 1
