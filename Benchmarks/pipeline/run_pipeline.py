#!/usr/bin/env python3
"""The pipeline benchmark: `logbox run` end to end, on loopback, in one run (driven by run-pipeline.sh).

File -> queryable store: a pipeline with one `file` source over the five corpus files (start_at
beginning, parser auto) and the store sink, in a fresh data directory. The clock starts before the
daemon is spawned and stops when `logbox status` shows every line stored with nothing unflushed;
"queryable" stops when `logbox query '*' --all --count` (a separate process) returns the line count.
CPU seconds (utime + stime of the daemon) over the wall time show how many cores it used; peak RSS
is the daemon's VmHWM, read just before SIGTERM.

UDP syslog: udp_flood sends RATE x UDP_SECONDS RFC 3164 messages (~145 bytes) at RATE msg/s to
127.0.0.1:PORT, once to `logbox run` (a syslog_udp source, receive_buffer 8MiB, store sink) and once
to rsyslogd (imudp -> omfile, default queues and receive buffer), each in a fresh process on a fresh
port. Arrived, for logbox: the `stored` counter once `received` stopped moving and nothing is pending
(checked against `logbox query --count`); for rsyslog: the messages in its output file once the file
stopped growing and rsyslogd exited on SIGTERM. Loss % = (sent - arrived) / sent. Kernel drops are the
machine's UDP RcvbufErrors delta over the run (/proc/net/snmp). Rows are medians of the repetitions.
"""

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time

LOGBOX = os.environ["LOGBOX"]
SENDER = os.environ["SENDER"]
WORK = os.environ["WORK"]
CORPUS = os.environ["CORPUS"]
RESULTS = os.environ["RESULTS"]
RSYSLOGD = os.environ.get("RSYSLOGD", "/usr/sbin/rsyslogd")
FILE_REPS = int(os.environ.get("FILE_REPS", "3"))
UDP_REPS = int(os.environ.get("UDP_REPS", "5"))
RATES = [int(r) for r in os.environ.get("RATES", "50000 100000 200000").split()]
UDP_SECONDS = float(os.environ.get("UDP_SECONDS", "5"))
FILES = ["auth.log", "syslog5424.log", "nginx_access.log", "app.jsonl", "app.logfmt"]
MARKER = b"lbx="
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def free_udp_port():
    """A loopback UDP port nobody holds now (also free for TCP, in case a source opens both)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = udp.getsockname()[1]
            try:
                with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                    tcp.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue


def udp_bound(port):
    """Whether something listens on 127.0.0.1:port/udp (from /proc/net/udp)."""
    want = f"0100007F:{port:04X}"
    with open("/proc/net/udp") as table:
        return any(line.split()[1] == want for line in list(table)[1:])


def rcvbuf_errors():
    with open("/proc/net/snmp") as snmp:
        rows = [line.split() for line in snmp if line.startswith("Udp:")]
    return int(rows[1][rows[0].index("RcvbufErrors")])


def proc_status_kib(pid, key):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (OSError, IndexError, ValueError):
        return None


def skmem_rb(port):
    """The receive buffer the kernel granted the socket on port (ss's skmem rb), in bytes."""
    out = subprocess.run(["ss", "-uanm", f"sport = :{port}"], capture_output=True, text=True).stdout
    for part in out.replace("(", ",").replace(")", ",").split(","):
        if part.startswith("rb") and part[2:].isdigit():
            return int(part[2:])
    return None


def status(data_dir):
    result = subprocess.run([LOGBOX, "status", "--data-dir", data_dir, "--format", "json"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        return None
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError:
        return None


def totals(state):
    # Every key present even when the status lists no source yet (right after the start).
    sums = dict.fromkeys(("received", "parsed", "failed", "dropped", "stored", "pending", "truncated", "errors"), 0)
    for source in state["sources"]:
        for key in ("received", "parsed", "failed", "dropped", "stored", "pending", "truncated", "errors"):
            sums[key] = sums.get(key, 0) + (source.get(key) or 0)
    sums["unflushed"] = state["store"].get("unflushed") or 0
    sums["store_events"] = state["store"].get("events") or 0
    return sums


def query_count(data_dir):
    result = subprocess.run([LOGBOX, "query", "*", "--all", "--count", "--data-dir", data_dir],
                            capture_output=True, text=True)
    digits = "".join(ch for ch in result.stdout.strip().splitlines()[-1] if ch.isdigit()) if result.stdout.strip() else ""
    return int(digits) if digits else 0


def stop(process, name, grace=30):
    """SIGTERM, then SIGKILL when the process has not exited after grace seconds."""
    if process.poll() is not None:
        return process.returncode
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(grace)
    except subprocess.TimeoutExpired:
        log(f"  {name} ignored SIGTERM for {grace} s: SIGKILL")
        process.kill()
        return process.wait()


def start_logbox(config, name):
    errors = open(os.path.join(WORK, f"{name}.stderr"), "wb")
    return subprocess.Popen([LOGBOX, "run", "--config", config], stdin=subprocess.DEVNULL,
                            stdout=errors, stderr=errors)


def write_config(path, data_dir, sources):
    with open(path, "w") as config:
        config.write(f"data_dir: {data_dir}\nlog_level: warning\nsources:\n{sources}sinks:\n  - type: store\n")


# File -> queryable store ------------------------------------------------------------------------

def file_run(rep, lines, raw_bytes):
    """One daemon over the corpus in a fresh data directory, timed until every line is queryable."""
    name = f"file-{rep}"
    data = os.path.join(WORK, name)
    config = os.path.join(WORK, f"{name}.yaml")
    paths = "".join(f"      - {os.path.join(CORPUS, f)}\n" for f in FILES)
    write_config(config, data, f"  - name: corpus\n    type: file\n    paths:\n{paths}"
                               "    start_at: beginning\n    parser: auto\n")
    started = time.perf_counter()
    daemon = start_logbox(config, name)
    row = {"kind": "file", "rep": rep, "lines": lines, "raw_bytes": raw_bytes}
    try:
        stored_at = None
        last = None
        while time.perf_counter() - started < 300:
            if daemon.poll() is not None:
                raise RuntimeError(f"logbox run exited with {daemon.returncode}")
            state = status(data)
            if state:
                last = totals(state)
                if last["stored"] >= lines and last["unflushed"] == 0:
                    stored_at = time.perf_counter()
                    break
            # Each status call costs ~15 ms of CPU on the same two cores: poll slowly until near the end.
            time.sleep(0.05 if last and last["stored"] >= 0.9 * lines else 0.25)
        if stored_at is None:
            raise RuntimeError(f"not every line stored after 300 s: {last}")
        cpu = cpu_seconds(daemon.pid)
        count = 0
        queryable_at = None
        while time.perf_counter() - stored_at < 30:
            count = query_count(data)
            if count >= lines:
                queryable_at = time.perf_counter()
                break
            time.sleep(0.05)
        row.update(seconds_stored=stored_at - started,
                   seconds_queryable=(queryable_at - started) if queryable_at else None,
                   query_count=count, cpu_seconds=cpu, counters=last,
                   peak_rss_kib=proc_status_kib(daemon.pid, "VmHWM"))
    finally:
        row["exit"] = stop(daemon, "logbox run")
        subprocess.run(["rm", "-rf", data])
    return row


# UDP syslog ---------------------------------------------------------------------------------------

def send(port, rate, count):
    result = subprocess.run([SENDER, "127.0.0.1", str(port), str(rate), str(count)],
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def wait_bound(port, process, name, timeout=10):
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode} before listening")
        if udp_bound(port):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{name} is not listening on udp/{port} after {timeout} s")


def udp_logbox(rep, rate, count):
    name = f"udp-logbox-{rate}-{rep}"
    data = os.path.join(WORK, name)
    config = os.path.join(WORK, f"{name}.yaml")
    port = free_udp_port()
    write_config(config, data, f"  - name: udp\n    type: syslog_udp\n    listen: 127.0.0.1:{port}\n"
                               "    receive_buffer: 8MiB\n    max_message_size: 64KiB\n")
    daemon = start_logbox(config, name)
    row = {"kind": "udp", "receiver": "logbox", "rep": rep, "rate": rate, "count": count}
    try:
        wait_bound(port, daemon, "logbox run")
        while status(data) is None:
            time.sleep(0.05)
        row["rcvbuf"] = skmem_rb(port)
        kernel = rcvbuf_errors()
        row["sender"] = send(port, rate, count)
        sent_at = time.perf_counter()
        # Drained: received has not moved for 1 s and nothing is pending or unflushed.
        last, steady_since = None, time.perf_counter()
        while time.perf_counter() - sent_at < 60:
            state = status(data)
            if state:
                now = totals(state)
                if last is None or now["received"] != last["received"]:
                    steady_since = time.perf_counter()
                last = now
                if (time.perf_counter() - steady_since >= 1.0 and now["pending"] == 0
                        and now["unflushed"] == 0 and now["stored"] >= now["received"] - now["dropped"] - now["failed"]):
                    break
            time.sleep(0.1)
        row["kernel_drops"] = rcvbuf_errors() - kernel
        row["counters"] = last
        row["peak_rss_kib"] = proc_status_kib(daemon.pid, "VmHWM")
        row["query_count"] = query_count(data)
        row["arrived"] = row["query_count"]
    finally:
        row["exit"] = stop(daemon, "logbox run")
        subprocess.run(["rm", "-rf", data])
    return row


def marker_lines(path):
    try:
        with open(path, "rb") as output:
            return output.read().count(MARKER)
    except FileNotFoundError:
        return 0


def udp_rsyslog(rep, rate, count):
    name = f"udp-rsyslog-{rate}-{rep}"
    folder = os.path.join(WORK, name)
    os.makedirs(folder)
    port = free_udp_port()
    out = os.path.join(folder, "out.log")
    config = os.path.join(folder, "rsyslog.conf")
    with open(config, "w") as conf:
        conf.write(f'global(workDirectory="{folder}")\n'
                   'module(load="imudp")\n'
                   f'input(type="imudp" port="{port}" address="127.0.0.1")\n'
                   f'*.* action(type="omfile" file="{out}")\n')
    errors = open(os.path.join(folder, "stderr"), "wb")
    daemon = subprocess.Popen([RSYSLOGD, "-n", "-C", "-f", config, "-i", os.path.join(folder, "rsyslogd.pid")],
                              stdin=subprocess.DEVNULL, stdout=errors, stderr=errors)
    row = {"kind": "udp", "receiver": "rsyslog", "rep": rep, "rate": rate, "count": count}
    try:
        wait_bound(port, daemon, "rsyslogd")
        row["rcvbuf"] = skmem_rb(port)
        kernel = rcvbuf_errors()
        row["sender"] = send(port, rate, count)
        sent_at = time.perf_counter()
        last, steady_since = -1, time.perf_counter()
        while time.perf_counter() - sent_at < 60:
            now = marker_lines(out)
            if now != last:
                last, steady_since = now, time.perf_counter()
            elif time.perf_counter() - steady_since >= 1.0:
                break
            time.sleep(0.1)
        row["kernel_drops"] = rcvbuf_errors() - kernel
        row["peak_rss_kib"] = proc_status_kib(daemon.pid, "VmHWM")
    finally:
        row["exit"] = stop(daemon, "rsyslogd", grace=10)
    row["arrived"] = marker_lines(out)
    subprocess.run(["rm", "-rf", folder])
    return row


# Report -------------------------------------------------------------------------------------------

def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, digits=0, unit=""):
    if value is None:
        return "–"
    if digits == 0:
        return f"{value:,.0f}{unit}"
    return f"{value:,.{digits}f}{unit}"


def main():
    runs_path = os.path.join(RESULTS, "runs.jsonl")
    runs = []

    def keep(row):
        runs.append(row)
        with open(runs_path, "a") as out:
            out.write(json.dumps(row) + "\n")

    open(runs_path, "w").close()
    load_start = os.getloadavg()
    lines = 0
    raw_bytes = 0
    for f in FILES:
        with open(os.path.join(CORPUS, f), "rb") as handle:
            data = handle.read()
        raw_bytes += len(data)
        lines += data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)

    for rep in range(1, FILE_REPS + 1):
        log(f"[file -> store] repetition {rep} of {FILE_REPS}")
        row = file_run(rep, lines, raw_bytes)
        log(f"  {row['seconds_stored']:.2f} s to stored, queryable at {fmt(row['seconds_queryable'], 2)} s, "
            f"query count {row['query_count']:,}, peak RSS {row['peak_rss_kib'] / 1024:.0f} MB")
        keep(row)

    for rep in range(1, UDP_REPS + 1):
        for rate in RATES:
            count = int(rate * UDP_SECONDS)
            receivers = [udp_logbox, udp_rsyslog] if rep % 2 else [udp_rsyslog, udp_logbox]
            for receiver in receivers:
                row = receiver(rep, rate, count)
                log(f"[udp {rate:,}/s] repetition {rep} of {UDP_REPS}, {row['receiver']}: sent {row['sender']['sent']:,} "
                    f"at {row['sender']['rate']:,.0f}/s, arrived {row['arrived']:,} "
                    f"({100 * (count - row['arrived']) / count:.2f} % lost), kernel drops {row['kernel_drops']:,}"
                    + (f", counters {row['counters']}" if row.get("counters") else ""))
                keep(row)

    # File -> store table.
    files = [r for r in runs if r["kind"] == "file"]
    print(f"### File → queryable store (`logbox run`, one `file` source over the five files, parser auto)\n")
    print(f"Corpus: {CORPUS} ({lines:,} lines, {raw_bytes / 1e6:.1f} MB). Median of {len(files)} runs.\n")
    print("| events | MB | s to stored (status) | s to queryable (query --count) | events/s (stored) | events/s (queryable) "
          "| MB/s | CPU s | cores used | peak RSS MB | query count | targets |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    stored_s = median([r["seconds_stored"] for r in files])
    query_s = median([r["seconds_queryable"] for r in files])
    cpu = median([r["cpu_seconds"] for r in files])
    rss = median([r["peak_rss_kib"] for r in files])
    rss_max = max((r["peak_rss_kib"] or 0) for r in files) if files else None
    eps = lines / query_s if query_s else None
    counts = sorted({r["query_count"] for r in files})
    targets = []
    if eps is not None:
        targets.append(("hit" if eps >= 150_000 else "missed") + " ≥ 150k events/s")
    if rss is not None:
        targets.append(("hit" if rss / 1024 <= 200 else "missed") + " RSS ≤ 200 MB")
    print(f"| {lines:,} | {raw_bytes / 1e6:.1f} | {fmt(stored_s, 2)} | {fmt(query_s, 2)} | "
          f"{fmt(lines / stored_s if stored_s else None)} | {fmt(eps)} | {fmt(raw_bytes / 1e6 / query_s if query_s else None, 1)} | "
          f"{fmt(cpu, 1)} | {fmt(cpu / stored_s if cpu and stored_s else None, 2)} | {fmt(rss / 1024 if rss else None, 1)} "
          f"(max {fmt(rss_max / 1024 if rss_max else None, 1)}) | {', '.join(f'{c:,}' for c in counts)} | {', '.join(targets)} |")
    print()
    print("Seconds from spawning the daemon; CPU s = the daemon's utime + stime when every line was stored; "
          "cores used = CPU s ÷ s to stored.\n")

    # UDP table.
    print(f"### UDP syslog receive: logbox (syslog_udp, receive_buffer 8MiB) vs rsyslogd (imudp → omfile), "
          f"{UDP_SECONDS:g} s per rate\n")
    print(f"RFC 3164 messages of ~145 bytes from udp_flood.c to 127.0.0.1; median of {UDP_REPS} runs per cell.\n")
    print("| rate msg/s | sent | send rate to logbox | logbox arrived | logbox loss % | logbox `dropped` | "
          "logbox kernel drops | logbox rcvbuf | logbox peak RSS MB | send rate to rsyslog | rsyslog arrived | "
          "rsyslog loss % | rsyslog kernel drops | rsyslog rcvbuf | rsyslog peak RSS MB | targets |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for rate in RATES:
        lb = [r for r in runs if r["kind"] == "udp" and r["receiver"] == "logbox" and r["rate"] == rate]
        rs = [r for r in runs if r["kind"] == "udp" and r["receiver"] == "rsyslog" and r["rate"] == rate]
        count = int(rate * UDP_SECONDS)
        lb_arrived = median([r["arrived"] for r in lb])
        rs_arrived = median([r["arrived"] for r in rs])
        lb_loss = 100 * (count - lb_arrived) / count if lb_arrived is not None else None
        rs_loss = 100 * (count - rs_arrived) / count if rs_arrived is not None else None
        lb_rss = median([r["peak_rss_kib"] for r in lb])
        targets = []
        if lb_loss is not None:
            if rate <= 50_000:
                targets.append(("hit" if lb_loss == 0 else "missed") + " no loss")
            elif rs_loss is not None:
                targets.append(("hit" if lb_loss <= rs_loss else "missed") + " loss ≤ rsyslog's")
        if lb_rss is not None:
            targets.append(("hit" if lb_rss / 1024 <= 200 else "missed") + " RSS ≤ 200 MB")
        rs_rss = median([r["peak_rss_kib"] for r in rs])
        print(f"| {rate:,} | {count:,} | {fmt(median([r['sender']['rate'] for r in lb]))} | "
              f"{fmt(lb_arrived)} | {fmt(lb_loss, 2)} | {fmt(median([(r.get('counters') or {}).get('dropped') for r in lb]))} | "
              f"{fmt(median([r['kernel_drops'] for r in lb]))} | {fmt(median([r['rcvbuf'] for r in lb]))} | "
              f"{fmt(lb_rss / 1024 if lb_rss else None, 1)} | {fmt(median([r['sender']['rate'] for r in rs]))} | "
              f"{fmt(rs_arrived)} | {fmt(rs_loss, 2)} | {fmt(median([r['kernel_drops'] for r in rs]))} | "
              f"{fmt(median([r['rcvbuf'] for r in rs]))} | {fmt(rs_rss / 1024 if rs_rss else None, 1)} | {', '.join(targets)} |")
    print()
    print("Arrived: logbox = `logbox query '*' --all --count` after `received` stopped moving and nothing was pending; "
          "rsyslog = messages in its omfile output after it stopped growing and rsyslogd exited. "
          "Kernel drops = UDP RcvbufErrors (/proc/net/snmp) during the run; rcvbuf = the socket's receive "
          "buffer as the kernel granted it (ss skmem rb, bytes). Send rate: what udp_flood achieved "
          "(sent ÷ its own elapsed time); below the target rate when the receiver took the sender's CPU.\n")
    load_end = os.getloadavg()
    print(f"Load average (1 min) at start {load_start[0]:.2f}, at end {load_end[0]:.2f}; {os.cpu_count()} CPUs.")


if __name__ == "__main__":
    main()
