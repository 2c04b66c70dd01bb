#!/bin/sh
# rotating.sh measures executed requests over HTTP with wrk, each request a
# different question, so that neither the response cache nor repetition
# hides what an answer costs:
#
#   q2-slugs       Q2 (bench/queries/q2.graphql) for every startup slug in turn
#   q1-dates       Q1 with startups(asOf:) over every day of 2017-2026
#   portfolio-dates  portfolio(asOf:) with every breakdown, over the same days
#
# each at concurrency 1 and 16, with the response cache off
# (--response-cache-mb 0) and on (the default 64 MiB: a question asked
# again within a run is answered from memory). The table gives requests/s,
# p50 and p99 latency, and the server's CPU time per request (from /proc:
# less sensitive than throughput to other loads on a shared machine).
#
# Usage (from the repository root; Linux, wrk, curl, python3):
#   bench/rotating.sh                          # the real snapshot
#   CACHES="off" DURATION=5s bench/rotating.sh # cache off only, shorter
#
# Settings: CONTENT (a beta.gouv.fr content folder; default the shared
# snapshot), DURATION (10s), WARMUP (3s), CONCURRENCY ("1 16"), CACHES
# ("off on"), PORT (18095), BIN (built from ./cmd/portfolio), WORK (a
# temporary folder, removed at the end unless KEEP=1).
set -eu

CONTENT=${CONTENT:-$(cd "$(dirname "$0")/../.." && pwd)/shared/data/betagouv-2026-08-20/content}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-3s}
CONCURRENCY=${CONCURRENCY:-1 16}
CACHES=${CACHES:-off on}
PORT=${PORT:-18095}
ADDR=127.0.0.1:$PORT
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${WORK:-$(mktemp -d /tmp/rotating.XXXXXX)}
BIN=${BIN:-$WORK/portfolio}
PID=""

cleanup() {
	[ -z "$PID" ] || { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; }
	[ -n "${KEEP:-}" ] && echo "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk"; exit 1; }

[ -x "$BIN" ] || go build -o "$BIN" ./cmd/portfolio
"$BIN" import --db "$WORK/p.db" "$CONTENT" >"$WORK/import.log"
AUTH="Bearer $("$BIN" token create --db "$WORK/p.db" --role viewer --name rotating | tail -n 1)"

start() { # start CACHE_MB
	"$BIN" serve --db "$WORK/p.db" --addr "$ADDR" --response-cache-mb "$1" >"$WORK/serve.log" 2>&1 &
	PID=$!
	i=0
	until curl -sf "http://$ADDR/healthz" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "the server did not start:"; cat "$WORK/serve.log"; exit 1; }
		sleep 0.1
	done
}
stop() { kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""; }

# The bodies: the slugs come from the API itself.
start 0
curl -sf -H 'Content-Type: application/json' -H "Authorization: $AUTH" \
	--data '{"query":"{ startups(first: 1000) { nodes { slug } } }"}' "http://$ADDR/graphql" >"$WORK/slugs.json"
stop
python3 - "$HERE/queries" "$WORK" <<'PY'
import datetime, json, os, sys
queries, work = sys.argv[1], sys.argv[2]
slugs = [n["slug"] for n in json.load(open(os.path.join(work, "slugs.json")))["data"]["startups"]["nodes"]]
q2 = open(os.path.join(queries, "q2.graphql")).read()
days = [datetime.date(2017, 1, 1) + datetime.timedelta(d) for d in range(0, 3652)]
q1 = """query Q1($asOf: Date) { startups(first: 100, orderBy: [{field: NAME}], asOf: $asOf) {
  nodes { name pitch incubator { title } sponsors { name acronym } phases { phase start end } } } }"""
pf = """query P($asOf: Date) { portfolio(asOf: $asOf) { startupCount byPhase { phase count }
  byIncubator { incubator { title } count } bySponsor { organisation { name } count } byThematique { label count }
  committeeOverdueCount activeMemberCount membersByDomain { domain count } membersByStatus { status count }
  phaseDurations { phase startups medianDays meanDays } committeeDecisions { decision count } } }"""
def write(name, bodies):
    with open(os.path.join(work, name + ".bodies"), "w") as f:
        for b in bodies:
            f.write(json.dumps(b) + "\n")
write("q2-slugs", [{"query": q2, "variables": {"slug": s}} for s in slugs])
write("q1-dates", [{"query": q1, "variables": {"asOf": d.isoformat()}} for d in days])
write("portfolio-dates", [{"query": pf, "variables": {"asOf": d.isoformat()}} for d in days])
print("%d slugs, %d days" % (len(slugs), len(days)), file=sys.stderr)
PY

cpu() { awk '{print $14 + $15}' "/proc/$PID/stat"; } # clock ticks (1/100 s)
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo
echo "| set | cache | c | requests/s | p50 ms | p99 ms | CPU ms/request | errors |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
for cache in $CACHES; do
	mb=0
	[ "$cache" = on ] && mb=64
	start "$mb"
	for set in q2-slugs q1-dates portfolio-dates; do
		# The warm-up takes the first bodies, each run starts further on.
		n=$(wc -l <"$WORK/$set.bodies")
		BODIES="$WORK/$set.bodies" AUTH="$AUTH" wrk -t1 -c16 -d"$WARMUP" -s "$HERE/rotating.lua" "http://$ADDR/graphql" >/dev/null
		k=0
		for c in $CONCURRENCY; do
			k=$((k + 1))
			t0=$(cpu)
			r=$(OFFSET=$((n * k / 3)) BODIES="$WORK/$set.bodies" AUTH="$AUTH" wrk -t1 -c"$c" -d"$DURATION" -s "$HERE/rotating.lua" "http://$ADDR/graphql" | grep '^RESULT')
			t1=$(cpu)
			echo "$r" | awk -v set="$set" -v cache="$cache" -v c="$c" -v ticks=$((t1 - t0)) \
				'{ printf "| %s | %s | %d | %.1f | %.2f | %.2f | %.2f | %d |\n", set, cache, c, $3, $4, $5, ticks * 10 / $2, $6 }'
		done
	done
	stop
done
