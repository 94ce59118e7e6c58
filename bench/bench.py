#!/usr/bin/env python3
"""Start-up, memory and fan-out benchmark of the packaged jobs (see bench/README.md).

Prints figures, asserts nothing. Every run is a fresh JVM started with the container's command,
against a stand-in server on 127.0.0.1 (bench/standin.py); wall time is measured from just before
the process is spawned to its exit, peak RSS is the child's ru_maxrss (what `/usr/bin/time -v`
reports as "Maximum resident set size").
"""
import argparse
import datetime
import json
import os
import pathlib
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request

BENCH = pathlib.Path(__file__).resolve().parent
ROOT = BENCH.parent
TARGET = BENCH / "target"
MAPPINGS = ROOT / "src/main/resources/packs"  # the sandbox files (*.sandbox.yaml) the stand-in answers from
JAR = ROOT / "target/scheduler-jobs.jar"
LIB = ROOT / "target/lib"

# The default container command when there is no Dockerfile and no BENCH_JVM_FLAGS: the flags a
# short-lived container process wants (see bench/README.md for the measured effect of each).
DEFAULT_FLAGS = "-XX:MaxRAMPercentage=75 -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -XX:SharedArchiveFile=app.jsa"
# A dry run makes no call and needs no secret: a build step can run it to record the archive.
# BIGQUERY_EMULATOR_HOST: so that quota-cleanup's BigQuery client is built without looking for Google
# credentials (a dry run sends nothing, and nothing listens on port 9).
TRAIN_ENV = {"DRY_RUN": "true", "JOB_ID": "quota-reset", "ENVIRONMENT": "local",
             "BIGQUERY_EMULATOR_HOST": "http://127.0.0.1:9"}
# The JVM sizes its heap from the container's memory limit; this machine has no such limit, so each
# run gets -XX:MaxRAM=<limit> (what the JVM would read from the cgroup), after the command's flags.
# Cloud Run Jobs' default is 512 MiB. BENCH_CONTAINER_MEMORY= (empty) runs without it.
CONTAINER_MEMORY = os.environ.get("BENCH_CONTAINER_MEMORY", "512m")
EMULATION = [f"-XX:MaxRAM={CONTAINER_MEMORY}"] if CONTAINER_MEMORY else []
LOG_TIME = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d\d\d) ")
SUMMARY = re.compile(r"SUMMARY .*duration=(\d+\.\d+)s")


# ---------------------------------------------------------------------------------------------
# The command: the Dockerfile's ENTRYPOINT (and its archive-recording RUN step), or flags given
# ---------------------------------------------------------------------------------------------

def dockerfile_commands(path):
    """(entrypoint argv, workdir, training shell command or None) from a Dockerfile."""
    text = re.sub(r"\\\n", " ", path.read_text())
    entrypoint, workdir, training = None, "/", None
    for line in text.splitlines():
        line = line.strip()
        word, _, rest = line.partition(" ")
        word = word.upper()
        if word == "FROM":
            workdir = "/"  # each stage starts anew; the last one is the image
        elif word == "WORKDIR":
            workdir = rest.strip()
        elif word == "ENTRYPOINT":
            rest = rest.strip()
            entrypoint = json.loads(rest) if rest.startswith("[") else shlex.split(rest)
            final_workdir = workdir
        elif word == "RUN" and re.search(r"ArchiveClassesAtExit|AOTCacheOutput|AOTMode=record|AotTraining", rest):
            training = re.sub(r"^(\s*--\S+)+", "", rest).strip()  # drop --mount=... options
    if not entrypoint:
        return None
    return entrypoint, final_workdir, training


class Command:
    """How to start the job: a java binary and flags, run in a folder laid out like the image's
    working directory (the jar, lib/ beside it, the archive), plus how the archive is recorded."""

    def __init__(self, name, java, flags, jar="scheduler-jobs.jar", training=None, origin="", files=()):
        self.name, self.java, self.flags, self.jar = name, java, list(flags), jar
        self.files = list(files)  # more files of the build to lay out beside the jar (jvm.options)
        self.training = training  # shell command run once in the folder, `java` on PATH, or None
        self.origin = origin
        self.dir = TARGET / "image" / name
        self.emulation = list(EMULATION)

    def argv(self, extra=()):
        return [self.java] + self.flags + self.emulation + list(extra) + ["-jar", self.jar]

    def shown(self):
        return " ".join(["java"] + self.flags + ["-jar", self.jar])

    def prepare(self):
        """Lays out the folder as the image has it (the jar, lib/ beside it) from a copy of the build,
        and records the archive as an image build would. Copies, not links: a rebuild rewrites
        target/ in place, and an archive whose jars changed is silently ignored by the JVM."""
        stamp = build_snapshot()
        jar = self.dir / self.jar
        if not (self.dir / ".build").exists() or (self.dir / ".build").read_text() != stamp:
            shutil.rmtree(self.dir, ignore_errors=True)
            jar.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(TARGET / "build" / JAR.name, jar)
            (jar.parent / "lib").symlink_to(TARGET / "build" / "lib", target_is_directory=True)
            (self.dir / ".build").write_text(stamp)
        for name in self.files:
            shutil.copy2(JAR.parent / name, self.dir / name)
        bindir = TARGET / "bin" / self.name
        bindir.mkdir(parents=True, exist_ok=True)
        (bindir / "java").unlink(missing_ok=True)
        (bindir / "java").symlink_to(self.java)
        marker = self.dir / ".trained"  # holds what recorded the archive: record again if that changed
        recorded_by = f"{self.java}\n{self.training}\n{stamp}"
        if self.training and (not marker.exists() or marker.read_text() != recorded_by):
            env = dict(os.environ, PATH=f"{bindir}:{os.environ['PATH']}")
            for key in ("CA_API_URL", "CA_ROOT_API_KEY", "BIGQUERY_EMULATOR_HOST"):
                env.pop(key, None)
            out = subprocess.run(["bash", "-c", self.training], cwd=self.dir, env=env,
                                 capture_output=True, text=True)
            (self.dir / "training.log").write_text(out.stdout + out.stderr)
            if out.returncode != 0:
                sys.exit(f"training run of {self.name} failed ({out.returncode}): see {self.dir}/training.log")
            marker.write_text(recorded_by)
        return self


def build_snapshot():
    """bench/target/build: one copy of the built jar and lib/, renewed when the build changed."""
    stamp = f"{JAR.stat().st_mtime_ns} {JAR.stat().st_size}"
    snap = TARGET / "build"
    if not (snap / ".stamp").exists() or (snap / ".stamp").read_text() != stamp:
        shutil.rmtree(snap, ignore_errors=True)
        snap.mkdir(parents=True)
        shutil.copy2(JAR, snap / JAR.name)
        shutil.copytree(LIB, snap / "lib")
        (snap / ".stamp").write_text(stamp)
    return stamp


def archive_training(flags, job="quota-reset"):
    """The recording run that goes with these flags: an AppCDS dynamic archive (JDK 13+) or a
    JDK 24+ AOT cache, recorded by a dry run; none when the JVM creates it itself."""
    archive = next((f.split("=", 1)[1] for f in flags if f.startswith("-XX:SharedArchiveFile=")), None)
    aot = next((f.split("=", 1)[1] for f in flags if f.startswith("-XX:AOTCache=")), None)
    others = [f for f in flags if not f.startswith(("-XX:SharedArchiveFile=", "-XX:AOTCache=", "-Xshare"))]
    env = " ".join(f"{k}={v}" for k, v in dict(TRAIN_ENV, JOB_ID=job).items())
    if aot:
        return f"{env} java -XX:AOTCacheOutput={aot} {' '.join(others)} -jar scheduler-jobs.jar"
    if archive and "-XX:+AutoCreateSharedArchive" not in flags:
        return f"{env} java -XX:ArchiveClassesAtExit={archive} {' '.join(others)} -jar scheduler-jobs.jar"
    return None


def argfile(path):
    """The options of a java @-file: words, # to the end of the line."""
    return [w for line in path.read_text().splitlines() for w in line.split("#")[0].split()]


def image_command(java, java25=None):
    """The command under test: Dockerfile ENTRYPOINT > BENCH_JVM_FLAGS > DEFAULT_FLAGS. An ENTRYPOINT
    with @jvm.options reads target/jvm.options; with an AOT cache it runs on Java 25 (java25) and its
    cache is made by the image's training run (AotTraining, from target/test-classes)."""
    dockerfile = ROOT / "Dockerfile"
    if dockerfile.exists() and not os.environ.get("BENCH_JVM_FLAGS"):
        found = dockerfile_commands(dockerfile)
        if found:
            argv, workdir, training = found
            if pathlib.PurePath(argv[0]).name == "java" and "-jar" in argv:
                prefix = workdir.rstrip("/") + "/"
                local = [a.replace(prefix, "") for a in argv]  # the image's paths, relative to its workdir
                at = local.index("-jar")
                files = [a[1:] for a in local[1:at] if a.startswith("@")]
                flags = [f for a in local[1:at] for f in (argfile(JAR.parent / a[1:]) if a.startswith("@") else [a])]
                if training and "AotTraining" in training:
                    training = re.sub(r"-cp \S+", f"-cp {shlex.quote(str(JAR.parent / 'test-classes'))}", training)
                train = training.replace(prefix, "") if training else archive_training(flags)
                if any(f.startswith("-XX:AOTCache=") for f in flags):
                    if not java25:
                        sys.exit("the image's command uses an AOT cache: it needs Java 25 (BENCH_JAVA25)")
                    java = java25
                return Command("image", java, flags, local[at + 1], train, "Dockerfile ENTRYPOINT", files)
            print(f"note: the Dockerfile's ENTRYPOINT {argv} is not `java ... -jar`: using the default flags")
    flags = shlex.split(os.environ.get("BENCH_JVM_FLAGS", DEFAULT_FLAGS))
    if java_major(java) >= 19 and "-XX:+AutoCreateSharedArchive" not in flags and os.environ.get("BENCH_JVM_FLAGS") is None:
        flags = ["-XX:+AutoCreateSharedArchive"] + flags  # JDK 19+: the JVM keeps the archive itself
    origin = "BENCH_JVM_FLAGS" if os.environ.get("BENCH_JVM_FLAGS") else "default flags"
    return Command("image", java, flags, training=archive_training(flags), origin=origin)


def java_major(java):
    out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    m = re.search(r'version "(\d+)', out)
    return int(m.group(1)) if m else 0


# ---------------------------------------------------------------------------------------------
# Stand-in server and runs
# ---------------------------------------------------------------------------------------------

class StandIn:
    def __init__(self, orgs=5, delay_ms=0.0, page_size=100, max_seconds=1800):
        self.proc = subprocess.Popen(
            [sys.executable, str(BENCH / "standin.py"), "--mappings", str(MAPPINGS), "--orgs", str(orgs),
             "--delay-ms", str(delay_ms), "--page-size", str(page_size), "--max-seconds", str(max_seconds)],
            stdout=subprocess.PIPE, text=True)
        self.url = f"http://127.0.0.1:{int(self.proc.stdout.readline())}"

    def stats(self):
        with urllib.request.urlopen(self.url + "/_bench/stats", timeout=60) as r:
            return json.load(r)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def run_job(cmd, job, env_extra, log, extra_flags=(), timeout=900):
    """One cold run: wall seconds, peak RSS MiB, exit code and the phases read from its log."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BENCH_", "JAVA_TOOL_OPTIONS"))}
    env.update({"JOB_ID": job, "ENVIRONMENT": "local", "CA_ROOT_API_KEY": "bench-key"}, **env_extra)
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as out:
        wall_start, t0 = time.time(), time.perf_counter()
        proc = subprocess.Popen(cmd.argv(extra_flags), cwd=cmd.dir, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = t0 + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
            time.sleep(0.002)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {"wall": wall, "rss": usage.ru_maxrss / 1024, "cpu": usage.ru_utime + usage.ru_stime,
            "code": proc.returncode, "load": os.getloadavg()[0],
            "phases": phases(log.read_text(), wall_start, wall)}


def phases(text, wall_start, wall):
    """Where the wall time went, from the log's timestamps (ms, local time) and the SUMMARY line:
    jvm = process start -> runner starts Camel Main (JVM boot, class path, logging, catalog);
    camel = Camel Main start (YAML, components, beans); job = the route itself; exit = Main stop,
    JVM shutdown."""
    day = datetime.datetime.fromtimestamp(wall_start)
    start_s = day.hour * 3600 + day.minute * 60 + day.second + day.microsecond / 1e6

    def at(line):
        m = LOG_TIME.match(line)
        return None if not m else (int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3]) + int(m[4]) / 1000 - start_s) % 86400

    starting = summary = duration = None
    for line in text.splitlines():
        if " Starting job " in line:
            starting = at(line)
        m = SUMMARY.search(line)
        if m:
            summary, duration = at(line), float(m[1])
    if None in (starting, summary, duration):
        return None
    main_start = summary - duration
    return {"jvm": main_start, "camel": starting - main_start, "job": summary - starting, "exit": wall - summary}


def series(cmd, job, runs, env_extra=None, extra_flags=(), label=None, warmup=1):
    """`runs` cold runs after `warmup` discarded ones (file cache; a JVM-created archive)."""
    label = label or f"{cmd.name}-{job}"
    results = []
    for i in range(warmup + runs):
        r = run_job(cmd, job, env_extra or {}, TARGET / "logs" / f"{label}-{i}.log", extra_flags)
        if r["code"] != 0:
            print(f"  !! {label} run {i} exited {r['code']}: see bench/target/logs/{label}-{i}.log")
        if i >= warmup:
            results.append(r)
    return results


def mmm(values, fmt="{:.2f}"):
    """median (min-max)"""
    values = [v for v in values if v is not None]
    if not values:
        return "n/a"
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}-{fmt.format(max(values))})"


def codes(results):
    """The exit codes seen, e.g. '0' or '0, 3 (x2)': a run that failed is still timed, but say so."""
    seen = sorted({r["code"] for r in results})
    return ", ".join(f"{c}" + (f" (x{sum(r['code'] == c for r in results)})" if len(seen) > 1 else "") for c in seen)


def med(values):
    return statistics.median(values)


def cells(results):
    """wall | CPU | peak RSS | jvm | camel | job | exit | load: the columns of every cold-run table."""
    return " | ".join([mmm([r["wall"] for r in results]), mmm([r["cpu"] for r in results]),
                       mmm([r["rss"] for r in results], "{:.0f}")] + phase_cells(results)
                      + [f"{med([r['load'] for r in results]):.1f}"])


COLUMNS = "wall s | CPU s | peak RSS MiB | jvm | camel | job | exit | load"


def phase_cells(results):
    cells = []
    for key in ("jvm", "camel", "job", "exit"):
        vals = [r["phases"][key] for r in results if r["phases"]]
        cells.append(f"{med(vals):.2f}" if vals else "n/a")
    return cells


# ---------------------------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------------------------

def out(line=""):
    print(line, flush=True)
    REPORT.append(line)


REPORT = []


def section_cold(cmd, args):
    out("## 1-2. Cold runs with the container command\n")
    out(f"Command ({cmd.origin}): `{cmd.shown()}`" + (f", run with `{' '.join(cmd.emulation)}` standing in for "
        "the container's memory limit" if cmd.emulation else "") + ".  ")
    out(f"{args.runs} runs each after 1 discarded; seconds and MiB as median (min-max). CPU = user + system "
        "time of the process (less sensitive to other load than wall time). Phases (s, medians) from the log: "
        "jvm = process start to the runner starting Camel Main, camel = Camel Main start, job = the route, "
        "exit = Camel stop and JVM exit. load = the machine's 1-minute load average during the runs.\n")
    out(f"| job | {COLUMNS} |")
    out("|---|---|---|---|---|---|---|---|---|")
    with StandIn() as server:
        for job, env in (("quota-reset", {"CA_API_URL": server.url}),
                         ("quota-cleanup", {"BIGQUERY_EMULATOR_HOST": server.url, "CA_API_URL": server.url})):
            rs = series(cmd, job, args.runs, env)
            out(f"| {job} | {cells(rs)} |")
    out("\nTargets: quota-reset median <= 0.8 s and peak RSS <= 128 MiB; quota-cleanup median <= 1.5 s.\n")


def concurrency_default():
    if os.environ.get("ORG_SYNC_CONCURRENCY"):
        return int(os.environ["ORG_SYNC_CONCURRENCY"])
    props = (ROOT / "src/main/resources/application.properties").read_text()
    m = re.search(r"^org\.sync\.concurrency\s*=\s*(\d+)", props, re.M)
    return int(m.group(1)) if m else 8


def check_standin(delay_ms, concurrency, calls=800):
    """The stand-in must not be the bottleneck: `concurrency` keep-alive clients at full speed."""
    import http.client
    from concurrent.futures import ThreadPoolExecutor
    with StandIn(delay_ms=delay_ms) as server:
        host, port = server.url[7:].split(":")

        def client(n):
            conn = http.client.HTTPConnection(host, int(port))
            for i in range(n):
                conn.request("POST", f"/admin/orgs/check-{i}/sync", body=b"", headers={"X-CA-Root-Key": "k"})
                conn.getresponse().read()
            conn.close()

        t0 = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(client, [calls // concurrency] * concurrency))
        took = time.perf_counter() - t0
    ideal = calls * delay_ms / 1000 / concurrency
    return calls / took, ideal / took


def section_orgsync(cmd, args):
    conc, delay = concurrency_default(), args.delay_ms
    out("## 3. org-sync-all fan-out\n")
    rate, eff = check_standin(delay, conc)
    out(f"Stand-in check: {conc} keep-alive clients, {delay:g} ms per call: {rate:.0f} calls/s = {eff:.0%} "
        f"of the ideal {conc * 1000 / delay:.0f}/s (the stand-in is not the bottleneck when close to 100 %).  ")
    out(f"Concurrency {conc}, {delay:g} ms per sync call, 100 orgs per page; start-up = median wall of "
        f"org-sync-all with 0 orgs; ideal = N x {delay:g} ms / {conc} + start-up; throughput = ideal / wall.\n")
    out("| orgs | runs | exit codes | wall s | CPU s | ideal s | throughput vs ideal | peak RSS MiB | syncs seen | "
        "max in flight | connections | load |")
    out("|---|---|---|---|---|---|---|---|---|---|---|---|")
    with StandIn(orgs=0) as server:
        rs = series(cmd, "org-sync-all", args.runs, {"CA_API_URL": server.url}, label="orgsync-0")
    startup = med([r["wall"] for r in rs])
    out(f"| 0 | {len(rs)} | {codes(rs)} | {mmm([r['wall'] for r in rs])} | {mmm([r['cpu'] for r in rs])} | - | - | "
        f"{mmm([r['rss'] for r in rs], '{:.0f}')} | - | - | - | {med([r['load'] for r in rs]):.1f} |")
    rss_at = {}
    for n in args.orgs:
        rs, seen = [], []
        for i in range(args.org_runs):
            with StandIn(orgs=n, delay_ms=delay) as server:
                rs += series(cmd, "org-sync-all", 1, {"CA_API_URL": server.url}, label=f"orgsync-{n}-{i}",
                             warmup=0)
                seen.append(server.stats())
        ideal = n * delay / 1000 / conc + startup
        walls = [r["wall"] for r in rs]
        rss_at[n] = med([r["rss"] for r in rs])
        out(f"| {n} | {len(rs)} | {codes(rs)} | {mmm(walls)} | {mmm([r['cpu'] for r in rs])} | {ideal:.2f} | {ideal / med(walls):.1%} "
            f"({ideal / max(walls):.1%}-{ideal / min(walls):.1%}) | {mmm([r['rss'] for r in rs], '{:.0f}')} | "
            f"{min(s['syncs'] for s in seen)} | {max(s['max_in_flight'] for s in seen)} | "
            f"{max(s['connections'] for s in seen)} | "
            f"{med([r['load'] for r in rs]):.1f} |")
    if len(rss_at) >= 2:
        lo, hi = min(rss_at), max(rss_at)
        out(f"\nPeak RSS at {hi} / at {lo} orgs: {rss_at[hi] / rss_at[lo]:.2f} (target <= 1.2); "
            f"target throughput at 10,000: >= 90 % of the ideal.\n")


def section_flags(cmd, args):
    """The JVM flags one at a time, and the archives, on the HTTP job's cold run."""
    out("## JVM flag experiments\n")
    out(f"{args.flag_runs} runs each after 1 discarded, variants interleaved run by run so that changing load "
        "hits all alike. 'CDS' = an AppCDS dynamic archive recorded by a dry run (JDK 17: "
        "-XX:ArchiveClassesAtExit); 'AOT' = a JDK 25 AOT cache (-XX:AOTCacheOutput) recorded the same way. "
        + (f"Every variant runs with `{' '.join(EMULATION)}` unless marked 'no memory limit'." if EMULATION else "")
        + "\n")
    java = cmd.java
    base = ["-XX:MaxRAMPercentage=75", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k"]
    cds = ["-XX:SharedArchiveFile=app.jsa"]
    # (name, java, flags, container memory emulated, job, job whose dry run records the archive)
    variants = [
        ("plain, no memory limit", java, [], False, "quota-reset", None),
        ("plain", java, [], True, "quota-reset", None),
        ("-Xshare:off", java, ["-Xshare:off"], True, "quota-reset", None),
        ("SerialGC", java, ["-XX:+UseSerialGC"], True, "quota-reset", None),
        ("C1 only", java, ["-XX:TieredStopAtLevel=1"], True, "quota-reset", None),
        ("SerialGC + C1", java, ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"], True, "quota-reset", None),
        ("container flags", java, base, True, "quota-reset", None),
        ("container flags + CDS", java, base + cds, True, "quota-reset", "quota-reset"),
        ("container flags + CDS + -UsePerfData", java, base + cds + ["-XX:-UsePerfData"], True, "quota-reset",
         "quota-reset"),
        ("container flags + CDS, no memory limit", java, base + cds, False, "quota-reset", "quota-reset"),
        ("container flags + CDS of quota-cleanup", java, base + cds, True, "quota-reset", "quota-cleanup"),
        ("quota-cleanup: container flags", java, base, True, "quota-cleanup", None),
        ("quota-cleanup: + CDS of quota-reset", java, base + cds, True, "quota-cleanup", "quota-reset"),
        ("quota-cleanup: + CDS of quota-cleanup", java, base + cds, True, "quota-cleanup", "quota-cleanup"),
    ]
    if args.java25:
        aot = ["-XX:AOTCache=app.aot"]
        variants += [
            ("JDK 25 plain", args.java25, [], True, "quota-reset", None),
            ("JDK 25 container flags", args.java25, base, True, "quota-reset", None),
            ("JDK 25 container flags + AutoCreateSharedArchive", args.java25,
             base + ["-XX:+AutoCreateSharedArchive"] + cds, True, "quota-reset", None),
            ("JDK 25 container flags + AOT", args.java25, base + aot, True, "quota-reset", "quota-reset"),
            ("quota-cleanup: JDK 25 + AOT of quota-cleanup", args.java25, base + aot, True, "quota-cleanup",
             "quota-cleanup"),
        ]
    prepared = []
    for i, (name, jv, flags, emulated, job, train_job) in enumerate(variants):
        training = archive_training(flags, train_job) if train_job else None
        c = Command(f"flags-{i}", jv, flags, training=training)
        if not emulated:
            c.emulation = []
        prepared.append((name, c.prepare(), job))
    results = {name: [] for name, _, _ in prepared}
    with StandIn() as server:
        env = {"CA_API_URL": server.url, "BIGQUERY_EMULATOR_HOST": server.url}
        for run in range(args.flag_runs + 1):
            for name, c, job in prepared:
                r = run_job(c, job, env, TARGET / "logs" / f"{c.name}-{run}.log")
                if r["code"] != 0:
                    print(f"  !! {name} run {run} exited {r['code']}: see bench/target/logs/{c.name}-{run}.log")
                if run:  # the first round is discarded (file cache, JVM-created archives)
                    results[name].append(r)
    out(f"| variant | java | flags | {COLUMNS} |")
    out("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, c, job in prepared:
        shown = " ".join(f for f in c.flags if not f.startswith("-XX:MaxRAMPercentage")) or "(none)"
        out(f"| {name} | {java_major(c.java)} | `{shown}` | {cells(results[name])} |")
    out("")


def section_profile(cmd, args):
    """Where start-up goes: which classes load when (and from where), and Camel's own steps."""
    out("## Start-up profile (quota-reset, container command)\n")
    with StandIn() as server:
        env = {"CA_API_URL": server.url}
        (cmd.dir / "classload.txt").unlink(missing_ok=True)
        r = run_job(cmd, "quota-reset", env, TARGET / "logs" / "profile-classload.log",
                    ["-Xlog:class+load=info:file=classload.txt:uptime"])
        out(f"One run with `-Xlog:class+load` (wall {r['wall']:.2f} s, CPU {r['cpu']:.2f} s; logging slows it "
            "a little).\n")
        loads = []
        for line in (cmd.dir / "classload.txt").read_text().splitlines():
            m = re.match(r"\[(\d+\.\d+)s\]\S*\s+(\S+) source: (.*)", line)
            if m:
                loads.append((float(m[1]), m[2], m[3]))
        shared = sum("shared objects file" in src for _, _, src in loads)
        out(f"- classes loaded: {len(loads)}; from the CDS archive(s): {shared}; from jars or generated: "
            f"{len(loads) - shared}")
        out("- when each library's classes load (seconds since JVM start: first-last, count), in order of first "
            "load; the gaps between them are the phases:\n")
        out("| library | first s | last s | classes |")
        out("|---|---|---|---|")
        groups = {}
        for t, name, _ in loads:
            parts = name.split(".")
            if name.startswith(("java.", "javax.", "jdk.", "sun.", "com.sun.")):
                continue
            key = ".".join(parts[:4] if name.startswith("org.apache.") else parts[:3])
            first, last, n = groups.get(key, (t, t, 0))
            groups[key] = (first, t, n + 1)
        for key, (first, last, n) in sorted(groups.items(), key=lambda kv: kv[1][0]):
            if n >= 10:
                out(f"| {key} | {first:.3f} | {last:.3f} | {n} |")
        log = TARGET / "logs" / "profile-startup-recorder.log"
        run_job(cmd, "quota-reset", dict(env, CAMEL_MAIN_STARTUPRECORDER="logging"), log,
                ["-Djava.util.logging.config.file=" + str(BENCH / "logging-profile.properties")])
        text = log.read_text()
        steps = re.findall(r"\s(\d+) ms : (.*)", text)
        out(f"\n- Camel's start-up recorder (`camel.main.startupRecorder=logging`), slowest steps (full log: "
            "bench/target/logs/profile-startup-recorder.log):")
        for ms, what in sorted(steps, key=lambda s: -int(s[0]))[:8]:
            out(f"  - {ms} ms: {what.strip()}")
        for pattern in (r"started in \S+ \(.*?\)", r"shutdown in \S+"):
            m = re.search(r"Apache Camel \S+ \(\S+\) " + pattern, text)
            if m:
                out(f"  - `{m[0]}`")
        quartz = re.findall(r"^(\S+) .*(Shutting down Quartz|Quartz.*shutdown complete)", text, re.M)
        if len(quartz) == 2:
            t = [sum(float(x) * f for x, f in zip(q[0].split(":"), (3600, 60, 1))) for q in quartz]
            out(f"  - Quartz scheduler shutdown (never started in run-once mode): {1000 * (t[1] - t[0]):.0f} ms")
    out("")


# ---------------------------------------------------------------------------------------------

def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = next((int(l.split()[1]) // 1024 for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
    load = os.getloadavg()
    return (f"{cpu}, {os.cpu_count()} CPUs, {mem // 1024} GiB, {platform.system()} {platform.release()}; "
            f"load average before the run {load[0]:.2f}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", 7)), help="cold runs per job (default 7)")
    p.add_argument("--org-runs", type=int, default=3, help="runs per org count (default 3)")
    p.add_argument("--orgs", default="1000,10000", help="org counts (default 1000,10000)")
    p.add_argument("--delay-ms", type=float, default=20, help="latency of each sync call (default 20)")
    p.add_argument("--flag-runs", type=int, default=5, help="runs per JVM flag variant (default 5)")
    p.add_argument("--sections", default="cold,orgsync,flags,profile", help="any of cold,orgsync,flags,profile")
    p.add_argument("--java", default=os.environ.get("BENCH_JAVA") or shutil.which("java"))
    p.add_argument("--java25", default=os.environ.get("BENCH_JAVA25"),
                   help="a JDK 24+ java for the AOT-cache experiment (run.sh looks under /usr/lib/jvm)")
    args = p.parse_args()
    args.orgs = [int(n) for n in args.orgs.split(",") if n]
    args.java = os.path.realpath(args.java)
    sections = args.sections.split(",")

    cmd = image_command(args.java, args.java25 and os.path.realpath(args.java25)).prepare()
    out(f"# Benchmark results\n")
    out(f"- machine: {machine()}")
    out(f"- java: {subprocess.run([cmd.java, '-version'], capture_output=True, text=True).stderr.splitlines()[1]}")
    out(f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC\n")
    if "cold" in sections:
        section_cold(cmd, args)
    if "orgsync" in sections:
        section_orgsync(cmd, args)
    if "flags" in sections:
        section_flags(cmd, args)
    if "profile" in sections:
        section_profile(cmd, args)
    (TARGET / "results.md").write_text("\n".join(REPORT) + "\n")
    print(f"\n(written to bench/target/results.md; logs of every run in bench/target/logs/)")


if __name__ == "__main__":
    main()
