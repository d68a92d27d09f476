"""Read deploy/kubernetes manifests for deploy/test/run.sh (needs PyYAML).

  k8s.py validate FILE...        every document parses and is a sound object
  k8s.py shards STUDY MERGE      completions == parallelism == SHARDS in the
                                 study Job and the merge Job's SHARDS agrees;
                                 prints that number
  k8s.py extract FILE            the Job's container as bash assignments:
                                 command=(...) args=(...) env=(...) mount=...
                                 completions= parallelism= backoff= fsgroup=
                                 image= run_as_user=

The checks are those the API server or the Job controller would make on
apply, or that would make the Jobs misbehave, restricted to what these files
use; they are not a replacement for a server-side dry run.
"""

import re
import shlex
import sys

import yaml


class Bad(Exception):
    pass


def load(path):
    with open(path) as f:
        docs = [d for d in yaml.safe_load_all(f) if d is not None]
    if not docs:
        raise Bad(f"{path}: no YAML document")
    return docs


def quantity(q):
    """A Kubernetes resource quantity as a number (cpu in cores, bytes)."""
    s = str(q)
    m = re.fullmatch(r"([0-9.]+)(m|Ki|Mi|Gi|Ti|k|M|G|T)?", s)
    if not m:
        raise Bad(f"bad resource quantity {s!r}")
    mult = {None: 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12,
            "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}[m.group(2)]
    return float(m.group(1)) * mult


def strings(what, v):
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise Bad(f"{what} must be a list of strings, got {v!r}")
    return v


def check_job(path, job, claims):
    name = job["metadata"]["name"]
    spec = job.get("spec") or {}
    pod = ((spec.get("template") or {}).get("spec")) or {}
    where = f"{path}: Job {name}"
    restart = pod.get("restartPolicy")
    if restart not in ("Never", "OnFailure"):
        raise Bad(f"{where}: restartPolicy must be Never or OnFailure for a Job, got {restart!r}")
    comp, par = spec.get("completions"), spec.get("parallelism")
    for k in ("completions", "parallelism", "backoffLimit", "backoffLimitPerIndex", "maxFailedIndexes"):
        v = spec.get(k)
        if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 0):
            raise Bad(f"{where}: {k} must be a non-negative integer, got {v!r}")
    if "backoffLimitPerIndex" in spec:
        if spec.get("completionMode") != "Indexed":
            raise Bad(f"{where}: backoffLimitPerIndex needs completionMode: Indexed")
        if restart != "Never":
            raise Bad(f"{where}: backoffLimitPerIndex needs restartPolicy: Never")
    pfp = spec.get("podFailurePolicy")
    if pfp is not None:
        if restart != "Never":
            raise Bad(f"{where}: podFailurePolicy needs restartPolicy: Never")
        for r in pfp.get("rules") or []:
            if r.get("action") not in ("FailJob", "FailIndex", "Ignore", "Count"):
                raise Bad(f"{where}: podFailurePolicy action {r.get('action')!r}")
            if r.get("action") == "FailIndex" and "backoffLimitPerIndex" not in spec:
                raise Bad(f"{where}: podFailurePolicy FailIndex needs backoffLimitPerIndex")
            if ("onExitCodes" in r) == ("onPodConditions" in r):
                raise Bad(f"{where}: a podFailurePolicy rule needs onExitCodes or onPodConditions")
            for c in r.get("onPodConditions") or []:
                if not c.get("type"):
                    raise Bad(f"{where}: podFailurePolicy onPodConditions without type")
    if spec.get("completionMode") == "Indexed" and comp is None:
        raise Bad(f"{where}: an Indexed Job needs completions")
    if "maxFailedIndexes" in spec and comp is not None and spec["maxFailedIndexes"] > comp:
        raise Bad(f"{where}: maxFailedIndexes > completions")
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    if "app.kubernetes.io/component" not in labels:
        raise Bad(f"{where}: the pod template has no app.kubernetes.io/component label (deploy/README.md selects pods by it)")
    volumes = {v["name"]: v for v in pod.get("volumes") or []}
    for v in volumes.values():
        pvc = v.get("persistentVolumeClaim")
        if pvc and pvc.get("claimName") not in claims:
            raise Bad(f"{where}: volume {v['name']} claims {pvc.get('claimName')!r}, which no PersistentVolumeClaim here defines ({sorted(claims)})")
    containers = pod.get("containers") or []
    if len(containers) != 1:
        raise Bad(f"{where}: want exactly one container, got {len(containers)}")
    for c in containers:
        if not c.get("image"):
            raise Bad(f"{where}: container {c.get('name')} has no image")
        strings(f"{where}: command", c.get("command", []))
        strings(f"{where}: args", c.get("args", []))
        seen = set()
        for e in c.get("env") or []:
            if e["name"] in seen:
                raise Bad(f"{where}: env {e['name']} twice")
            seen.add(e["name"])
            # The API server refuses a number here: env values are strings.
            if "value" in e and not isinstance(e["value"], str):
                raise Bad(f"{where}: env {e['name']} value {e['value']!r} is not a string (quote it)")
        for m in c.get("volumeMounts") or []:
            if m["name"] not in volumes:
                raise Bad(f"{where}: volumeMount {m['name']} has no volume")
        res = c.get("resources") or {}
        req, lim = res.get("requests") or {}, res.get("limits") or {}
        for k in set(req) & set(lim):
            if quantity(req[k]) > quantity(lim[k]):
                raise Bad(f"{where}: requests.{k} {req[k]} > limits.{k} {lim[k]}")


def validate(paths):
    docs = [(p, d) for p in paths for d in load(p)]
    claims = set()
    for p, d in docs:
        if not isinstance(d, dict):
            raise Bad(f"{p}: a document is not a mapping")
        for k in ("apiVersion", "kind", "metadata"):
            if k not in d:
                raise Bad(f"{p}: no {k}")
        if not (d["metadata"] or {}).get("name"):
            raise Bad(f"{p}: no metadata.name")
        if d["kind"] == "PersistentVolumeClaim":
            modes = d["spec"].get("accessModes") or []
            # Pods of one Job run on many nodes and all mount the volume.
            if "ReadWriteMany" not in modes:
                raise Bad(f"{p}: the shards' volume must be ReadWriteMany, got {modes}")
            quantity(d["spec"]["resources"]["requests"]["storage"])
            claims.add(d["metadata"]["name"])
    for p, d in docs:
        if d["kind"] == "Job":
            if d["apiVersion"] != "batch/v1":
                raise Bad(f"{p}: Job apiVersion {d['apiVersion']}, want batch/v1")
            check_job(p, d, claims)


def job(path):
    docs = [d for d in load(path) if d.get("kind") == "Job"]
    if len(docs) != 1:
        raise Bad(f"{path}: want one Job, got {len(docs)}")
    return docs[0]


def container(j):
    return j["spec"]["template"]["spec"]["containers"][0]


def env_of(c):
    return {e["name"]: e.get("value") for e in c.get("env") or []}


def shards(study_path, merge_path):
    s, m = job(study_path), job(merge_path)
    comp, par = s["spec"].get("completions"), s["spec"].get("parallelism")
    n = env_of(container(s)).get("SHARDS")
    nm = env_of(container(m)).get("SHARDS")
    if n is None or nm is None:
        raise Bad("SHARDS is not set in both Jobs")
    if not (str(comp) == str(par) == n):
        raise Bad(f"{study_path}: completions {comp}, parallelism {par} and SHARDS {n} must be equal")
    if nm != n:
        raise Bad(f"{merge_path}: SHARDS {nm} but the study Job runs {n} shards")
    c = container(s)
    w = re.search(r"--workers[ =]([0-9]+)", " ".join(c.get("args", [])))
    cpu = ((c.get("resources") or {}).get("requests") or {}).get("cpu")
    if w and cpu is not None and int(w.group(1)) != quantity(cpu):
        raise Bad(f"{study_path}: --workers {w.group(1)} but the pod requests {cpu} CPUs")
    print(n)


def expand(s, env):
    """Kubernetes' $(VAR) expansion of command and args ($$ escapes $)."""
    def sub(m):
        if m.group(0) == "$$":
            return "$"
        return env[m.group(1)] if m.group(1) in env else m.group(0)
    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)", sub, s)


def extract(path):
    j = job(path)
    c = container(j)
    pod = j["spec"]["template"]["spec"]
    env = env_of(c)
    mounts = c.get("volumeMounts") or []
    if len(mounts) != 1:
        raise Bad(f"{path}: want one volumeMount, got {len(mounts)}")
    q = shlex.quote
    arr = lambda xs: "(" + " ".join(q(x) for x in xs) + ")"
    spec = j["spec"]
    print("command=" + arr(expand(x, env) for x in c.get("command", [])))
    print("args=" + arr(expand(x, env) for x in c.get("args", [])))
    print("env=" + arr(f"{k}={v}" for k, v in env.items()))
    print("mount=" + q(mounts[0]["mountPath"]))
    print(f"completions={spec.get('completions', 1)}")
    print(f"parallelism={spec.get('parallelism', 1)}")
    print(f"backoff={spec.get('backoffLimitPerIndex', spec.get('backoffLimit', 6))}")
    sc = pod.get("securityContext") or {}
    print(f"fsgroup={sc.get('fsGroup', '')}")
    csc = c.get("securityContext") or {}
    print(f"run_as_user={csc.get('runAsUser', sc.get('runAsUser', ''))}")
    print("image=" + q(c["image"]))


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    try:
        {"validate": lambda: validate(args),
         "shards": lambda: shards(*args),
         "extract": lambda: extract(*args)}[cmd]()
    except (Bad, yaml.YAMLError, KeyError, TypeError) as e:
        print(f"k8s.py {cmd}: {type(e).__name__ if not isinstance(e, Bad) else 'error'}: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
