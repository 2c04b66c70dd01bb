#!/bin/sh
# sync.sh measures portfolio sync on the real snapshot: a git repository of
# it is made in a temporary folder (copied, committed with go-git), synced
# once (the clone and the whole tree), then synced
#
#   unchanged/command-line   with no new commit, as `portfolio sync` does
#                            (a new Syncer each time)
#   one-file/command-line    after a commit changing one startup's file,
#                            reading the parse cache the last sync left in
#                            the clone's folder
#   one-file/server          the same, one Syncer for every sync, as
#                            `serve --sync-repo` does
#   one-file/no-parse-cache  the same without the parse cache (the first
#                            sync after an upgrade of the program)
#
# RUNS times each (default 7); the benchmark reports the median and the
# slowest, in ms. Without the process's start and the database's opening,
# which `portfolio sync` adds (about 0.1 s; `time portfolio sync` shows it).
#
# Usage (from the repository root):
#   bench/sync.sh                                     # ../shared/data/betagouv-2026-08-20/content
#   PORTFOLIO_SNAPSHOT=/path/to/content RUNS=11 bench/sync.sh
set -eu

PORTFOLIO_SNAPSHOT=${PORTFOLIO_SNAPSHOT:-../shared/data/betagouv-2026-08-20/content}
RUNS=${RUNS:-7}
PORTFOLIO_SNAPSHOT=$(cd "$PORTFOLIO_SNAPSHOT" && pwd) # go test runs in the package's folder
export PORTFOLIO_SNAPSHOT
go test -run '^$' -bench 'BenchmarkSyncRealSnapshot' -benchtime "${RUNS}x" -v ./internal/gitsync/ |
	grep -E '(median-ms|^\s+bench_test.go)' |
	awk '/median-ms/ { printf "%-60s median %8s ms   max %8s ms\n", $1, $(NF-1), $(NF-3); next } { print }'
