#!/bin/sh
# export-memory.sh measures the server's memory while it streams an export
# of the synthetic network at scale 100 (~66,000 startups) as CSV: the
# server's resident memory before, its peak (VmHWM) and the time taken.
#
# Usage (from the repository root; Linux, for /proc):
#   bench/export-memory.sh                 # scale 100, cached under /tmp
#   SCALE=10 bench/export-memory.sh        # a smaller network
#
# The seeded database is kept in $DB (default /tmp/portfolio-bench-$SCALE.db)
# and reused: seeding scale 100 takes about 45 s. Each run adds a viewer
# token to it, so that the protected columns are exported too.
set -eu

SCALE=${SCALE:-100}
DB=${DB:-/tmp/portfolio-bench-$SCALE.db}
BIN=${BIN:-/tmp/portfolio-bench-bin}
PORT=${PORT:-18091}
ADDR=127.0.0.1:$PORT
OUT=${OUT:-/tmp/portfolio-bench-export}
AS_OF=${AS_OF:-2026-06-30}

go build -o "$BIN" ./cmd/portfolio
if [ ! -f "$DB" ]; then
	echo "seeding $DB at scale $SCALE (once)…"
	"$BIN" seed --db "$DB" --scale "$SCALE"
fi
TOKEN=$("$BIN" token create --db "$DB" --role viewer --name "bench-$(date +%s)-$$" | tail -n 1)

# gctrace logs the Go heap at each collection: its peak tells the export's
# own memory (the rows in flight) from SQLite's page caches.
GODEBUG=gctrace=1 "$BIN" serve --db "$DB" --addr "$ADDR" >"$OUT.serve.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null || true' EXIT INT TERM
i=0
until curl -sf "http://$ADDR/healthz" >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "the server did not start:"; cat "$OUT.serve.log"; exit 1; }
	sleep 0.1
done

kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$PID/status"; }
mb() { awk -v v="$1" 'BEGIN { printf "%.1f MB", v / 1024 }'; }

# run NAME URL [curl arguments]
run() {
	echo "== $1"
	shift
	before=$(kb VmRSS)
	hwm_before=$(kb VmHWM)
	peak=0
	start=$(date +%s.%N)
	: >"$OUT.serve.log"
	curl -sfG -H "Authorization: Bearer $TOKEN" -o "$OUT.csv" "$@" &
	CURL=$!
	while kill -0 $CURL 2>/dev/null; do
		rss=$(kb VmRSS)
		[ "$rss" -gt "$peak" ] && peak=$rss
		sleep 0.05
	done
	wait $CURL
	end=$(date +%s.%N)
	rows=$(($(wc -l <"$OUT.csv") - 1))
	echo "rows:                 $rows ($(wc -c <"$OUT.csv") bytes)"
	echo "time:                 $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f s", b - a }')"
	echo "RSS before:           $(mb "$before") (peak so far $(mb "$hwm_before"))"
	echo "RSS peak (sampled):   $(mb "$peak")"
	echo "VmHWM after:          $(mb "$(kb VmHWM)")"
	echo "RSS after:            $(mb "$(kb VmRSS)")"
	echo "Go heap peak:         $(awk '/^gc / { split($11, h, "->"); if (h[2] + 0 > m) m = h[2] + 0 } END { printf "%d MB", m }' "$OUT.serve.log")"
}

run "ready-made startups export (/export/startups.csv)" "http://$ADDR/export/startups.csv?asOf=$AS_OF"
Q='{ startups(asOf: "'$AS_OF'") { nodes { slug name incubator { title } sponsors { acronym } phase currentPhase { start } teamSize committeeOverdue } } }'
run "query export (/export?format=csv&query=…)" "http://$ADDR/export" -d format=csv --data-urlencode "query=$Q"
