#!/usr/bin/env bash
# Pipeline benchmark: the `logbox run` daemon end to end, on loopback, in one run.
# 1. File -> queryable store: a `file` source over the five files of a 1M-line corpus (start_at
#    beginning, parser auto, store sink); events/s until `logbox status` and `logbox query` see every line.
# 2. UDP syslog at 50k/100k/200k msg/s for 5 s (udp_flood.c): loss % for logbox and for rsyslogd
#    (imudp -> omfile), same traffic, same run; logbox's peak RSS (VmHWM) under each load.
#
#   Benchmarks/pipeline/run-pipeline.sh [--no-build] > pipeline-report.md
#
# Prints markdown tables (medians of the repetitions) to stdout; progress goes to stderr. Raw runs
# are kept in Benchmarks/.results/pipeline/runs.jsonl. Details at the top of run_pipeline.py.
#
# Environment:
#   FILE_REPS=3      file -> store runs (median reported)
#   UDP_REPS=5       runs per rate and receiver (median reported)
#   RATES="50000 100000 200000"   UDP send rates, msg/s; each sends rate x UDP_SECONDS messages
#   UDP_SECONDS=5
#   LOGBOX=path      the logbox binary (default: .build/release/logbox, built here unless --no-build)
#   RSYSLOGD=/usr/sbin/rsyslogd
#   CORPUS=dir       the corpus (default: Benchmarks/.corpus-pipeline-1m, generated when missing)
#   LOGBOX_CORPUS_GENERATOR   gen_logs.py (default ../shared/corpus/gen_logs.py beside the repository)
set -euo pipefail

cd "$(dirname "$0")"
here=$PWD
bench=$(cd .. && pwd)
repo=$(cd ../.. && pwd)
generator=${LOGBOX_CORPUS_GENERATOR:-$repo/../shared/corpus/gen_logs.py}
corpus=${CORPUS:-$bench/.corpus-pipeline-1m}
files=(auth.log syslog5424.log nginx_access.log app.jsonl app.logfmt)

build=1
for arg in "$@"; do
    case $arg in
        --no-build) build=0 ;;
        -h|--help) sed -n '2,21p' "$here/run-pipeline.sh"; exit 0 ;;
        *) printf 'run-pipeline.sh: unknown argument %s\n' "$arg" >&2; exit 2 ;;
    esac
done

log() { printf '%s\n' "$*" >&2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/logbox-pipeline.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The logbox binary.
if [ -z "${LOGBOX:-}" ]; then
    LOGBOX=$repo/.build/release/logbox
    if [ "$build" = 1 ]; then
        log "Building logbox in release"
        (cd "$repo" && swift build -c release --product logbox >&2) || log "run-pipeline.sh: the logbox build failed"
    fi
fi
if ! [ -x "$LOGBOX" ] || ! "$LOGBOX" run --help >/dev/null 2>&1; then
    log "run-pipeline.sh: $LOGBOX has no run command"
    exit 2
fi

# The UDP sender, compiled for this run.
command -v gcc >/dev/null || { log "run-pipeline.sh: gcc is needed for udp_flood.c"; exit 2; }
gcc -O2 -Wall -o "$work/udp_flood" "$here/udp_flood.c"

# The corpus: gen_logs.py --lines 1000000 --seed 1, generated once.
missing=0
for file in "${files[@]}"; do [ -f "$corpus/$file" ] || missing=1; done
if [ "$missing" = 1 ]; then
    if [ ! -f "$generator" ]; then
        log "run-pipeline.sh: $corpus is missing and the generator $generator does not exist (set LOGBOX_CORPUS_GENERATOR)."
        exit 2
    fi
    log "Generating the 1M-line corpus in $corpus"
    rm -rf "$corpus.tmp"
    python3 "$generator" --out "$corpus.tmp" --lines 1000000 --seed 1 --quiet >&2
    rm -rf "$corpus"
    mv "$corpus.tmp" "$corpus"
fi

mkdir -p "$bench/.results/pipeline"
LOGBOX=$LOGBOX SENDER=$work/udp_flood WORK=$work CORPUS=$corpus RESULTS=$bench/.results/pipeline \
    python3 "$here/run_pipeline.py"
