# The fallback of "k8s.py extract" for machines without PyYAML: reads one
# Job manifest of deploy/kubernetes and prints the same bash assignments.
# It is not a YAML parser: it knows the shapes those files use (block
# mappings, "- name:/value:" env items, a flow-sequence command, args as a
# list of plain, quoted or block scalars "- >-", "- |") and stops with an
# error on anything else it meets where it looks, rather than guess.
# Kubernetes' expansion of command and args is applied as k8s.py does:
# $(NAME) of a variable in env becomes its value, $$ becomes $.
#
#   awk -f k8s-extract.awk deploy/kubernetes/study-job.yaml

function fail(msg) {
	printf "k8s-extract.awk: %s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
	failed = 1
	exit 1
}
function indent(s) { match(s, /^ */); return RLENGTH }
function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
# A plain or quoted scalar on one line, without a trailing comment.
function scalar(s,    q) {
	s = trim(s)
	if (s ~ /^"/) {
		if (!match(s, /^"([^"\\]|\\.)*"/)) fail("unterminated string")
		s = substr(s, 2, RLENGTH - 2)
		if (s ~ /\\/) fail("escapes in double-quoted strings are not supported")
		return s
	}
	if (s ~ /^'/) {
		if (!match(s, /^'([^']|'')*'/)) fail("unterminated string")
		s = substr(s, 2, RLENGTH - 2)
		gsub(/''/, "'", s)
		return s
	}
	sub(/[ \t]+#.*$/, "", s)
	if (s ~ /^[[{&*!|>%@`]/) fail("unsupported value: " s)
	return s
}
function kexpand(s,    out, tok, name, i, known) {
	out = ""
	while (match(s, /\$\$|\$\([A-Za-z_][A-Za-z0-9_.-]*\)/)) {
		tok = substr(s, RSTART, RLENGTH)
		out = out substr(s, 1, RSTART - 1)
		if (tok == "$$") out = out "$"
		else {
			name = substr(tok, 3, length(tok) - 3)
			known = 0
			for (i = 1; i <= nenv; i++) if (envname[i] == name) { out = out envval[i]; known = 1 }
			if (!known) out = out tok
		}
		s = substr(s, RSTART + RLENGTH)
	}
	return out s
}
function shq(s) { gsub(/'/, "'\\''", s); return "'" s "'" }
function flush_block(    s, i) {
	if (!inblock) return
	inblock = 0
	s = ""
	for (i = 1; i <= nb; i++) {
		if (blockstyle ~ /^>/) s = s (i > 1 ? " " : "") block[i]
		else s = s (i > 1 ? "\n" : "") block[i]
	}
	if (blockstyle !~ /-$/) s = s "\n"
	args[++nargs] = s
}

BEGIN { nargs = 0; nenv = 0; ncmd = 0; mounts = 0; inargs = 0; inenv = 0; inblock = 0 }

{
	line = $0
	ind = indent(line)
	body = substr(line, ind + 1)
}

# Inside a block scalar: every more-indented line belongs to it.
inblock {
	if (body == "") fail("blank lines in a block scalar are not supported")
	if (ind > blockind) {
		if (bodyind == 0) bodyind = ind
		if (ind != bodyind) fail("a more-indented line in a block scalar is not supported")
		block[++nb] = body
		next
	}
	flush_block()
}

body == "" || body ~ /^#/ { next }

inargs && ind <= argsind && body !~ /^- / { inargs = 0 }
inargs && ind < argsind { inargs = 0 }
inenv && ind < envind { inenv = 0 }
inenv && ind == envind && body !~ /^- / { inenv = 0 }

inargs {
	if (body !~ /^- /) fail("unexpected line in args")
	v = trim(substr(body, 3))
	if (v ~ /^[>|][-+]?$/) {
		inblock = 1; blockstyle = v; blockind = ind; bodyind = 0; nb = 0
		if (v ~ /\+$/) fail("keep chomping (+) is not supported")
	} else {
		args[++nargs] = scalar(v)
	}
	next
}

inenv {
	if (body ~ /^- name:/) { envname[++nenv] = scalar(substr(body, 9)); envval[nenv] = ""; next }
	if (body ~ /^value:/) { envval[nenv] = scalar(substr(body, 7)); next }
	fail("unsupported env entry (only name/value): " body)
}

body ~ /^completions:/ { completions = scalar(substr(body, 13)) }
body ~ /^parallelism:/ { parallelism = scalar(substr(body, 13)) }
body ~ /^backoffLimit:/ && backoff == "" { backoff = scalar(substr(body, 14)) }
body ~ /^backoffLimitPerIndex:/ { backoff = scalar(substr(body, 22)) }
body ~ /^fsGroup:/ { fsgroup = scalar(substr(body, 9)) }
body ~ /^runAsUser:/ { runasuser = scalar(substr(body, 11)) }
body ~ /^(- )?image:/ { sub(/^- /, "", body); image = scalar(substr(body, 7)) }
body ~ /^(- )?mountPath:/ { sub(/^- /, "", body); mount = scalar(substr(body, 11)); mounts++ }
body ~ /^env:/ { inenv = 1; envind = ind; next }
body ~ /^args:/ {
	if (trim(substr(body, 6)) != "") fail("args must be a block list")
	inargs = 1; argsind = ind; next
}
body ~ /^command:/ {
	v = trim(substr(body, 9))
	sub(/[ \t]+#.*$/, "", v)
	if (v !~ /^\[.*\]$/) fail("command must be a one-line flow list")
	v = substr(v, 2, length(v) - 2)
	n = split(v, parts, ",")
	for (i = 1; i <= n; i++) cmd[++ncmd] = scalar(parts[i])
}

END {
	if (failed) exit 1
	flush_block()
	if (mounts != 1) { printf "k8s-extract.awk: want one volumeMount, got %d\n", mounts > "/dev/stderr"; exit 1 }
	s = "command=("; for (i = 1; i <= ncmd; i++) s = s (i > 1 ? " " : "") shq(kexpand(cmd[i])); print s ")"
	s = "args=("; for (i = 1; i <= nargs; i++) s = s (i > 1 ? " " : "") shq(kexpand(args[i])); print s ")"
	s = "env=("; for (i = 1; i <= nenv; i++) s = s (i > 1 ? " " : "") shq(envname[i] "=" envval[i]); print s ")"
	print "mount=" shq(mount)
	print "completions=" (completions == "" ? 1 : completions)
	print "parallelism=" (parallelism == "" ? 1 : parallelism)
	print "backoff=" (backoff == "" ? 6 : backoff)
	print "fsgroup=" fsgroup
	print "run_as_user=" runasuser
	print "image=" shq(image)
}
