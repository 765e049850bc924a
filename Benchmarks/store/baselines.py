#!/usr/bin/env python3
"""Index log lines with SQLite FTS5 or tantivy and measure it: the baselines of the store benchmark.

    python3 baselines.py --engine sqlite|tantivy --input FILE... --out DIR [--threads 1|2] [--parsed] [--json]

Every physical line of every input becomes one document (an empty line too), in file order. Lines
are read as bytes and decoded with errors='replace': both sqlite3 and tantivy's bindings refuse the
lone surrogates that 'surrogateescape' would produce, so an invalid byte is stored as U+FFFD. The
default corpus (no --malformed-rate) is valid UTF-8, so nothing is replaced there. The trailing
"\\n" is dropped; a "\\r" before it is kept as data.

sqlite:  one FTS5 table `logs(line)`, default tokenizer (unicode61), content stored in the table
         (the stored events), inserts in transactions of 10,000 lines, journal_mode=WAL,
         synchronous=NORMAL. The connection is closed (which checkpoints and removes the WAL)
         before the clock stops. No 'optimize': the index is as FTS5's automerge leaves it.
tantivy: one text field `line`, stored, indexed with the "default" tokenizer and positions; the
         document store is tantivy's default (LZ4, 16 KB blocks). A writer with num_threads =
         --threads and a 100 MB heap shared by the threads (--heap-mb); one commit at the end, then
         wait_merging_threads(), both inside the timing, so the directory is final when measured.
  --parsed (tantivy only): a Python regex splits RFC 3164 and RFC 5424 lines into `host`,
         `program` (raw tokenizer, doc ids only) and `message` (default tokenizer, positions); other
         lines go whole into `message`. The raw line is kept in a stored, unindexed bytes field
         `line`, so the stored events are the same as without --parsed. The regex runs in the
         Python thread and is included in the time.

The time runs from before the first input is opened to after the index is closed and on disk; the
interpreter's start and the imports are outside it. On-disk bytes are the sizes of all files under
--out after that. Peak RSS is ru_maxrss of this process (KiB on Linux), tantivy's indexing threads
included. MB are 10^6 bytes of input, newlines included.
"""

import argparse
import json
import os
import re
import resource
import sqlite3
import sys
import time

BATCH_LINES = 10_000

# RFC 3164 as rsyslog writes it: "Nov  1 00:02:41 web-02 sshd[28022]: message".
RFC3164 = re.compile(r"[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d (\S+) ([^\s\[:]+)(?:\[[^\]]*\])?: ?(.*)", re.S)
# RFC 5424: "<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG"; SD stays in the message.
RFC5424 = re.compile(r"<\d{1,3}>1 \S+ (\S+) (\S+) \S+ \S+ (.*)", re.S)


def read_lines(paths):
    """Yields (raw bytes with its newline, decoded text without it) for every physical line."""
    for path in paths:
        with open(path, "rb", buffering=1 << 20) as handle:
            for raw in handle:
                text = raw.decode("utf-8", "replace")
                if text.endswith("\n"):
                    text = text[:-1]
                yield raw, text


def directory_bytes(root):
    """Sum of file sizes under root, and the same split by file extension."""
    total = 0
    by_kind = {}
    for folder, _, files in os.walk(root):
        for name in files:
            size = os.lstat(os.path.join(folder, name)).st_size
            total += size
            kind = os.path.splitext(name)[1] or name
            by_kind[kind] = by_kind.get(kind, 0) + size
    return total, by_kind


def index_sqlite(paths, out, threads):
    if threads != 1:
        raise SystemExit("baselines.py: sqlite indexes on one thread; --threads must be 1")
    database = os.path.join(out, "logs.sqlite")
    events = 0
    raw_bytes = 0
    started = time.perf_counter()
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("CREATE VIRTUAL TABLE logs USING fts5(line)")
    insert = "INSERT INTO logs(line) VALUES (?)"
    batch = []
    for raw, text in read_lines(paths):
        raw_bytes += len(raw)
        batch.append((text,))
        if len(batch) == BATCH_LINES:
            connection.execute("BEGIN")
            connection.executemany(insert, batch)
            connection.execute("COMMIT")
            events += len(batch)
            batch.clear()
    if batch:
        connection.execute("BEGIN")
        connection.executemany(insert, batch)
        connection.execute("COMMIT")
        events += len(batch)
    connection.close()
    seconds = time.perf_counter() - started

    # Outside the timing: which shadow table holds the bytes (logs_content = stored lines,
    # logs_data = the inverted index, logs_idx/docsize/config = small bookkeeping).
    tables = {}
    connection = sqlite3.connect(database)
    try:
        for name, size in connection.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"):
            tables[name] = size
    except sqlite3.DatabaseError:
        tables = {}
    connection.close()
    return events, raw_bytes, seconds, {"tables": tables, "sqlite": sqlite3.sqlite_version}


def index_tantivy(paths, out, threads, heap_mb, parsed):
    import tantivy

    builder = tantivy.SchemaBuilder()
    if parsed:
        builder.add_text_field("host", tokenizer_name="raw", index_option="basic")
        builder.add_text_field("program", tokenizer_name="raw", index_option="basic")
        builder.add_text_field("message", tokenizer_name="default", index_option="position")
        builder.add_bytes_field("line", stored=True, indexed=False)
    else:
        builder.add_text_field("line", stored=True, tokenizer_name="default", index_option="position")
    schema = builder.build()

    events = 0
    raw_bytes = 0
    started = time.perf_counter()
    index = tantivy.Index(schema, path=out, reuse=False)
    writer = index.writer(heap_size=heap_mb * 1_000_000, num_threads=threads)
    add = writer.add_document
    Document = tantivy.Document
    if parsed:
        match3164 = RFC3164.match
        match5424 = RFC5424.match
        for raw, text in read_lines(paths):
            raw_bytes += len(raw)
            document = Document()
            fields = match3164(text) or (match5424(text) if text.startswith("<") else None)
            if fields is not None:
                document.add_text("host", fields.group(1))
                document.add_text("program", fields.group(2))
                document.add_text("message", fields.group(3))
            else:
                document.add_text("message", text)
            document.add_bytes("line", raw[:-1] if raw.endswith(b"\n") else raw)
            add(document)
            events += 1
    else:
        for raw, text in read_lines(paths):
            raw_bytes += len(raw)
            document = Document()
            document.add_text("line", text)
            add(document)
            events += 1
    writer.commit()
    writer.wait_merging_threads()
    seconds = time.perf_counter() - started

    segments = None
    try:
        with open(os.path.join(out, "meta.json")) as handle:
            segments = len(json.load(handle).get("segments", []))
    except (OSError, ValueError):
        pass
    return events, raw_bytes, seconds, {"segments": segments, "tantivy": getattr(tantivy, "__version__", None)}


def main():
    parser = argparse.ArgumentParser(description="Index log lines with SQLite FTS5 or tantivy and measure it.")
    parser.add_argument("--engine", choices=("sqlite", "tantivy"), required=True)
    parser.add_argument("--input", nargs="+", required=True, metavar="FILE")
    parser.add_argument("--out", required=True, metavar="DIR", help="an empty or missing directory for the index")
    parser.add_argument("--threads", type=int, choices=(1, 2), default=1, help="tantivy indexing threads")
    parser.add_argument("--heap-mb", type=int, default=100, help="tantivy writer heap, shared by its threads")
    parser.add_argument("--parsed", action="store_true", help="tantivy: host/program/message fields")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    if args.parsed and args.engine != "tantivy":
        parser.error("--parsed applies to tantivy only")
    os.makedirs(args.out, exist_ok=True)
    if os.listdir(args.out):
        parser.error(f"{args.out} is not empty")

    if args.engine == "sqlite":
        events, raw_bytes, seconds, extra = index_sqlite(args.input, args.out, args.threads)
    else:
        events, raw_bytes, seconds, extra = index_tantivy(
            args.input, args.out, args.threads, args.heap_mb, args.parsed)
    disk_bytes, by_kind = directory_bytes(args.out)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    result = {
        "engine": args.engine,
        "parsed": args.parsed,
        "threads": args.threads,
        "inputs": [os.path.basename(path) for path in args.input],
        "events": events,
        "raw_bytes": raw_bytes,
        "seconds": seconds,
        "events_per_s": events / seconds if seconds > 0 else None,
        "mb_per_s": raw_bytes / 1e6 / seconds if seconds > 0 else None,
        "disk_bytes": disk_bytes,
        "ratio_to_raw": disk_bytes / raw_bytes if raw_bytes else None,
        "peak_rss_kib": peak_kib,
        "files_by_extension": by_kind,
        "decode_errors": "replace",
        "python": sys.version.split()[0],
    }
    result.update(extra)
    if args.json:
        print(json.dumps(result, sort_keys=True))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
