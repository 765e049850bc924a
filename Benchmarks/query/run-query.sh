#!/usr/bin/env bash
# Query benchmark: Logbox (in process and as a command) against ripgrep, grep and SQLite FTS5 on the
# same generated logs, in one run. Prints a markdown table to stdout; progress goes to stderr.
#
#   Benchmarks/query/run-query.sh [--lines N] [--no-build] > query-report.md
#
# Details (what each column measures, what is cached between runs) at the top of run_query.py.
# Environment: REPS (in-process runs, default 21), CMD_REPS (ripgrep/grep runs, default 5),
# LOGBOX (the logbox binary), LOGBOX_CORPUS_GENERATOR (gen_logs.py).
set -euo pipefail
command -v rg >/dev/null || { apt-get update >&2 && apt-get install -y ripgrep >&2; }
exec python3 "$(dirname "$0")/run_query.py" "$@"
