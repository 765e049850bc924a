#!/usr/bin/env bash
# Store benchmark: `logbox import` against SQLite FTS5 and tantivy on the same lines, in one run.
# Prints one markdown table (and the Logbox/tantivy ratios) to stdout; progress goes to stderr.
#
#   Benchmarks/store/run-store.sh [--10m] [--no-build] > store-report.md
#
# For the 1M-line corpus, and with --10m also the 10M-line one, on auth.log alone (syslog lines) and
# on all five files: sqlite (1 core), tantivy with 1 thread (1 core) and 2 threads (2 cores), the
# same with --parsed, and logbox import with LOGBOX_THREADS=1 (1 core) and =2 (2 cores).
# "1 core" rows run under `taskset -c 0`; "2 cores" rows run unpinned.
#
# Environment:
#   REPS=3           runs per row; every column reports the median of the runs
#   LOGBOX=path      the logbox binary (default: the repository's .build/release/logbox, built here with
#                    `swift build -c release --product logbox` unless --no-build)
#   ENGINES="sqlite tantivy tantivy-parsed logbox"   rows to run
#   LOGBOX_CORPUS_GENERATOR   gen_logs.py (default ../shared/corpus/gen_logs.py beside the repository)
set -euo pipefail

cd "$(dirname "$0")"
store=$PWD
bench=$(cd .. && pwd)
repo=$(cd ../.. && pwd)
generator=${LOGBOX_CORPUS_GENERATOR:-$repo/../shared/corpus/gen_logs.py}
reps=${REPS:-3}
engines=${ENGINES:-sqlite tantivy tantivy-parsed logbox}
files=(auth.log syslog5424.log nginx_access.log app.jsonl app.logfmt)

corpora=(1m)
build=1
for arg in "$@"; do
    case $arg in
        --10m) corpora+=(10m) ;;
        --no-build) build=0 ;;
        -h|--help) sed -n '2,19p' "$store/run-store.sh"; exit 0 ;;
        *) printf 'run-store.sh: unknown argument %s\n' "$arg" >&2; exit 2 ;;
    esac
done

log() { printf '%s\n' "$*" >&2; }
has() { case " $engines " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

work=$(mktemp -d "${TMPDIR:-/tmp}/logbox-store.XXXXXX")
trap 'rm -rf "$work"' EXIT
results=$bench/.results/store
mkdir -p "$results"
runs=$results/runs.jsonl
: > "$runs"

# tantivy's Python bindings, from PyPI when missing.
if has tantivy || has tantivy-parsed; then
    if ! python3 -c "import tantivy" 2>/dev/null; then
        log "Installing tantivy (pip install tantivy)"
        python3 -m pip install --quiet tantivy >&2
    fi
fi

# The logbox binary, and whether it has the import command.
logbox_ok=0
if has logbox; then
    if [ -z "${LOGBOX:-}" ]; then
        LOGBOX=$repo/.build/release/logbox
        if [ "$build" = 1 ]; then
            log "Building logbox in release"
            (cd "$repo" && swift build -c release --product logbox >&2) || log "run-store.sh: the logbox build failed"
        fi
    fi
    if [ -x "$LOGBOX" ] && "$LOGBOX" import --help >/dev/null 2>&1; then
        logbox_ok=1
    else
        log "logbox import is not available in this build ($LOGBOX)"
    fi
fi

# Sum of file sizes under a directory, as baselines.py counts them.
dir_bytes() { find "$1" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'; }

# Appends one JSON line to $runs. Arguments: corpus, input label, engine label, cores, then the JSON
# fields that the measurement produced.
record() {
    python3 -c 'import json, sys
row = json.loads(sys.argv[5])
row.update(corpus=sys.argv[1], input=sys.argv[2], label=sys.argv[3], cores=int(sys.argv[4]))
print(json.dumps(row))' "$@" >> "$runs"
}

# One baselines.py run: corpus, input label, engine label, cores, then its arguments.
run_baseline() {
    local corpus=$1 input=$2 label=$3 cores=$4; shift 4
    local pin=() out=$work/index
    [ "$cores" = 1 ] && pin=(taskset -c 0)
    rm -rf "$out"
    local json
    json=$("${pin[@]}" python3 "$store/baselines.py" "$@" --out "$out" --json)
    rm -rf "$out"
    record "$corpus" "$input" "$label" "$cores" "$json"
}

# One logbox import run: corpus, input label, cores, then the input files.
run_logbox() {
    local corpus=$1 input=$2 cores=$3; shift 3
    local pin=() data=$work/data timing=$work/time.txt output=$work/import.txt
    [ "$cores" = 1 ] && pin=(taskset -c 0)
    rm -rf "$data"
    local status=0 started ended
    started=$EPOCHREALTIME
    LOGBOX_THREADS=$cores /usr/bin/time -v -o "$timing" "${pin[@]}" \
        "$LOGBOX" import --parser auto --data-dir "$data" "$@" > "$output" 2>&1 || status=$?
    ended=$EPOCHREALTIME
    local disk
    disk=$(dir_bytes "$data")
    # After the two-core import of all five files: `logbox index compact` of what it left.
    if [ "$input" = "all five" ] && [ "$cores" = 2 ] && [ "$status" = 0 ]; then
        local compact_status=0 compact_started compact_ended
        compact_started=$EPOCHREALTIME
        /usr/bin/time -v -o "$work/compact-time.txt" "$LOGBOX" index compact --data-dir "$data" \
            > "$work/compact.txt" 2>&1 || compact_status=$?
        compact_ended=$EPOCHREALTIME
        python3 - "$work/compact-time.txt" "$compact_status" "$(dir_bytes "$data")" "$compact_started" \
            "$compact_ended" "$@" > "$work/compact-row.json" <<'EOF'
import json, os, re, sys
text = open(sys.argv[1], errors="replace").read()
rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
lines = 0
for path in sys.argv[6:]:
    with open(path, "rb") as handle:
        lines += handle.read().count(b"\n")
print(json.dumps({
    "engine": "logbox", "status": int(sys.argv[2]), "events": lines, "events_from": "line count",
    "raw_bytes": sum(os.path.getsize(p) for p in sys.argv[6:]),
    "seconds": float(sys.argv[5]) - float(sys.argv[4]), "disk_bytes": int(sys.argv[3]),
    "peak_rss_kib": int(rss.group(1)) if rss else None,
}))
EOF
        record "$corpus" "$input" "logbox index compact" 2 "$(cat "$work/compact-row.json")"
        [ "$compact_status" = 0 ] || log "logbox index compact exited with status $compact_status"
    fi
    rm -rf "$data"
    python3 - "$timing" "$output" "$status" "$disk" "$started" "$ended" "$@" > "$work/row.json" <<'EOF'
import json, re, sys
timing, output, status, disk = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
seconds = float(sys.argv[6]) - float(sys.argv[5])
inputs = sys.argv[7:]
text = open(timing, errors="replace").read()
rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
raw_bytes = 0
lines = 0
for path in inputs:
    with open(path, "rb") as handle:
        data = handle.read()
    raw_bytes += len(data)
    lines += data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
said = open(output, errors="replace").read()
# The summary line's event count if it prints one ("... 1,000,000 events ..."), else the line count.
counts = re.findall(r"(\d[\d,_]*) events\b(?!/)", said.strip().splitlines()[-1] if said.strip() else "")
events = int(counts[0].replace(",", "").replace("_", "")) if counts else lines
print(json.dumps({
    "engine": "logbox", "status": status, "events": events, "events_from": "summary" if counts else "line count",
    "raw_bytes": raw_bytes, "seconds": seconds, "disk_bytes": disk,
    "peak_rss_kib": int(rss.group(1)) if rss else None,
    "tail": said.strip().splitlines()[-3:] if said.strip() else [],
}))
EOF
    record "$corpus" "$input" "logbox" "$cores" "$(cat "$work/row.json")"
    [ "$status" = 0 ] || log "logbox import exited with status $status: $(tail -n 3 "$output")"
}

for corpus in "${corpora[@]}"; do
    dir=$bench/.corpus-store-$corpus
    lines=1000000
    [ "$corpus" = 10m ] && lines=10000000
    missing=0
    for file in "${files[@]}"; do [ -f "$dir/$file" ] || missing=1; done
    if [ "$missing" = 1 ]; then
        if [ ! -f "$generator" ]; then
            log "run-store.sh: $dir is missing and the generator $generator does not exist (set LOGBOX_CORPUS_GENERATOR)."
            exit 2
        fi
        log "Generating the $corpus corpus in $dir"
        rm -rf "$dir.tmp"
        python3 "$generator" --out "$dir.tmp" --lines "$lines" --seed 1 --quiet >&2
        rm -rf "$dir"
        mv "$dir.tmp" "$dir"
    fi
    all=()
    for file in "${files[@]}"; do all+=("$dir/$file"); done

    for input in auth.log "all five"; do
        if [ "$input" = auth.log ]; then set -- "$dir/auth.log"; else set -- "${all[@]}"; fi
        for ((rep = 1; rep <= reps; rep++)); do
            log "[$corpus, $input] repetition $rep of $reps"
            if has sqlite; then
                run_baseline "$corpus" "$input" "sqlite fts5" 1 --engine sqlite --input "$@"
            fi
            if has tantivy; then
                run_baseline "$corpus" "$input" "tantivy" 1 --engine tantivy --threads 1 --input "$@"
                run_baseline "$corpus" "$input" "tantivy" 2 --engine tantivy --threads 2 --input "$@"
            fi
            if has tantivy-parsed; then
                run_baseline "$corpus" "$input" "tantivy --parsed" 1 --engine tantivy --parsed --threads 1 --input "$@"
                run_baseline "$corpus" "$input" "tantivy --parsed" 2 --engine tantivy --parsed --threads 2 --input "$@"
            fi
            if [ "$logbox_ok" = 1 ]; then
                run_logbox "$corpus" "$input" 1 "$@"
                run_logbox "$corpus" "$input" 2 "$@"
            fi
        done
    done
done

python3 - "$runs" "$(has logbox && echo 1 || echo 0)" "$logbox_ok" "${corpora[@]}" <<'EOF'
import json, statistics, sys

runs_path, wanted, available, corpora = sys.argv[1], sys.argv[2] == "1", sys.argv[3] == "1", sys.argv[4:]
runs = [json.loads(line) for line in open(runs_path)]
inputs = ("auth.log", "all five")
labels = ("sqlite fts5", "tantivy", "tantivy --parsed", "logbox", "logbox index compact")

def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None

rows = {}
for corpus in corpora:
    for input in inputs:
        for label in labels:
            for cores in (1, 2):
                group = [r for r in runs if (r["corpus"], r["input"], r["label"], r["cores"]) == (corpus, input, label, cores)]
                if not group:
                    continue
                seconds = median([r["seconds"] for r in group])
                raw = group[0]["raw_bytes"]
                events = group[0]["events"]
                disk = median([r["disk_bytes"] for r in group])
                rows[corpus, input, label, cores] = {
                    "events": events, "raw": raw, "seconds": seconds,
                    "events_per_s": events / seconds if seconds else None,
                    "mb_per_s": raw / 1e6 / seconds if seconds else None,
                    "disk": disk, "ratio": disk / raw if disk is not None and raw else None,
                    "rss_mib": median([r["peak_rss_kib"] for r in group]) / 1024 if median([r["peak_rss_kib"] for r in group]) else None,
                    "failed": sum(1 for r in group if r.get("status", 0) != 0),
                    "reps": len(group),
                    "events_from": group[0].get("events_from"),
                }

def number(value, digits=1):
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"

def engine_name(label, cores):
    if label == "sqlite fts5":
        return "sqlite fts5 (1 core)"
    if label == "logbox":
        return f"logbox, LOGBOX_THREADS={cores} ({cores} core{'s' if cores > 1 else ''})"
    if label == "logbox index compact":
        return "logbox index compact, after the 2-core import (seconds, RSS: the compaction)"
    return f"{label}, {cores} thread{'s' if cores > 1 else ''} ({cores} core{'s' if cores > 1 else ''})"

print("| engine | input | events | MB | seconds | events/s | MB/s | on-disk MB | ratio to raw | peak RSS MB |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for corpus in corpora:
    for input in inputs:
        where = f"{input} ({corpus.upper()} corpus)"
        for label in labels:
            for cores in (1, 2):
                row = rows.get((corpus, input, label, cores))
                if row is None:
                    if label == "logbox" and cores == 1 and wanted and not available:
                        print(f"| logbox | {where} | logbox import is not available in this build | | | | | | | |")
                    continue
                name = engine_name(label, cores)
                if row["failed"]:
                    name += f" ({row['failed']} of {row['reps']} runs failed)"
                if row["events_from"] == "line count":
                    name += " [events: line count]"
                print(f"| {name} | {where} | {row['events']:,} | {number(row['raw'] / 1e6)} | {number(row['seconds'], 2)} "
                      f"| {number(row['events_per_s'], 0)} | {number(row['mb_per_s'])} | {number(row['disk'] / 1e6 if row['disk'] is not None else None)} "
                      f"| {number(row['ratio'], 3)} | {number(row['rss_mib'])} |")

print()
print("Logbox events/s ÷ tantivy events/s, same input, same cores (target: ≥ 1.5 on 1 core):")
print()
print("| input | cores | logbox events/s | tantivy events/s | ratio | tantivy --parsed events/s | ratio |")
print("|---|---:|---:|---:|---:|---:|---:|")
for corpus in corpora:
    for input in inputs:
        for cores in (1, 2):
            logbox = rows.get((corpus, input, "logbox", cores))
            plain = rows.get((corpus, input, "tantivy", cores))
            parsed = rows.get((corpus, input, "tantivy --parsed", cores))
            if plain is None and parsed is None:
                continue
            mine = logbox["events_per_s"] if logbox else None
            def ratio(other):
                return f"{mine / other['events_per_s']:.2f}" if mine and other and other["events_per_s"] else "n/a"
            print(f"| {input} ({corpus.upper()}) | {cores} | {number(mine, 0) if mine else 'n/a'} "
                  f"| {number(plain['events_per_s'], 0) if plain else '–'} | {ratio(plain)} "
                  f"| {number(parsed['events_per_s'], 0) if parsed else '–'} | {ratio(parsed)} |")

def verdict(value, goal, text, digits):
    if value is None:
        return f"n/a (no logbox row) for {text}"
    return f"{'hit' if goal(value) else 'miss'} {text}: {value:,.{digits}f}"

print()
print("Targets (reported, never a failure):")
print()
for corpus in corpora:
    auth = rows.get((corpus, "auth.log", "logbox", 1))
    tantivy = rows.get((corpus, "auth.log", "tantivy", 1))
    everything = rows.get((corpus, "all five", "logbox", 1)) or rows.get((corpus, "all five", "logbox", 2))
    speed = auth["events_per_s"] if auth else None
    ratio = speed / tantivy["events_per_s"] if speed and tantivy and tantivy["events_per_s"] else None
    print(f"- {corpus.upper()}, " + verdict(speed, lambda v: v >= 250_000, "≥ 250k events/s on auth.log, 1 core", 0))
    print(f"- {corpus.upper()}, " + verdict(ratio, lambda v: v >= 1.5, "≥ 1.5 × tantivy 1 thread on auth.log, 1 core", 2))
    print(f"- {corpus.upper()}, " + verdict(everything["ratio"] if everything else None, lambda v: v <= 0.30, "on-disk ≤ 0.30 × raw, all five files, as imported", 3))
    compacted = rows.get((corpus, "all five", "logbox index compact", 2))
    print(f"- {corpus.upper()}, " + verdict(compacted["ratio"] if compacted else None, lambda v: v <= 0.30, "on-disk ≤ 0.30 × raw, all five files, after `logbox index compact`", 3))
EOF
log "Raw runs: $runs"
