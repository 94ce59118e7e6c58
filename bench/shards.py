#!/usr/bin/env python3
"""org-sync-all over N parallel tasks, each its own process, all on this machine (bench/shards.sh).

For each N: starts the stand-in API (shards_standin.py: every answer after --delay-ms), then N job
processes at once (CLOUD_RUN_TASK_INDEX=i, CLOUD_RUN_TASK_COUNT=N, ORG_SYNC_CONCURRENCY per shard,
and waits for all of them.
Each task starts as the image starts it: Java 25, `java @jvm.options -jar scheduler-jobs.jar` in
target/ with the AOT cache of `mvn -Paot package`, in a 512 MiB container (-XX:MaxRAM=512m), and
without a run state store, as the image runs without STATE_DB_URL (deployed with one, the tasks share
one PostgreSQL: a few round trips each). Reports wall time (first spawn to last exit), the speed-up over N=1, CPU seconds (the jobs' user+sys
and the stand-in's), the peak RSS of each job process, and the stand-in's proof that every org was
synced exactly once. Asserts nothing.
"""
import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TARGET = os.path.join(ROOT, "target")


def task_command(java25):
    """The image's entrypoint (jvm.options holds the AOT cache and the JVM flags) in a 512 MiB container."""
    return [java25, "@jvm.options", "-XX:MaxRAM=512m", "-jar", "scheduler-jobs.jar"]


def run_fan_out(java25, orgs, shards, delay_ms, concurrency, logs):
    standin = subprocess.Popen([sys.executable, os.path.join(HERE, "shards_standin.py"), "--orgs", str(orgs),
                                "--delay-ms", str(delay_ms)], stdout=subprocess.PIPE, text=True)
    port = int(standin.stdout.readline())
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TZ")}
    base.update({"JOB_ID": "org-sync-all", "CA_API_URL": "http://127.0.0.1:%d" % port, "ORG_SYNC_CONCURRENCY": str(concurrency),
                 "LOG_FORMAT": "text", "NO_GCE_CHECK": "true"})
    procs = []
    start = time.monotonic()
    for i in range(shards):
        env = dict(base)
        if shards > 1:
            env.update({"CLOUD_RUN_TASK_INDEX": str(i), "CLOUD_RUN_TASK_COUNT": str(shards)})
        # as the image without STATE_DB_URL: its /app is read-only, so no embedded store (one WARN line)
        env["STATE_DIR"] = "/proc/self/no-run-state"
        log = open(os.path.join(logs, "n%d-orgs%d-task%d.log" % (shards, orgs, i)), "w")
        procs.append((subprocess.Popen(task_command(java25), env=env, stdout=log, stderr=subprocess.STDOUT, cwd=TARGET), log))
    results = []
    pending = {p.pid: (p, log) for p, log in procs}
    while pending:
        pid, status, usage = os.wait4(-1, 0)
        if pid in pending:
            p, log = pending.pop(pid)
            log.close()
            results.append((os.waitstatus_to_exitcode(status), usage))
    wall = time.monotonic() - start
    with urllib.request.urlopen("http://127.0.0.1:%d/_bench/stats" % port) as answer:
        stats = json.load(answer)
    standin.terminate()
    _, _, standin_usage = os.wait4(standin.pid, 0)
    return {
        "orgs": orgs, "shards": shards, "wall": wall,
        "exit_codes": sorted(set(code for code, _ in results)),
        "cpu_jobs": sum(u.ru_utime + u.ru_stime for _, u in results),
        "cpu_standin": standin_usage.ru_utime + standin_usage.ru_stime,
        "rss_max": max(u.ru_maxrss for _, u in results) / 1024.0,
        "rss_min": min(u.ru_maxrss for _, u in results) / 1024.0,
        "ideal": orgs * delay_ms / 1000.0 / (concurrency * shards),
        "stats": stats,
    }


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--shards", default="1,4,10", help="comma-separated N")
    p.add_argument("--orgs", type=int, default=10_000)
    p.add_argument("--memory-orgs", type=int, default=100_000, help="org count of the memory run (0: none)")
    p.add_argument("--memory-shards", type=int, default=10)
    p.add_argument("--delay-ms", type=float, default=100)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--java25", required=True, help="the Java 25 that made target/app.aot (bench/shards.sh finds it)")
    cfg = p.parse_args()
    logs = os.path.join(HERE, "target", "logs")
    os.makedirs(logs, exist_ok=True)

    def fan_out(orgs, n):
        return run_fan_out(cfg.java25, orgs, n, cfg.delay_ms, cfg.concurrency, logs)

    runs = [fan_out(cfg.orgs, int(n)) for n in cfg.shards.split(",")]
    memory = []
    if cfg.memory_orgs:
        same = [r for r in runs if r["shards"] == cfg.memory_shards]
        memory = (same or [fan_out(cfg.orgs, cfg.memory_shards)])[:1]
        memory.append(fan_out(cfg.memory_orgs, cfg.memory_shards))

    one = next((r for r in runs if r["shards"] == 1), None)
    out = ["Machine: %s, %d CPUs, %s; %s; load average %.1f at the end" % (
        platform.machine(), os.cpu_count(), platform.platform(), subprocess.run([cfg.java25, "-version"], capture_output=True,
                                                                              text=True).stderr.splitlines()[0],
        os.getloadavg()[0]),
        "org-sync-all, %d orgs, every answer after %g ms, concurrency %d per shard, each shard its own process"
        % (cfg.orgs, cfg.delay_ms, cfg.concurrency), "",
        "| shards | exit codes | wall s | ideal s | speed-up vs 1 | speed-up / N | CPU s jobs | CPU s stand-in | peak RSS MiB per process"
        " | synced / distinct / duplicates | pages served |",
        "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in runs:
        speed = one["wall"] / r["wall"] if one else float("nan")
        s = r["stats"]
        out.append("| %d | %s | %.1f | %.1f | %.2f | %.2f | %.1f | %.1f | %.0f-%.0f | %d / %d / %d | %d |" % (
            r["shards"], ",".join(map(str, r["exit_codes"])), r["wall"], r["ideal"], speed, speed / r["shards"], r["cpu_jobs"],
            r["cpu_standin"], r["rss_min"], r["rss_max"], s["syncs"], s["distinct"], s["duplicates"], s["pages"]))
    if len(memory) == 2:
        small, large = memory
        out += ["", "Memory per process, %d shards: %d orgs -> %d orgs" % (cfg.memory_shards, small["orgs"], large["orgs"]), "",
                "| orgs | exit codes | wall s | peak RSS MiB per process (min-max) | synced / distinct / duplicates |",
                "|---|---|---|---|---|"]
        for r in memory:
            s = r["stats"]
            out.append("| %d | %s | %.1f | %.0f-%.0f | %d / %d / %d |" % (r["orgs"], ",".join(map(str, r["exit_codes"])), r["wall"],
                                                                     r["rss_min"], r["rss_max"], s["syncs"], s["distinct"],
                                                                     s["duplicates"]))
        out.append("")
        out.append("peak RSS at %d / at %d orgs: %.2f" % (large["orgs"], small["orgs"], large["rss_max"] / small["rss_max"]))
    text = "\n".join(out) + "\n"
    print(text)
    with open(os.path.join(HERE, "target", "shards.md"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_NOFILE, (4096, 4096)) if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < 4096 else None
    main()
