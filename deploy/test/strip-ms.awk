# Drop the timing columns (header ending in "_ms") from a CSV file, keeping
# every other byte as it is. Fields are split as RFC 4180 says: a quoted
# field may hold commas, doubled quotes and newlines. Portable awk (mawk).
#
#   awk -f strip-ms.awk study.csv
BEGIN { rec = 0 }
{
	buf = (pending ? buf "\n" : "") $0
	# A record is complete when its quotes are balanced.
	q = gsub(/"/, "\"", buf)
	if (q % 2) { pending = 1; next }
	pending = 0
	emit(buf)
	buf = ""
}
END {
	if (pending) { print "strip-ms.awk: unterminated quoted field" > "/dev/stderr"; exit 1 }
}

function emit(line,    n, i, c, f, inq, out, first) {
	n = 0; f = ""; inq = 0
	for (i = 1; i <= length(line); i++) {
		c = substr(line, i, 1)
		if (c == "\"") inq = !inq
		if (c == "," && !inq) { field[++n] = f; f = ""; continue }
		f = f c
	}
	field[++n] = f
	if (rec == 0) {
		for (i = 1; i <= n; i++) drop[i] = (field[i] ~ /_ms$/)
		ncols = n
	} else if (n != ncols) {
		printf "strip-ms.awk: record %d has %d fields, the header %d\n", rec, n, ncols > "/dev/stderr"
		exit 1
	}
	rec++
	out = ""; first = 1
	for (i = 1; i <= n; i++) {
		if (drop[i]) continue
		out = out (first ? "" : ",") field[i]
		first = 0
	}
	print out
}
