#!/usr/bin/env python3
"""Start-up side by side (bench/startup.sh): the Python baseline, plain `java -jar`, and the image's
AOT start (`java @jvm.options -jar scheduler-jobs.jar` on Java 25, in target/), each running the
quota-reset job once against the same stand-in API on 127.0.0.1 (bench/standin.py).

The rows run interleaved, one run of each per round, so that other load on the machine hits them
alike; the first round is discarded (file cache). Wall time runs from just before the process is
spawned to its exit (or, for a row with a readiness probe, to the first answer of that probe); peak
RSS is the child's ru_maxrss. Printed as medians (min-max) and as ratios to the Python baseline.
Prints figures, asserts nothing.

A row is a dict (see rows()): name, argv, cwd, env, and optionally `ready`, a URL; such a row
(e.g. a `--serve` mode) is timed until that URL first answers 200, then stopped with SIGTERM.

--variant NAME='OPTIONS' adds a row: the AOT start with OPTIONS added to jvm.options (`!OPTION`
removes one), in a folder of its own (bench/target/variants/NAME) whose cache is made by the same
training run with the same options. One change at a time, measured against the AOT start in the same
run: e.g. --variant c2='!-XX:TieredStopAtLevel=1' --variant no-autowire=-Dcamel.main.autowiredEnabled=false
"""
import argparse
import datetime
import os
import pathlib
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

BENCH = pathlib.Path(__file__).resolve().parent
ROOT = BENCH.parent
TARGET = ROOT / "target"
sys.path.insert(0, str(BENCH))
from bench import MAPPINGS, StandIn, machine  # noqa: E402  (the cold-run benchmark's stand-in server)

JOB = "quota-reset"
# the environment of every row: nothing from this shell but PATH and HOME
KEEP = ("PATH", "HOME", "LANG", "TMPDIR")


def java_version(java):
    out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr.splitlines()
    return out[1] if len(out) > 1 else out[0]


SERVE_PORTS = []


def serve_env(api):
    """The pack's scheduled HTTP jobs on in-memory Quartz (no database), on two free ports chosen once.
    Not quota-cleanup: its BigQuery client needs Google credentials at start, which the bench has not."""
    if not SERVE_PORTS:
        for _ in range(2):
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                SERVE_PORTS.append(s.getsockname()[1])
    return {"ENVIRONMENT": "local", "CA_API_URL": api, "CA_ROOT_API_KEY": "bench-key", "LOG_FORMAT": "json",
            "SERVE_AUTH": "none", "SERVE_JOBS": "billing-retry,stale-cleanup,quota-reset,reconcile,alerts,quota-monthly", "PORT": str(SERVE_PORTS[0]), "MANAGEMENT_PORT": str(SERVE_PORTS[1]),
            "STATE_DIR": str(BENCH / "target" / "serve-state")}


def rows(args, api):
    # STATE_DIR that cannot be created: as the image runs a job without STATE_DB_URL (its /app is
    # read-only), so no embedded run-state store (one WARN line)
    job_env = {"JOB_ID": JOB, "ENVIRONMENT": "local", "CA_API_URL": api, "CA_ROOT_API_KEY": "bench-key",
               "LOG_FORMAT": "json", "STATE_DIR": "/proc/self/no-run-state"}
    listed = [
        {"name": "Python `requests` script", "key": "python", "shown": "python3 bench/baseline.py",
         "argv": [sys.executable, str(BENCH / "baseline.py")], "cwd": ROOT, "env": job_env},
        {"name": f"plain `java -jar` (Java {args.plain_major})", "key": "plain",
         "shown": "java -jar scheduler-jobs.jar",
         "argv": [args.plain_java, "-jar", "scheduler-jobs.jar"], "cwd": TARGET, "env": job_env},
        {"name": f"AOT start (Java {args.aot_major})", "key": "aot",
         "shown": "java @jvm.options -jar scheduler-jobs.jar",
         "argv": [args.java25, "@jvm.options", "-jar", "scheduler-jobs.jar"], "cwd": TARGET, "env": job_env},
        # service mode: timed until its readiness URL first answers 200, then stopped with SIGTERM
        {"name": f"`--serve` until ready (Java {args.aot_major}, same cache)", "key": "serve",
         "shown": "java @jvm.options -jar scheduler-jobs.jar --serve",
         "argv": [args.java25, "@jvm.options", "-jar", "scheduler-jobs.jar", "--serve"], "cwd": TARGET,
         "env": serve_env(api), "ready": f"http://127.0.0.1:{serve_env(api)['MANAGEMENT_PORT']}/observe/health/ready"},
    ]
    for name, folder in args.variants:
        listed.append({"name": f"AOT start + {name}", "key": name, "shown": f"java @jvm.options -jar ... ({name})",
                       "argv": [args.java25, "@jvm.options", "-jar", "scheduler-jobs.jar"], "cwd": folder,
                       "env": job_env})
    return [r for r in listed if r["key"] in args.rows or r["key"] in dict(args.variants)]


def prepare_variant(name, options, java25):
    """bench/target/variants/NAME: the jar, lib/ (hard links), jvm.options with OPTIONS, its own cache."""
    folder = BENCH / "target" / "variants" / name
    subprocess.run(["rm", "-rf", str(folder)], check=True)
    folder.mkdir(parents=True)
    subprocess.run(["cp", "-al", str(TARGET / "lib"), str(folder / "lib")], check=True)
    subprocess.run(["cp", "-p", str(TARGET / "scheduler-jobs.jar"), str(folder)], check=True)
    lines = (TARGET / "jvm.options").read_text().splitlines()
    for option in options.split():
        if option.startswith("!"):
            before = len(lines)
            lines = [l for l in lines if l.split("#")[0].strip() != option[1:]]
            if len(lines) == before:
                sys.exit(f"variant {name}: jvm.options has no line {option[1:]}")
        else:
            lines.append(option)
    (folder / "jvm.options").write_text("\n".join(lines) + "\n")
    training = subprocess.run([java25, "-Daot.training.anyLogFormat=true", "-cp", str(TARGET / "test-classes"), "ai.cloudact.jobs.aot.AotTraining",
                               str(folder)], capture_output=True, text=True)
    (folder / "training.log").write_text(training.stdout + training.stderr)
    if training.returncode:
        sys.exit(f"variant {name}: training failed, see {folder}/training.log")
    return folder


def run_once(row, log):
    env = {k: v for k, v in os.environ.items() if k in KEEP}
    env.update(row["env"])
    with open(log, "w") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(row["argv"], cwd=row["cwd"], env=env, stdout=out, stderr=subprocess.STDOUT)
        ready_at = None
        deadline = t0 + 120
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            now = time.perf_counter()
            if row.get("ready") and ready_at is None and probe(row["ready"]):
                ready_at = time.perf_counter()
                proc.terminate()
            if now > deadline:
                proc.kill()
            time.sleep(0.002 if not row.get("ready") else 0.01)
        wall = (ready_at or time.perf_counter()) - t0
    code = os.waitstatus_to_exitcode(status)
    ok = ready_at is not None if row.get("ready") else code == 0
    return {"wall": wall, "rss": usage.ru_maxrss / 1024, "cpu": usage.ru_utime + usage.ru_stime, "ok": ok,
            "code": code}


def probe(url):
    try:
        with urllib.request.urlopen(url, timeout=0.5) as answer:
            return answer.status == 200
    except OSError:
        return False


def mmm(values, fmt="{:.2f}"):
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}-{fmt.format(max(values))})"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", 11)),
                   help="measured rounds (default 11), after 1 discarded")
    p.add_argument("--rows", default="python,plain,aot,serve", help="which rows (default python,plain,aot,serve)")
    p.add_argument("--java25", required=True, help="the Java 25 java of the AOT start (it trained target/app.aot)")
    p.add_argument("--plain-java", default="java", help="the java of the plain row (default: java on PATH)")
    p.add_argument("--variant", action="append", default=[], metavar="NAME=OPTIONS",
                   help="one more row: the AOT start with OPTIONS added to jvm.options (!OPTION removes one)")
    p.add_argument("--variant-dir", action="append", default=[], metavar="NAME=FOLDER",
                   help="one more row: the AOT start in FOLDER as it is (jar, lib/, jvm.options, app.aot), "
                        "e.g. another build for an A/B of a pom change")
    p.add_argument("--out", default=str(BENCH / "target" / "startup.md"))
    args = p.parse_args()
    args.rows = args.rows.split(",")
    args.plain_java = subprocess.run(["bash", "-c", f"command -v {args.plain_java}"], capture_output=True,
                                     text=True).stdout.strip() or args.plain_java
    args.plain_major = java_version(args.plain_java).split("(build ")[-1].split(".")[0].split("+")[0]
    args.aot_major = java_version(args.java25).split("(build ")[-1].split(".")[0].split("+")[0]
    args.variants = []
    args.variant_specs = [spec.partition("=")[::2] for spec in args.variant]
    for spec in args.variant:
        name, _, options = spec.partition("=")
        args.variants.append((name, prepare_variant(name, options, args.java25)))
    for spec in args.variant_dir:
        name, _, folder = spec.partition("=")
        args.variants.append((name, pathlib.Path(folder).resolve()))
        args.variant_specs.append((name, f"(folder {folder})"))
    logs = BENCH / "target" / "logs"
    logs.mkdir(parents=True, exist_ok=True)

    report = []

    def out(line=""):
        print(line, flush=True)
        report.append(line)

    with StandIn() as server:
        table = rows(args, server.url)
        results = {r["key"]: [] for r in table}
        load = []
        for round_ in range(args.runs + 1):
            for row in table:
                r = run_once(row, logs / f"startup-{row['key']}-{round_}.log")
                if not r["ok"]:
                    print(f"  !! {row['name']} run {round_} exited {r['code']}: see "
                          f"bench/target/logs/startup-{row['key']}-{round_}.log", flush=True)
                if round_:
                    results[row["key"]].append(r)
            if round_:
                load.append(os.getloadavg()[0])

    out("# Start-up side by side\n")
    out(f"- machine: {machine()}")
    out(f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; load average during the runs "
        f"{min(load):.1f}-{max(load):.1f}")
    out(f"- job: {JOB} (one HTTP POST to the stand-in on 127.0.0.1, JSON log lines), {args.runs} rounds after 1 "
        "discarded, rows interleaved; median (min-max)")
    out(f"- Python {platform.python_version()}, requests; plain java: {java_version(args.plain_java)}; "
        f"AOT java: {java_version(args.java25)}\n")
    base = results.get("python")
    base_wall = statistics.median(r["wall"] for r in base) if base else None
    base_rss = statistics.median(r["rss"] for r in base) if base else None
    out("| start | command | wall s | × Python | peak RSS MiB | × Python | CPU s | failed runs |")
    out("|---|---|---|---|---|---|---|---|")
    for row in table:
        rs = results[row["key"]]
        wall = statistics.median(r["wall"] for r in rs)
        rss = statistics.median(r["rss"] for r in rs)
        ratio_wall = f"{wall / base_wall:.2f} ({min(r['wall'] for r in rs) / base_wall:.2f}-" \
                     f"{max(r['wall'] for r in rs) / base_wall:.2f})" if base_wall else "-"
        ratio_rss = f"{rss / base_rss:.2f}" if base_rss else "-"
        shown = row["shown"] if row["key"] not in dict(args.variants) else \
            " ".join(dict(args.variant_specs)[row["key"]].split())
        out(f"| {row['name']} | `{shown}` | {mmm([r['wall'] for r in rs])} | {ratio_wall} | "
            f"{mmm([r['rss'] for r in rs], '{:.0f}')} | {ratio_rss} | {mmm([r['cpu'] for r in rs])} | "
            f"{sum(not r['ok'] for r in rs)} |")
    if base_wall and "aot" in results:
        rs = results["aot"]
        wall = statistics.median(r["wall"] for r in rs) / base_wall
        rss = statistics.median(r["rss"] for r in rs)
        out(f"\nTargets: AOT start ≤ 2.0 × the Python wall time: **{wall:.2f} ×, "
            f"{'met' if wall <= 2.0 else 'missed'}**; peak RSS ≤ 96 MiB: **{rss:.0f} MiB, "
            f"{'met' if rss <= 96 else 'missed'}**. (× Python in brackets: each run's wall time over the "
            "Python median, the spread of one run to the next.)")
    if "serve" in results:
        ready = statistics.median(r["wall"] for r in results["serve"])
        out(f"\nTarget: `--serve` ready (health ready answers 200) ≤ 1.5 s: **{ready:.2f} s, "
            f"{'met' if ready <= 1.5 else 'missed'}**.")
    pathlib.Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    pathlib.Path(args.out).write_text("\n".join(report) + "\n")
    print(f"\n(written to {os.path.relpath(args.out, ROOT)}; each run's output in bench/target/logs/startup-*.log)")


if __name__ == "__main__":
    main()
