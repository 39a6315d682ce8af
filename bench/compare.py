#!/usr/bin/python3
"""Second half of bench/run.sh: runs wsecho-bench as the load generator against wsecho-server (the same
pinning as the shared runner), then writes bench/RESULTS.md from the shared runner's results.json: one
table per scenario with wsecho, every peer, the uWebSockets reference numbers from the shared RESULTS.md,
and the ratio wsecho / peer.

    compare.py --peer-bench DIR --server PATH --bench PATH --out RESULTS.md [--quick] [--scenarios a,b,...]
"""
import argparse
import datetime
import json
import os
import platform
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

HOST = "127.0.0.1"
REPO = Path(__file__).resolve().parent.parent
# The shared runner's scenarios (run.py SCENARIOS), for wsecho-bench's own rows.
SCENARIOS = {
    "a": dict(title="32 B binary, 64 conns, pipeline 1", conns=64, size=32, text=False, pipeline=1),
    "b": dict(title="32 B binary, 64 conns, pipeline 16", conns=64, size=32, text=False, pipeline=16),
    "c": dict(title="16 KiB binary, 16 conns, pipeline 4", conns=16, size=16 << 10, text=False, pipeline=4),
    "d": dict(title="1 MiB binary, 4 conns, pipeline 1", conns=4, size=1 << 20, text=False, pipeline=1),
    "e": dict(title="idle connections held", idle=True),
    "t": dict(title="32 B text, 64 conns, pipeline 16", conns=64, size=32, text=True, pipeline=16),
}


def log(msg):
    print(f"compare.py: {msg}", file=sys.stderr, flush=True)


def cpu_seconds(pid):
    """utime + stime of a process, from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_listening(proc, timeout=20):
    """The port from wsecho-server's 'listening on http://127.0.0.1:PORT' line."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            raise RuntimeError(f"wsecho-server exited with {proc.wait()} before listening")
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        if m:
            return int(m.group(1))
    raise RuntimeError("wsecho-server did not report its port in time")


def run_self(key, sc, args):
    """wsecho-server on --server-cpu, wsecho-bench on --loadgen-cpu, one scenario; the bench's JSON report
    plus the CPU both used over the bench's whole run (warm-up included)."""
    server = subprocess.Popen(["taskset", "-c", str(args.server_cpu), args.server, "--listen", f"{HOST}:0",
                               "--threads", "1", "--log-level", "info"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        port = wait_listening(server)
        argv = ["taskset", "-c", str(args.loadgen_cpu), args.bench, "--url", f"ws://{HOST}:{port}/socket",
                "--connections", str(sc["conns"]), "--size", str(sc["size"]), "--pipeline", str(sc["pipeline"]),
                "--text" if sc["text"] else "--binary", "--duration", f"{args.duration}s",
                "--warmup", f"{args.warmup}s", "--json"]
        server_cpu0, children0, t0 = cpu_seconds(server.pid), resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=60 + args.warmup + args.duration)
        wall = time.monotonic() - t0
        server_cpu = cpu_seconds(server.pid) - server_cpu0
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        lines = p.stdout.strip().splitlines()
        if not lines:
            return {"ok": False, "note": f"wsecho-bench gave no report (exit {p.returncode}): {p.stderr.strip()[-300:]}"}
        res = json.loads(lines[-1])
        res["ok"] = p.returncode == 0
        res["server_cpu_pct"] = 100 * server_cpu / wall
        res["bench_cpu_pct"] = 100 * ((children.ru_utime - children0.ru_utime) + (children.ru_stime - children0.ru_stime)) / wall
        res["bench_user_pct"] = 100 * (children.ru_utime - children0.ru_utime) / wall
        if p.returncode != 0:
            res["note"] = res.get("first_error") or p.stderr.strip()[-300:]
        return res
    finally:
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def uws_reference(shared_results):
    """The uWebSockets rows (marked †) of the shared RESULTS.md: scenario -> msg/s or KiB/conn."""
    ref = {}
    if not shared_results.is_file():
        return ref
    for line in shared_results.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) > 3 and cells[1].startswith("uWS") and len(cells[0]) == 1:  # throughput: | a | uWS † | 187,877 (...) |
            ref[cells[0]] = dict(msgs_per_s=number(cells[2]), mb_per_s=number(cells[3]), p50=number(cells[4]),
                                 p99=number(cells[5]), p999=number(cells[6]))
        elif len(cells) > 4 and cells[0].startswith("uWS"):  # idle: | uWS † | 5000/5000 | 3.8 | 5.1 | 0.3 | ...
            ref["e"] = dict(kib_per_conn=number(cells[4]), rss_held_mib=number(cells[3]))
    return ref


def number(text):
    m = re.match(r"[\d,]+(\.\d+)?", text.replace(" ", ""))
    return float(m.group(0).replace(",", "")) if m else None


def fmt(v, digits=0):
    return "–" if v is None else f"{v:,.{digits}f}"


def ratio(mine, theirs):
    return "–" if not mine or not theirs else f"{mine / theirs:.2f}"


def machine_lines(args):
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    commit = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"], capture_output=True,
                            text=True).stdout.strip() or "?"
    return [
        f"- Date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}; "
        f"wsecho commit `{commit}` (release preset, RelWithDebInfo).",
        f"- Machine: `nproc` {os.cpu_count()}, CPU `{model}`, kernel {platform.release()}.",
        f"- Server pinned to CPU {args.server_cpu}, load generator to CPU {args.loadgen_cpu} (`taskset`); "
        f"{args.runs_note}.",
    ]


THROUGHPUT_COLUMNS = ("server", "msg/s", "MB/s", "p50 µs", "p99 µs", "p99.9 µs", "errors", "server CPU %",
                      "loadgen CPU % (user)", "other %", "wsecho ÷ server")
IDLE_COLUMNS = ("server", "held", "RSS before MiB", "RSS held MiB", "KiB / conn", "setup s", "errors",
                "wsecho ÷ server (KiB/conn, lower is leaner)")


def servers_table(heading, columns, key, names, results, measured, row):
    """A scenario's `### heading` table from the shared runner's results: row(name, result) for each server
    whose result has the `measured` field, a `failed` row with the runner's note (padded to the width of
    `columns`) for the others."""
    lines = [f"### {heading}", "", "| " + " | ".join(columns) + " |", "|---|" + "---:|" * (len(columns) - 1)]
    for name in names:
        r = results.get(f"{key}/{name}", {})
        if measured in r:
            lines.append(row(name, r))
        else:
            lines.append(f"| {name} | failed: {r.get('note', 'not run')} |" + " |" * (len(columns) - 2))
    return lines


def throughput_table(key, sc, names, results, uws, mine):
    def row(name, r):
        lat = r.get("lat_us", {})
        return (f"| {name} | {fmt(r['msgs_per_s'])} | {fmt(r.get('mb_per_s'), 1)} | {fmt(lat.get('p50'))} | "
                f"{fmt(lat.get('p99'))} | {fmt(lat.get('p999'))} | {r.get('errors')} | "
                f"{fmt(r.get('server_cpu_pct'))} | {fmt(r.get('loadgen_cpu_pct'))} "
                f"({fmt(r.get('loadgen_user_pct'))}) | {fmt(max(0.0, r.get('other_cpu_pct', 0.0)))} | "
                f"{ratio(mine, r['msgs_per_s'])} |")

    lines = servers_table(f"{key}: {sc['title']}", THROUGHPUT_COLUMNS, key, names, results, "msgs_per_s", row)
    if key in uws:
        u = uws[key]
        lines.append(f"| uWS † (reference) | {fmt(u['msgs_per_s'])} | {fmt(u['mb_per_s'], 1)} | {fmt(u['p50'])} | "
                     f"{fmt(u['p99'])} | {fmt(u['p999'])} | – | – | – | – | {ratio(mine, u['msgs_per_s'])} |")
    return lines + [""]


def idle_table(names, results, uws, mine):
    def row(name, r):
        return (f"| {name} | {r['held']}/{r['conns']} | {fmt(r['rss_before_kib'] / 1024, 1)} | "
                f"{fmt(r['rss_held_kib'] / 1024, 1)} | {fmt(r.get('kib_per_conn'), 1)} | {r['setup_s']:.2f} | "
                f"{r['errors']} | {ratio(mine, r.get('kib_per_conn'))} |")

    lines = servers_table("e: idle connections", IDLE_COLUMNS, "e", names, results, "held", row)
    if "e" in uws:
        lines.append(f"| uWS † (reference, 5000 conns) | – | – | {fmt(uws['e']['rss_held_mib'], 1)} | "
                     f"{fmt(uws['e']['kib_per_conn'], 1)} | – | – | {ratio(mine, uws['e']['kib_per_conn'])} |")
    return lines + [""]


def self_table(keys, results, own):
    lines = ["## wsecho-bench as the load generator", "",
             "The same scenarios with `wsecho-bench` instead of the shared `loadgen`, against wsecho-server "
             "(same pinning, same window and warm-up), next to loadgen's wsecho row above. CPU % here is over "
             "wsecho-bench's whole run (connect and warm-up included). Where wsecho-bench's CPU is near 100 % "
             "it, not the server, is the limit.", "",
             "| sc | loadgen msg/s | wsecho-bench msg/s | bench ÷ loadgen | p50 µs | p99 µs | p99.9 µs | errors "
             "| server CPU % | wsecho-bench CPU % (user) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for key in keys:
        r = own.get(key)
        if r is None:
            continue
        lg = results.get(f"{key}/wsecho", {}).get("msgs_per_s")
        if "measured" not in r:
            lines.append(f"| {key} | {fmt(lg)} | failed: {r.get('note')} | | | | | | | |")
            continue
        m, lat = r["measured"], r["latency_us"]
        lines.append(f"| {key} | {fmt(lg)} | {fmt(m['msgs_per_s'])} | {ratio(m['msgs_per_s'], lg)} | {fmt(lat['p50'])} | "
                     f"{fmt(lat['p99'])} | {fmt(lat['p999'])} | {r['errors']['total']} | {fmt(r['server_cpu_pct'])} | "
                     f"{fmt(r['bench_cpu_pct'])} ({fmt(r['bench_user_pct'])}) |")
    return lines + [""]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--peer-bench", required=True, type=Path, help="the copy of ../shared/bench that ran")
    ap.add_argument("--shared", required=True, type=Path, help="the shared bench (for its RESULTS.md)")
    ap.add_argument("--server", required=True)
    ap.add_argument("--bench", required=True)
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--scenarios", default="a,b,c,d,e")
    ap.add_argument("--servers", required=True, help="the servers the shared runner ran, wsecho first")
    ap.add_argument("--duration", type=float, default=10)
    ap.add_argument("--warmup", type=float, default=2)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-self", action="store_true", help="skip the wsecho-bench rows")
    ap.add_argument("--server-cpu", type=int, default=0)
    ap.add_argument("--loadgen-cpu", type=int, default=1)
    ap.add_argument("--command", default="bench/run.sh", help="how the run was started, for the header")
    ap.add_argument("--runs-note", default="one run per cell")
    args = ap.parse_args()
    if args.quick:
        args.duration, args.warmup = 2, 1

    runs = sorted((args.peer_bench / "results").glob("*/results.json"))
    if not runs:
        sys.exit("compare.py: no results.json under " + str(args.peer_bench / "results"))
    results = json.loads(runs[-1].read_text())
    keys = [k.strip() for k in args.scenarios.split(",")]
    names = [n.strip() for n in args.servers.split(",")]
    uws = uws_reference(args.shared / "RESULTS.md")

    own = {}
    if not args.no_self:
        for key in keys:
            if SCENARIOS[key].get("idle"):
                continue
            log(f"[{key}] wsecho-bench -> wsecho-server: {SCENARIOS[key]['title']}")
            own[key] = run_self(key, SCENARIOS[key], args)
            m = own[key].get("measured", {})
            log(f"  -> {m.get('msgs_per_s', 0):,.0f} msg/s, errors {own[key].get('errors', {}).get('total', '?')}")

    out = ["# wsecho benchmark results", ""]
    if args.quick:
        out += ["> **Quick smoke run — noisy, not for quoting.** 2 s windows after 1 s warm-up, 500 idle "
                "connections, one run per cell, and the machine was busy with other builds (see `other %`). "
                "It proves the harness works; the numbers that count come from `bench/run.sh` "
                "(full: 10 s windows, medians of 3) on a quiet machine.", ""]
    out += ["Written by `bench/run.sh` (see the README's Benchmarks section). `wsecho ÷ server` is wsecho's "
            "msg/s divided by that server's: above 1.00 wsecho is faster.", "", "## Machine and run", ""]
    out += machine_lines(args)
    out += [f"- Command: `{args.command}`; raw results: `{runs[-1].relative_to(REPO) if runs[-1].is_relative_to(REPO) else runs[-1]}`.", ""]
    out += ["## wsecho-server beside the peers (shared loadgen)", ""]
    for key in keys:
        sc = SCENARIOS[key]
        if sc.get("idle"):
            mine = results.get("e/wsecho", {}).get("kib_per_conn")
            out += idle_table(names, results, uws, mine)
        else:
            mine = results.get(f"{key}/wsecho", {}).get("msgs_per_s")
            out += throughput_table(key, sc, names, results, uws, mine)
    out += ["† uWebSockets cannot be built here (not in Debian, and its sources are not reachable from this "
            "machine). Its row is copied from the shared `RESULTS.md`, a full run on that file's own machine and "
            "date (where the generator, not uWS, was the limit: lower bounds), not measured in this run, so its "
            "ratio only says roughly how far apart the two are.", ""]
    if own:
        out += self_table([k for k in keys if k in own], results, own)
    args.out.write_text("\n".join(out))
    log(f"wrote {args.out}")
    bad = [k for k, r in own.items() if not r.get("ok")]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
