#!/usr/bin/env bash
# Parse benchmark: generates the corpus if missing, builds in release, runs the ParseBenchmarks suite
# (the benchmark tool's tables go to stderr) and ParseReport, whose markdown table goes to stdout.
#
#   Benchmarks/run-parse.sh > parse-report.md
#
# Environment: LOGBOX_BENCH_CORPUS (default Benchmarks/.corpus), LOGBOX_CORPUS_GENERATOR (default
# ../shared/corpus/gen_logs.py beside the repository), PARSE_REPORT_REPETITIONS (default 5).
set -euo pipefail

cd "$(dirname "$0")"
here=$PWD
corpus=${LOGBOX_BENCH_CORPUS:-$here/.corpus}
generator=${LOGBOX_CORPUS_GENERATOR:-$here/../../shared/corpus/gen_logs.py}
results=$here/.results
files=(auth.log syslog5424.log nginx_access.log app.jsonl app.logfmt)

log() { printf '%s\n' "$*" >&2; }

missing=0
for file in "${files[@]}"; do [ -f "$corpus/$file" ] || missing=1; done
if [ "$missing" = 1 ]; then
    if [ ! -f "$generator" ]; then
        log "run-parse.sh: the corpus is missing from $corpus and the generator $generator does not exist."
        log "Set LOGBOX_CORPUS_GENERATOR to gen_logs.py, or LOGBOX_BENCH_CORPUS to a generated corpus."
        exit 2
    fi
    log "Generating the 1M-line corpus in $corpus"
    rm -rf "$corpus.tmp"
    python3 "$generator" --out "$corpus.tmp" --lines 1000000 --seed 1 --quiet >&2
    rm -rf "$corpus"
    mv "$corpus.tmp" "$corpus"
fi
export LOGBOX_BENCH_CORPUS=$corpus

log "Building in release"
swift build -c release --product ParseReport >&2

log "Running ParseBenchmarks (one iteration = one 10,000-line batch)"
rm -rf "$results"
mkdir -p "$results"
swift package --allow-writing-to-package-directory benchmark baseline update parse \
    --target ParseBenchmarks --no-progress >&2
swift package benchmark baseline read parse --target ParseBenchmarks >&2
swift package --allow-writing-to-package-directory benchmark baseline read parse --target ParseBenchmarks \
    --format metricP90AbsoluteThresholds --path "$results/p90" >&2

log "Running ParseReport"
.build/release/ParseReport --repetitions "${PARSE_REPORT_REPETITIONS:-5}" --allocations "$results/p90"
