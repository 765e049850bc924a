#!/usr/bin/env python3
"""The query benchmark: Logbox against ripgrep, grep and SQLite FTS5 on the same generated logs.

    Benchmarks/query/run-query.sh [--lines N] [--no-build] > query-report.md

Steps (each skipped when its output already exists in the corpus folder):
  1. gen_logs.py --lines N --seed 1 into Benchmarks/.corpus-query-<N> (default 10,000,000 lines, ~2 GB);
  2. `logbox import` of the five files into <corpus>/logbox-data (release build);
  3. baselines.py --engine sqlite into <corpus>/sqlite (one FTS5 table over the raw lines).
Then, for each query of queries.tsv, in the same run and with the files in the page cache:
  - in process: QueryBench (Benchmarks/Sources/QueryBench) opens the store once and times the
    query REPS times: `count` for a filter, the whole result table for a query with pipes;
  - whole command: `logbox query Q --all --count` (pipes: `--format json > /dev/null`) REPS times,
    process start and store open included;
  - ripgrep and grep (LC_ALL=C, grep -E with the same pattern) over the raw files, CMD_REPS times;
  - SQLite FTS5 `SELECT count(*) FROM logs WHERE logs MATCH ...` in process, REPS times.
Every time column is the median (p50) of its runs; the in-process column also gives p99. Ratios
are ripgrep's median over Logbox's. Progress goes to stderr, the markdown report to stdout.
"""

import json
import os
import shutil
import shlex
import sqlite3
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
REPO = os.path.dirname(BENCH)
FILES = ["auth.log", "syslog5424.log", "nginx_access.log", "app.jsonl", "app.logfmt"]
REPS = int(os.environ.get("REPS", "21"))
CMD_REPS = int(os.environ.get("CMD_REPS", "5"))


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def run(command, **kwargs):
    return subprocess.run(command, check=True, **kwargs)


def timed(command, reps, shell=False):
    """Runs a command reps times; returns (median ms, stdout of the last run)."""
    times = []
    out = b""
    for _ in range(reps):
        start = time.perf_counter()
        result = subprocess.run(command, shell=shell, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                executable="/bin/bash" if shell else None, env={**os.environ, "LC_ALL": "C"})
        times.append((time.perf_counter() - start) * 1000)
        out = result.stdout
    return statistics.median(times), out


def line_count(output):
    """Sums `file:count` (or bare count) lines of rg -c / grep -c."""
    total = 0
    for line in output.decode("utf-8", "replace").splitlines():
        total += int(line.rsplit(":", 1)[-1])
    return total


def main():
    args = sys.argv[1:]
    lines = 10_000_000
    build = True
    while args:
        arg = args.pop(0)
        if arg == "--lines":
            lines = int(args.pop(0))
        elif arg == "--no-build":
            build = False
        else:
            sys.exit(f"run-query: unknown argument {arg}")
    corpus = os.path.join(BENCH, f".corpus-query-{lines // 1_000_000}m" if lines >= 1_000_000 else f".corpus-query-{lines}")
    generator = os.environ.get("LOGBOX_CORPUS_GENERATOR", os.path.join(REPO, "..", "shared", "corpus", "gen_logs.py"))
    if not os.path.exists(os.path.join(corpus, "truth.json")):
        log(f"Generating {lines} lines into {corpus}")
        run(["python3", generator, "--out", corpus, "--lines", str(lines), "--seed", "1", "--quiet"])
    paths = [os.path.join(corpus, name) for name in FILES]
    raw_bytes = sum(os.path.getsize(p) for p in paths)

    logbox = os.environ.get("LOGBOX", os.path.join(REPO, ".build", "release", "logbox"))
    if build:
        log("Building logbox and QueryBench in release")
        run(["swift", "build", "-c", "release", "--product", "logbox"], cwd=REPO, stdout=sys.stderr)
        run(["swift", "build", "-c", "release", "--product", "QueryBench"], cwd=BENCH, stdout=sys.stderr)
    bench = os.path.join(BENCH, ".build", "release", "QueryBench")

    data = os.path.join(corpus, "logbox-data")
    if not os.path.exists(os.path.join(corpus, "logbox-data.done")):
        # From scratch: a store left by an interrupted run (or an older build) would be resumed,
        # its segments kept as they were written. Delete logbox-data.done to re-import.
        shutil.rmtree(data, ignore_errors=True)
        log("Importing into", data)
        start = time.perf_counter()
        run([logbox, "import", "--data-dir", data, *paths], stdout=sys.stderr)
        log(f"  import: {time.perf_counter() - start:.1f} s")
        open(os.path.join(corpus, "logbox-data.done"), "w").close()
    sqlite_dir = os.path.join(corpus, "sqlite")
    if not os.path.exists(os.path.join(corpus, "sqlite.done")):
        log("Building the SQLite FTS5 index in", sqlite_dir)
        run(["python3", os.path.join(BENCH, "store", "baselines.py"), "--engine", "sqlite", "--input", *paths,
             "--out", sqlite_dir], stdout=sys.stderr)
        open(os.path.join(corpus, "sqlite.done"), "w").close()
    sqlite_db = [os.path.join(sqlite_dir, f) for f in os.listdir(sqlite_dir) if f.endswith((".db", ".sqlite"))][0]

    queries = []
    with open(os.path.join(HERE, "queries.tsv"), encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#") or not line.strip():
                continue
            name, query, baseline, fts = line.rstrip("\n").split("\t")
            queries.append((name, query, baseline, fts))

    # Warm the page cache for both sides.
    for p in paths:
        run(["cat", p], stdout=subprocess.DEVNULL)

    log("In process: QueryBench")
    list_file = os.path.join(corpus, "queries.list")
    with open(list_file, "w", encoding="utf-8") as handle:
        for name, query, _, _ in queries:
            handle.write(f"{name}\t{query}\n")
    inproc = {}
    out = subprocess.run([bench, data, list_file, "--reps", str(REPS)], check=True, stdout=subprocess.PIPE).stdout
    for line in out.decode().splitlines():
        row = json.loads(line)
        inproc[row["name"]] = row
    opened = inproc.get("_open", {})

    connection = sqlite3.connect(sqlite_db)
    rows = []
    for name, query, baseline, fts in queries:
        log("Query:", name)
        env_files = " ".join(shlex.quote(p) for p in paths)
        result = inproc.get(name, {})
        is_pipe = "|" in query
        if is_pipe:
            command = f"{shlex.quote(logbox)} query {shlex.quote(query)} --all --format json --data-dir {shlex.quote(data)} > /dev/null"
        else:
            command = f"{shlex.quote(logbox)} query {shlex.quote(query)} --all --count --data-dir {shlex.quote(data)}"
        command_ms, command_out = timed(command, max(5, REPS // 2), shell=True)
        command_count = command_out.decode().strip() if not is_pipe else ""
        rg_ms = grep_ms = None
        rg_count = None
        if baseline != "-":
            expanded = baseline.replace("$FILES", env_files).replace("$CORPUS", shlex.quote(corpus))
            rg_ms, rg_out = timed(expanded, CMD_REPS, shell=True)
            rg_count = line_count(rg_out) if expanded.startswith("rg -c") else None
            if expanded.startswith("rg -c"):
                grep_cmd = "grep -E -c" + expanded[len("rg -c"):]
                grep_ms, _ = timed(grep_cmd, max(1, CMD_REPS // 2), shell=True)
        fts_ms = None
        fts_count = None
        if fts != "-":
            times = []
            for _ in range(max(3, REPS // 4)):
                start = time.perf_counter()
                fts_count = connection.execute("SELECT count(*) FROM logs WHERE logs MATCH ?", (fts,)).fetchone()[0]
                times.append((time.perf_counter() - start) * 1000)
            fts_ms = statistics.median(times)
        rows.append(dict(name=name, query=query, inproc=result, command_ms=command_ms, command_count=command_count,
                         rg_ms=rg_ms, rg_count=rg_count, grep_ms=grep_ms, fts_ms=fts_ms, fts_count=fts_count))

    def ms(value):
        return "–" if value is None else (f"{value:.2f}" if value < 10 else f"{value:.0f}")

    def ratio(a, b):
        return "–" if a is None or not b else f"{a / b:.0f}×"

    print(f"Corpus: {lines:,} lines, {raw_bytes / 1e9:.2f} GB raw, gen_logs.py --seed 1; store: "
          f"{opened.get('events', 0):,} events in {opened.get('segments', 0)} segments, snapshot opened in "
          f"{opened.get('ms', 0):.1f} ms. Files in the page cache. Medians of {REPS} runs in process, "
          f"{max(5, REPS // 2)} per command, {CMD_REPS} for ripgrep.\n")
    print("| query | Logbox matches | rg lines | Logbox in process p50 / p99 ms | `logbox query` command ms | "
          "ripgrep ms | grep ms | SQLite FTS5 ms | rg ÷ in process | rg ÷ command |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        inproc_row = row["inproc"]
        if "error" in inproc_row:
            in_text = "error: " + inproc_row["error"]
            p50 = None
        else:
            p50 = inproc_row.get("p50_ms")
            in_text = f"{ms(p50)} / {ms(inproc_row.get('p99_ms'))}"
        matches = inproc_row.get("matches", inproc_row.get("rows"))
        matches_text = "–" if matches is None else (f"{matches:,}" if "matches" in inproc_row else f"{matches} rows")
        print(f"| {row['name']} `{row['query']}` | {matches_text} | "
              f"{'–' if row['rg_count'] is None else format(row['rg_count'], ',')} | {in_text} | {ms(row['command_ms'])} | "
              f"{ms(row['rg_ms'])} | {ms(row['grep_ms'])} | {ms(row['fts_ms'])} | "
              f"{ratio(row['rg_ms'], p50)} | {ratio(row['rg_ms'], row['command_ms'])} |")


if __name__ == "__main__":
    main()
