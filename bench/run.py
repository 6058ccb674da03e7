#!/usr/bin/python3
"""StreamStore benchmarks: one command, side by side, on one dedicated local broker.

    bench/run.py              full run (3 repetitions, about 20-25 minutes on 2 cores)
    bench/run.py --quick      1 repetition, small counts (about 5 minutes)
    bench/run.py --help       every option

Installs what it needs (bench/install-deps.sh), builds the `bench` target in build/bench, wipes
and starts its own broker (scripts/kafka-local.sh on port 19092, never the one on 9092), creates
the topics, prefills `orders`, then runs back to back: the raw librdkafka baselines (bench/raw),
Kafka's own Java tools from the broker's jars, the three services, the whole pipeline at fixed
rates and at full speed, and the Python peer (bench/python). For every process it records
throughput, latency percentiles, CPU seconds per 10k orders and peak RSS; each figure is the median
of --reps repetitions. Results go to bench/results/<timestamp>/ (results.json, results.md,
latency.png); the table and the issue's target ratios are printed at the end. Every child is
killed and the broker stopped on exit, Ctrl-C included. See docs/benchmarks.md.
"""

import argparse
import datetime
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
KAFKA_VERSION = os.environ.get("KAFKA_VERSION", "4.1.2")
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_MB = 1.0 / 1024  # /proc status values are kB
# A steady drain window shorter than this (a sample or two of 20 ms) measures nothing: the outputs
# landed in one burst.
MIN_WINDOW_S = 0.25


def log(msg):
    print("[%s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


class StepFailed(Exception):
    pass


# ---- processes --------------------------------------------------------------------------------

class Proc:
    """A child in its own process group, its output in files, reaped with wait4 so its CPU time
    comes from the kernel (rusage). Its peak RSS is its own VmHWM, read on every poll (rusage's
    ru_maxrss is no good here: at exec the kernel folds the RSS of the forked copy of this driver
    into it, so every child would start at the driver's ~25 MB)."""

    live = set()

    def __init__(self, name, argv, logdir, env=None, stdin=None):
        self.name = name
        self.out_path = logdir / (name + ".out")
        self.err_path = logdir / (name + ".err")
        self.argv = [str(a) for a in argv]
        with open(self.out_path, "w") as out, open(self.err_path, "w") as err:
            self.popen = subprocess.Popen(self.argv, stdout=out, stderr=err, stdin=stdin or subprocess.DEVNULL,
                                          start_new_session=True, env=env)
        self.pid = self.popen.pid
        self.t0 = time.monotonic()
        self.t1 = None
        self.rc = None
        self.rusage = None
        self.hwm_mb = None
        Proc.live.add(self)

    # Live readings, None once the process is gone.
    def cpu_s(self):
        try:
            with open("/proc/%d/stat" % self.pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / CLK_TCK
        except (OSError, IndexError):
            return None

    def status_mb(self, key):
        try:
            with open("/proc/%d/status" % self.pid) as f:
                for line in f:
                    if line.startswith(key + ":"):
                        return int(line.split()[1]) * PAGE_MB
        except OSError:
            pass
        return None

    def poll(self):
        if self.rc is not None:
            return self.rc
        self.sample_hwm()  # the last reading before the process ends is its peak, give or take a sample
        try:
            pid, status, ru = os.wait4(self.pid, os.WNOHANG)
        except ChildProcessError:
            self.rc = -1
            self.t1 = time.monotonic()
            Proc.live.discard(self)
            return self.rc
        if pid == 0:
            return None
        self.rc = os.waitstatus_to_exitcode(status)
        self.popen.returncode = self.rc  # reaped here, so Popen must not try again
        self.rusage = ru
        self.t1 = time.monotonic()
        Proc.live.discard(self)
        return self.rc

    def wait(self, timeout):
        deadline = time.monotonic() + timeout
        while self.poll() is None:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def signal_group(self, sig):
        try:
            os.killpg(self.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def stop(self, grace=15):
        """SIGTERM (the graceful stop), then SIGKILL the whole group after `grace` seconds."""
        if self.poll() is None:
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            if not self.wait(grace):
                self.signal_group(signal.SIGKILL)
                self.wait(5)
        self.signal_group(signal.SIGKILL)  # anything the process left behind in its group
        return self.rc

    def output(self):
        return self.out_path.read_text(errors="replace")

    def errors(self, lines=15):
        text = self.err_path.read_text(errors="replace").strip().splitlines()
        return "\n".join(text[-lines:])

    def usage(self):
        """wall, cpu (user+sys) and peak RSS of the finished process, from rusage."""
        if self.rusage is None:
            return {}
        return {"wall_s": round(self.t1 - self.t0, 3),
                "cpu_s": round(self.rusage.ru_utime + self.rusage.ru_stime, 3),
                "peak_rss_mb": round(self.hwm_mb, 1) if self.hwm_mb else None}

    def sample_hwm(self):
        hwm = self.status_mb("VmHWM")
        if hwm is not None:
            self.hwm_mb = max(hwm, self.hwm_mb or 0)

    @classmethod
    def start_sampler(cls, period=0.05):
        """Reads every live child's VmHWM in the background, so a child that exits on its own still
        has its peak (a zombie's /proc no longer shows it)."""
        def loop():
            while True:
                for p in list(cls.live):
                    p.sample_hwm()
                time.sleep(period)
        threading.Thread(target=loop, name="hwm-sampler", daemon=True).start()

    @classmethod
    def kill_all(cls):
        for p in list(cls.live):
            p.signal_group(signal.SIGKILL)
            p.wait(2)


class Pid:
    """A process this driver did not start (the broker): only its readings."""

    def __init__(self, name, pid):
        self.name, self.pid, self.rc = name, pid, None

    cpu_s = Proc.cpu_s
    status_mb = Proc.status_mb

    def poll(self):
        return None


def smaps(pid):
    """What the RSS is made of: pss_mb (shared pages divided among their users), uss_mb (private
    pages only) and anon_mb (heap, stacks: the process's own data; the rest is mapped files, mostly
    shared libraries' code)."""
    out = {}
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            v = {l.split(":")[0]: int(l.split()[1]) for l in f if l.split()[-1] == "kB"}
        out = {"pss_mb": round(v["Pss"] / 1024, 2),
               "uss_mb": round((v["Private_Clean"] + v["Private_Dirty"]) / 1024, 2),
               "anon_mb": round(v["Anonymous"] / 1024, 2)}
    except (OSError, KeyError, ValueError):
        pass
    return out


def run_to_end(name, argv, logdir, timeout, env=None, check=True):
    p = Proc(name, argv, logdir, env=env)
    if not p.wait(timeout):
        p.stop(grace=5)
        raise StepFailed("%s did not finish within %d s (stderr tail: %s)" % (name, timeout, p.errors(5)))
    if check and p.rc != 0:
        raise StepFailed("%s exited %s: %s" % (name, p.rc, p.errors()))
    return p


def last_json(text, key=None):
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if key is None or key in obj:
                return obj
    raise StepFailed("no JSON result line in output: %r" % text[-300:])


# ---- Kafka helpers (confluent-kafka: the same librdkafka 2.0.2) --------------------------------

class Kafka:
    def __init__(self, bootstrap):
        from confluent_kafka import Consumer, TopicPartition
        from confluent_kafka.admin import AdminClient, NewTopic
        self.bootstrap = bootstrap
        self._Consumer, self._TP, self._NewTopic = Consumer, TopicPartition, NewTopic
        self.admin = AdminClient({"bootstrap.servers": bootstrap})
        self.meta = Consumer({"bootstrap.servers": bootstrap, "group.id": "bench-driver-meta",
                              "enable.auto.commit": False})
        self.groups = {}

    def create_topics(self, names, partitions=3):
        futures = self.admin.create_topics([self._NewTopic(n, partitions, 1) for n in names], request_timeout=30)
        for name, f in futures.items():
            try:
                f.result(30)
            except Exception as e:  # already exists is fine
                if "TOPIC_ALREADY_EXISTS" not in str(e):
                    raise StepFailed("creating topic %s: %s" % (name, e))
        deadline = time.monotonic() + 30
        for n in names:  # wait until the metadata shows every partition with a leader
            while True:
                md = self.meta.list_topics(n, timeout=10).topics.get(n)
                if md and not md.error and len(md.partitions) == partitions and \
                        all(p.leader >= 0 for p in md.partitions.values()):
                    break
                if time.monotonic() > deadline:
                    raise StepFailed("topic %s not ready" % n)
                time.sleep(0.1)
        # ...and until each leader has taken the leadership up (it answers ListOffsets), as
        # messaging::Admin does: the metadata names a new partition's leader a moment before.
        for n in names:
            self.end_offsets(n)

    def partitions(self, topic):
        md = self.meta.list_topics(topic, timeout=10).topics[topic]
        return sorted(md.partitions)

    def end_offsets(self, topic):
        from confluent_kafka import KafkaException
        deadline = time.monotonic() + 30
        while True:  # a just-created topic can answer NOT_LEADER for a moment
            try:
                return {p: self.meta.get_watermark_offsets(self._TP(topic, p), timeout=10, cached=False)[1]
                        for p in self.partitions(topic)}
            except KafkaException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def end_total(self, topic):
        return sum(self.end_offsets(topic).values())

    def committed(self, group, topic, partitions):
        c = self.groups.get(group)
        if c is None:
            c = self._Consumer({"bootstrap.servers": self.bootstrap, "group.id": group, "enable.auto.commit": False})
            self.groups[group] = c
        from confluent_kafka import KafkaException
        deadline = time.monotonic() + 30
        while True:
            try:
                res = c.committed([self._TP(topic, p) for p in partitions], timeout=10)
                return {tp.partition: max(tp.offset, 0) for tp in res}
            except KafkaException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def close(self):
        for c in self.groups.values():
            c.close()
        self.meta.close()


def interpolate(prev, cur, threshold):
    """prev/cur: (time, records, cpu dict); the time and CPU at which `records` crossed threshold."""
    (t0, w0, c0), (t1, w1, c1) = prev, cur
    f = (threshold - w0) / (w1 - w0) if w1 > w0 else 1.0
    return t0 + f * (t1 - t0), {n: (c0[n] or 0) + f * ((c1[n] or 0) - (c0[n] or 0)) for n in c1}


def watch_output(kafka, output, total, procs, timeout, period=0.02, others=(), lo=0.1, hi=0.9):
    """Samples `output`'s record count (the sum of its high watermarks, which count records of open
    transactions too) until it reaches `total`, and measures the steady part of the run: from the
    moment it crossed lo*total to the moment it crossed hi*total (interpolated between samples), so
    neither start-up, nor the ramp, nor the final commit's wait is in the figure. Returns records
    (in the window), seconds, records_per_s and the CPU each process used in the window."""
    watched = list(procs) + list(others)
    deadline = time.monotonic() + timeout
    prev = None
    start = stop = None
    while stop is None:
        now = time.monotonic()
        written = kafka.end_total(output)
        cur = (now, written, {p.name: p.cpu_s() for p in watched})
        if prev is not None:
            if start is None and written >= lo * total:
                start = interpolate(prev, cur, lo * total)
            if start is not None and written >= hi * total:
                stop = interpolate(prev, cur, hi * total)
                break
        prev = cur
        for p in procs:
            if p.poll() is not None and p.rc != 0:
                raise StepFailed("%s exited %s: %s" % (p.name, p.rc, p.errors()))
        if now > deadline:
            raise StepFailed("%s: %d of %d records after %d s" % (output, written, total, timeout))
        time.sleep(period)
    (t1, cpu1), (t2, cpu2) = start, stop
    records = (hi - lo) * total
    seconds = t2 - t1
    cpu = {n: cpu2[n] - cpu1[n] for n in cpu2}
    used = sum(cpu[p.name] for p in procs)
    result = {"records": int(records), "seconds": round(seconds, 3),
              "records_per_s": round(records / seconds, 1) if seconds > 0 else None,
              "window_cpu_s": round(used, 3), "cpu_s_per_10k": round(used / records * 1e4, 4),
              "cpu_by_process": cpu, "rss_mb": max((p.status_mb("VmHWM") or 0) for p in procs)}
    for o in others:
        result[o.name + "_cpu_s_per_10k"] = round(cpu[o.name] / records * 1e4, 4)
    return result


def watch_drain(kafka, group, targets, output, procs, timeout, period=0.02, others=()):
    """Times a consume-transform-produce process draining its prefilled inputs (one output record
    per input) with watch_output, then waits until `group` has committed every input offset
    (completion, not timed). targets: {topic: {partition: end offset}}."""
    total = sum(sum(t.values()) for t in targets.values())
    deadline = time.monotonic() + timeout
    result = watch_output(kafka, output, total, procs, timeout, period, others)
    while True:
        complete = True
        for topic, parts in targets.items():
            committed = kafka.committed(group, topic, list(parts))
            complete &= all(committed.get(p, 0) >= target for p, target in parts.items())
        if complete:
            return result
        for p in procs:
            if p.poll() is not None and p.rc != 0:
                raise StepFailed("%s exited %s while draining: %s" % (p.name, p.rc, p.errors()))
        if time.monotonic() > deadline:
            raise StepFailed("group %s did not commit everything within %d s" % (group, timeout))
        time.sleep(period)


def wait_records(kafka, topic, at_least, procs, timeout, period=0.02):
    """Waits until `topic` (non-transactional) holds at least `at_least` records; returns the time."""
    deadline = time.monotonic() + timeout
    while True:
        if kafka.end_total(topic) >= at_least:
            return time.monotonic()
        for p in procs:
            if p.poll() is not None and p.rc != 0:
                raise StepFailed("%s exited %s: %s" % (p.name, p.rc, p.errors()))
        if time.monotonic() > deadline:
            raise StepFailed("%s: %d of %d records after %d s" % (topic, kafka.end_total(topic), at_least, timeout))
        time.sleep(period)


# ---- the benchmark --------------------------------------------------------------------------------

def median(values):
    values = [v for v in values if isinstance(v, (int, float))]
    return round(statistics.median(values), 4) if values else None


class Bench:
    def __init__(self, args):
        self.args = args
        self.quick = args.quick
        self.port = args.port
        self.bootstrap = "127.0.0.1:%d" % args.port
        self.kdir = Path(args.kafka_dir).resolve()
        self.build = Path(args.build_dir).resolve()
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        self.out = Path(args.out).resolve() if args.out else BENCH / "results" / stamp
        self.logs = self.out / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.results = {}   # row name -> list of per-repetition dicts
        self.failures = []  # (step, message)
        self.kafka = None
        self.seq = 0
        self.started = time.monotonic()
        self.deadline = self.started + args.max_minutes * 60
        self.broker_started = False
        self.install_args = ["--no-profilers"]
        self.env = dict(os.environ, STREAMSTORE_KAFKA_PORT=str(args.port),
                        STREAMSTORE_KAFKA_CONTROLLER_PORT=str(args.port + 1),
                        STREAMSTORE_KAFKA_DIR=str(self.kdir))
        self.env.pop("STREAMSTORE_BOOTSTRAP_SERVERS", None)
        self.env.pop("STREAMSTORE_KAFKA_PROPERTIES", None)

    # -- paths
    def svc(self, name):
        return self.build / "services" / name / name

    def raw(self, name):
        return self.build / "bench" / ("bench-" + name)

    def uid(self, prefix):
        self.seq += 1
        return "%s-%d" % (prefix, self.seq)

    def record(self, row, rep, data):
        self.results.setdefault(row, []).append(dict(data, rep=rep))
        shown = {k: v for k, v in data.items() if k in (
            "records_per_s", "p50_ms", "p99_ms", "p999_ms", "cpu_s_per_10k", "peak_rss_mb", "rss_mb")}
        log("  %-34s rep %d: %s" % (row, rep, json.dumps(shown)))

    # -- setup
    def setup(self):
        if not self.args.skip_install:
            log("installing dependencies (bench/install-deps.sh)")
            subprocess.run([BENCH / "install-deps.sh", *self.install_args], check=True, stdout=subprocess.DEVNULL)
        if not self.args.skip_build:
            log("building (%s, target bench)" % self.build)
            if not (self.build / "build.ninja").exists():
                subprocess.run(["cmake", "-S", REPO, "-B", self.build, "-G", "Ninja",
                                "-DCMAKE_BUILD_TYPE=RelWithDebInfo", "-DSTREAMSTORE_BUILD_TESTS=OFF",
                                "-DSTREAMSTORE_BUILD_BENCH=ON"], check=True, stdout=subprocess.DEVNULL)
            subprocess.run(["cmake", "--build", self.build, "-j", str(os.cpu_count() or 2), "--target", "bench"],
                           check=True, stdout=subprocess.DEVNULL)
        for path in [self.svc("order-generator"), self.svc("payment-service"), self.svc("notification-service"),
                     self.raw("raw-produce")]:
            if not path.exists():
                raise SystemExit("missing %s: build the `bench` target first" % path)
        log("starting a dedicated broker on %s (%s, wiped first)" % (self.bootstrap, self.kdir))
        self.kafka_local("wipe")
        self.broker_started = True
        self.kafka_local("start")
        from confluent_kafka import libversion
        self.librdkafka = libversion()[0]
        self.kafka = Kafka(self.bootstrap)
        try:
            self.broker_pid = int((self.kdir / "kafka.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            self.broker_pid = None
        # The first group and the first transaction on a fresh broker create __consumer_offsets and
        # __transaction_state (seconds on 2 cores): pay that here, not in the first measurement.
        self.kafka.create_topics(["bench-warmup", "bench-warmup-out"])
        run_to_end("warmup-produce", [self.raw("raw-produce"), "--bootstrap-server", self.bootstrap, "--topic",
                                      "bench-warmup", "--count", "1000"], self.logs, 120)
        run_to_end("warmup-transactions", [self.raw("raw-passthrough"), "--bootstrap-server", self.bootstrap,
                                           "--input", "bench-warmup", "--output", "bench-warmup-out", "--group",
                                           "bench-warmup", "--count", "1000", "--guarantee", "exactly-once",
                                           "--transactional-id", "bench-warmup"], self.logs, 180)
        help_text = subprocess.run([self.svc("order-generator"), "--help"], capture_output=True, text=True).stdout
        self.generator_has_rate = "--rate" in help_text
        self.generator_has_duration = "--duration" in help_text
        self.generator_has_json = "--summary-format" in help_text
        self.generator_has_burst = "--burst" in help_text

    def kafka_local(self, *cmd, timeout=180):
        r = subprocess.run([REPO / "scripts" / "kafka-local.sh", *cmd], env=self.env, capture_output=True,
                           text=True, timeout=timeout)
        if r.returncode != 0:
            raise SystemExit("kafka-local.sh %s failed:\n%s%s" % (" ".join(cmd), r.stdout, r.stderr))
        return r.stdout

    def teardown(self):
        Proc.kill_all()
        if self.kafka:
            try:
                self.kafka.close()
            except Exception:
                pass
            self.kafka = None
        if self.broker_started and not self.args.keep_broker:
            log("stopping the broker")
            try:
                self.kafka_local("stop", timeout=60)
            except Exception as e:
                print("broker stop failed: %s" % e, file=sys.stderr)
            self.broker_started = False

    def machine(self):
        def read(path):
            try:
                return Path(path).read_text()
            except OSError:
                return ""
        model = re.search(r"model name\s*:\s*(.*)", read("/proc/cpuinfo"))
        mem = re.search(r"MemTotal:\s*(\d+)", read("/proc/meminfo"))
        git = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
        dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()
        return {
            "nproc": os.cpu_count(), "cpu_model": model.group(1).strip() if model else "?",
            "memory_gib": round(int(mem.group(1)) / 1024 / 1024, 1) if mem else None,
            "kernel": os.uname().release, "debian": read("/etc/debian_version").strip(),
            "librdkafka": getattr(self, "librdkafka", None), "kafka": KAFKA_VERSION,
            "java": java[0] if java else None, "python": sys.version.split()[0],
            "git_commit": git.stdout.strip() + (" (+ uncommitted changes)" if dirty else ""),
            "loadavg_at_start": getattr(self, "load_start", None), "loadavg_at_end": read("/proc/loadavg").split()[:3],
            "generator_rate_flag": getattr(self, "generator_has_rate", None),
        }

    # -- Java tools from the broker's jars (what scripts/kafka-local.sh `tool` runs)
    def java(self, cls, *args):
        return ["java", "-Xms64m", "-Xmx512m", "-XX:+UseG1GC", "-Djava.awt.headless=true",
                "-Djava.io.tmpdir=%s" % (self.kdir / "tmp"), "-Dkafka.logs.dir=%s" % (self.kdir / "logs"),
                "-Dlog4j2.configurationFile=%s" % (REPO / "deploy" / "kafka-local" / "tools-log4j2.properties"),
                "-cp", "%s/*" % (self.kdir / "lib" / KAFKA_VERSION), cls, *args]

    def common_flags(self):
        """Flags every service gets; --service-x adds librdkafka properties (experiments)."""
        flags = ["-b", self.bootstrap, "--log-level", "warn"]
        for kv in self.args.service_x:
            flags += ["-X", kv]
        return flags

    def broker(self):
        """The broker as a watched process (for its CPU), or nothing if its pid is unknown."""
        return [Pid("broker", self.broker_pid)] if self.broker_pid else []

    def time_left(self):
        return self.deadline - time.monotonic()

    def step(self, name, fn):
        if self.args.only and not any(name.startswith(o) for o in self.args.only.split(",")):
            return
        if self.time_left() < 30:
            self.failures.append((name, "skipped: the run's --max-minutes budget is spent"))
            log("== %s: SKIPPED (time budget spent)" % name)
            return
        log("== %s" % name)
        try:
            fn()
        except StepFailed as e:
            self.failures.append((name, str(e)))
            log("   FAILED: %s" % e)
        except Exception as e:  # keep going: one broken step must not lose the others
            self.failures.append((name, "%s: %s" % (type(e).__name__, e)))
            log("   FAILED: %s" % traceback.format_exc())
        finally:
            for p in list(Proc.live):
                p.stop(grace=10)

    # ---------------------------------------------------------------------------------------------
    def run(self):
        a = self.args
        Proc.start_sampler()
        self.load_start = Path("/proc/loadavg").read_text().split()[:3]
        self.setup()
        n = a.count
        self.orders = "orders-prefill"
        self.kafka.create_topics([self.orders])
        log("prefilling %s with %d real orders" % (self.orders, n))
        p = run_to_end("prefill", [self.raw("raw-produce"), "--bootstrap-server", self.bootstrap, "--topic",
                                   self.orders, "--count", n, "--unique", 1, "--seed", 1], self.logs, 300)
        self.prefill_targets = {self.orders: self.kafka.end_offsets(self.orders)}
        if sum(self.prefill_targets[self.orders].values()) != n:
            raise SystemExit("prefill: expected %d records, topic holds %s" % (n, self.prefill_targets))
        self.payload_file = self.out / "orders.jsonl"
        with open(self.payload_file, "w") as f:
            subprocess.run([self.raw("raw-produce"), "--dump", "1", "--count", "10000", "--seed", "3"], stdout=f,
                           check=True)

        self.step("raw.produce", self.raw_produce)
        self.step("raw.consume", self.raw_consume)
        self.step("raw.passthrough", self.raw_passthrough)
        self.step("raw.latency", self.raw_latency)
        self.step("java.producer-perf", self.java_producer_perf)
        self.step("java.consumer-perf", self.java_consumer_perf)
        self.step("java.end-to-end-latency", self.java_e2e)
        self.step("services.order-generator", self.order_generator)
        self.step("services.payment-service", self.payment_service)
        self.step("java.transactional-copier", self.copier)
        self.step("services.notification-service", self.notification_service)
        self.step("services.idle-rss", self.idle_rss)
        self.step("pipeline.rate", self.pipeline_rates)
        self.step("pipeline.beside-raw", self.pipeline_beside_raw)
        self.step("pipeline.full-speed", self.pipeline_full_speed)
        self.step("python.pipeline", self.python_pipeline)

    # ---- 1. raw baselines --------------------------------------------------------------------------
    def raw_produce(self):
        for rep in range(1, self.args.reps + 1):
            topic = self.uid("raw-produce")
            self.kafka.create_topics([topic])
            p = run_to_end("raw-produce-%d" % rep, [self.raw("raw-produce"), "--bootstrap-server", self.bootstrap,
                                                     "--topic", topic, "--count", self.args.count], self.logs, 300)
            r = last_json(p.output(), "bench")
            self.record("raw produce", rep, dict(
                records=r["records"], records_per_s=r["records_per_s"], mb_per_s=r["mb_per_s"],
                p50_ms=r["delivery_p50_ms"], p99_ms=r["delivery_p99_ms"], p999_ms=r["delivery_p999_ms"],
                latency="send to delivery report", **self.per_process(p, r["records"])))

    def per_process(self, p, records):
        u = p.usage()
        return {"cpu_s": u.get("cpu_s"), "peak_rss_mb": u.get("peak_rss_mb"), "wall_s": u.get("wall_s"),
                "cpu_s_per_10k": round(u["cpu_s"] / records * 1e4, 4) if records and u.get("cpu_s") is not None
                else None}

    def raw_consume(self):
        for rep in range(1, self.args.reps + 1):
            p = run_to_end("raw-consume-%d" % rep, [self.raw("raw-consume"), "--bootstrap-server", self.bootstrap,
                                                     "--topic", self.orders, "--group", self.uid("raw-consume"),
                                                     "--count", self.args.count], self.logs, 300)
            r = last_json(p.output(), "bench")
            self.record("raw consume", rep, dict(records=r["records"], records_per_s=r["records_per_s"],
                                                 mb_per_s=r["mb_per_s"], **self.per_process(p, r["records"])))

    def raw_passthrough(self):
        modes = [("at-least-once", 100), ("exactly-once", 100), ("exactly-once", 1000)]
        for rep in range(1, self.args.reps + 1):
            for guarantee, interval in modes:
                row = "raw pass-through %s %s" % ("ALO" if guarantee == "at-least-once" else "EOS",
                                                  "%d ms" % interval if interval < 1000 else "%d s" % (interval // 1000))
                group = self.uid("raw-pt")
                out = group + "-out"
                self.kafka.create_topics([out])
                p = Proc("raw-passthrough-%s-%d-%d" % (guarantee, interval, rep),
                         [self.raw("raw-passthrough"), "--bootstrap-server", self.bootstrap, "--input", self.orders,
                          "--output", out, "--group", group, "--count", self.args.count, "--guarantee", guarantee,
                          "--commit-interval-ms", interval, "--transactional-id", group], self.logs)
                w = watch_drain(self.kafka, group, self.prefill_targets, out, [p], timeout=300, others=self.broker())
                if not p.wait(60) or p.rc != 0:
                    raise StepFailed("%s exited %s: %s" % (p.name, p.rc, p.errors()))
                r = last_json(p.output(), "bench")
                # With 1 s transactions the whole drain can land on the topic in one burst: a window of a
                # sample or two measures nothing. Then the program's own clock (first record to last
                # commit) is the figure, and its whole-run CPU.
                short = w["seconds"] < MIN_WINDOW_S
                u = p.usage()
                self.record(row, rep, dict(records=w["records"],
                                           records_per_s=r["records_per_s"] if short else w["records_per_s"],
                                           window_records_per_s=w["records_per_s"], window_too_short=short,
                                           self_records_per_s=r["records_per_s"],
                                           cpu_s_per_10k=round(u["cpu_s"] / r["records"] * 1e4, 4) if short and
                                           u.get("cpu_s") and r["records"] else w["cpu_s_per_10k"],
                                           broker_cpu_s_per_10k=w.get("broker_cpu_s_per_10k"),
                                           commit_p50_ms=r["commit_p50_ms"], commit_p99_ms=r["commit_p99_ms"],
                                           peak_rss_mb=p.usage().get("peak_rss_mb"), commits=r["commits"]))

    def raw_latency(self):
        for rep in range(1, self.args.reps + 1):
            for rate in self.args.raw_rates:
                topic = self.uid("raw-latency")
                self.kafka.create_topics([topic])
                seconds = self.args.latency_seconds
                p = run_to_end("raw-latency-%d-%d" % (rate, rep),
                               [self.raw("raw-latency"), "--bootstrap-server", self.bootstrap, "--topic", topic,
                                "--group", topic, "--rate", rate, "--seconds", seconds, "--warmup-s", 2],
                               self.logs, seconds + 90)
                r = last_json(p.output(), "bench")
                self.record("raw single hop @ %d/s" % rate, rep, dict(
                    rate=rate, records_per_s=r["records_per_s"], p50_ms=r["e2e_p50_ms"], p99_ms=r["e2e_p99_ms"],
                    p999_ms=r["e2e_p999_ms"], max_ms=r["e2e_max_ms"], delivery_p99_ms=r["delivery_p99_ms"],
                    **self.per_process(p, r["records"])))

    # ---- 2. Kafka's Java tools ---------------------------------------------------------------------
    def java_producer_perf(self):
        for rep in range(1, self.args.reps + 1):
            topic = self.uid("java-produce")
            self.kafka.create_topics([topic])
            p = run_to_end("producer-perf-%d" % rep, self.java(
                "org.apache.kafka.tools.ProducerPerformance", "--topic", topic, "--num-records", self.args.count,
                "--throughput", "-1", "--payload-file", self.payload_file, "--producer-props",
                "bootstrap.servers=" + self.bootstrap, "acks=all", "enable.idempotence=true",
                "compression.type=lz4", "linger.ms=5"), self.logs, 300)
            m = re.search(r"(\d+) records sent, ([\d.]+) records/sec \(([\d.]+) MB/sec\), ([\d.]+) ms avg latency, "
                          r"([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99.9th",
                          p.output())
            if not m:
                raise StepFailed("unexpected ProducerPerformance output: %s" % p.output()[-300:])
            records = int(m.group(1))
            self.record("Java ProducerPerformance", rep, dict(
                records=records, records_per_s=float(m.group(2)), mb_per_s=float(m.group(3)),
                p50_ms=int(m.group(6)), p99_ms=int(m.group(8)), p999_ms=int(m.group(9)),
                latency="send to acknowledgement", **self.per_process(p, records)))

    def java_consumer_perf(self):
        conf = self.out / "consumer-perf.properties"
        conf.write_text("isolation.level=read_committed\n")
        for rep in range(1, self.args.reps + 1):
            p = run_to_end("consumer-perf-%d" % rep, self.java(
                "org.apache.kafka.tools.ConsumerPerformance", "--bootstrap-server", self.bootstrap, "--topic",
                self.orders, "--messages", self.args.count, "--group", self.uid("java-consume"),
                "--consumer.config", conf, "--timeout", "30000"), self.logs, 300)
            lines = [l for l in p.output().splitlines() if "," in l]
            if len(lines) < 2:
                raise StepFailed("unexpected ConsumerPerformance output: %s" % p.output()[-300:])
            values = dict(zip([h.strip() for h in lines[-2].split(",")], [v.strip() for v in lines[-1].split(",")]))
            records = int(values["data.consumed.in.nMsg"])
            self.record("Java ConsumerPerformance", rep, dict(
                records=records, records_per_s=float(values["fetch.nMsg.sec"]), mb_per_s=float(values["fetch.MB.sec"]),
                **self.per_process(p, records)))

    def java_e2e(self):
        conf = self.out / "e2e.properties"
        conf.write_text("enable.idempotence=true\ncompression.type=lz4\nisolation.level=read_committed\n")
        n = self.args.e2e_messages
        for rep in range(1, self.args.reps + 1):
            topic = self.uid("java-e2e")
            self.kafka.create_topics([topic], partitions=1)
            p = run_to_end("end-to-end-latency-%d" % rep, self.java(
                "org.apache.kafka.tools.EndToEndLatency", self.bootstrap, topic, n, "all", 250, conf), self.logs, 300)
            avg = re.search(r"Avg latency: ([\d.]+) ms", p.output())
            pct = re.search(r"50th = (\d+), 99th = (\d+), 99.9th = (\d+)", p.output())
            if not avg or not pct:
                raise StepFailed("unexpected EndToEndLatency output: %s" % p.output()[-300:])
            self.record("Java EndToEndLatency (1 in flight)", rep, dict(
                records=n, records_per_s=round(1000 / float(avg.group(1)), 1), p50_ms=int(pct.group(1)),
                p99_ms=int(pct.group(2)), p999_ms=int(pct.group(3)), **self.per_process(p, n)))

    def copier(self):
        """TransactionalMessageCopier in group mode (all 3 partitions) with the transaction size
        payment-service's exactly-once 100 ms transactions had (its throughput x 0.1 s)."""
        ps = median([r.get("records_per_s") for r in self.results.get("payment-service EOS 100 ms", [])])
        sizes = [max(1, int(round(ps * 0.1))) if ps else 5000]
        # The copier is slow (batch.size=512 is hard-coded: about one record per produce request), and
        # in group mode it copies the whole topic: give it a smaller prefilled topic.
        topic = "orders-copier"
        # Several transactions' worth, or the whole topic is one transaction landing in one burst.
        n = max(self.args.copier_count, 4 * sizes[0])
        self.kafka.create_topics([topic])
        run_to_end("prefill-copier", [self.raw("raw-produce"), "--bootstrap-server", self.bootstrap, "--topic",
                                      topic, "--count", n, "--unique", 1, "--seed", 5], self.logs, 300)
        targets = {topic: self.kafka.end_offsets(topic)}
        for rep in range(1, self.args.reps + 1):
            for size in sizes:
                group = self.uid("copier")
                out = group + "-out"
                self.kafka.create_topics([out])
                p = Proc("copier-%d-%d" % (size, rep), self.java(
                    "org.apache.kafka.tools.TransactionalMessageCopier", "--input-topic", topic,
                    "--input-partition", "0", "--output-topic", out, "--broker-list", self.bootstrap,
                    "--transactional-id", group, "--consumer-group", group, "--transaction-size", size,
                    "--group-mode", "--use-group-metadata"), self.logs)
                w = watch_drain(self.kafka, group, targets, out, [p], timeout=600, others=self.broker())
                p.wait(60)
                if w["seconds"] < MIN_WINDOW_S:
                    raise StepFailed("the copier's outputs landed in one burst (%.3f s window): no figure" % w["seconds"])
                self.record("Java TransactionalMessageCopier (%d/txn)" % size, rep, dict(
                    transaction_size=size, records=w["records"], records_per_s=w["records_per_s"],
                    cpu_s_per_10k=w["cpu_s_per_10k"], broker_cpu_s_per_10k=w.get("broker_cpu_s_per_10k"),
                    peak_rss_mb=p.usage().get("peak_rss_mb") or w["rss_mb"]))

    # ---- 3. our services ---------------------------------------------------------------------------
    def order_generator(self):
        for rep in range(1, self.args.reps + 1):
            topic = self.uid("og")
            self.kafka.create_topics([topic])
            json_flag = ["--summary-format", "json"] if self.generator_has_json else []
            p = run_to_end("order-generator-%d" % rep, [self.svc("order-generator"), *self.common_flags(), "--topic",
                                                         topic, "--count", self.args.count, "--interval", "0",
                                                         *json_flag], self.logs, 300)
            out = p.output()
            records = self.args.count
            if json_flag:
                r = last_json(out, "records_per_sec")
                lat = r.get("latency_ms") or {}
                row = dict(records=r["delivered"], records_per_s=r["records_per_sec"], mb_per_s=r.get("mb_per_sec"),
                           p50_ms=lat.get("p50"), p99_ms=lat.get("p99"), p999_ms=lat.get("p999"),
                           latency="send to delivery report")
            else:  # before --summary-format: "sent N, delivered N, failed 0 in X s (Y orders/s)"
                m = re.search(r"\(([\d.]+) orders/s\)", out)
                row = dict(records=records, records_per_s=float(m.group(1)) if m else None)
            self.record("order-generator", rep, dict(row, **self.per_process(p, records)))

    def drain_service(self, row, rep, argv, group, targets, output, timeout=600):
        p = Proc("%s-%d" % (row.replace(" ", "-"), rep), argv, self.logs)
        w = watch_drain(self.kafka, group, targets, output, [p], timeout=timeout, others=self.broker())
        hwm = p.status_mb("VmHWM")
        p.stop()
        if p.rc != 0:
            raise StepFailed("%s exited %s: %s" % (p.name, p.rc, p.errors()))
        u = p.usage()
        self.record(row, rep, dict(records=w["records"], records_per_s=w["records_per_s"],
                                   cpu_s_per_10k=w["cpu_s_per_10k"], peak_rss_mb=u.get("peak_rss_mb") or hwm,
                                   broker_cpu_s_per_10k=w.get("broker_cpu_s_per_10k"),
                                   cpu_s_total=u.get("cpu_s"), wall_s=u.get("wall_s")))
        return p

    def payment_service(self):
        modes = [("at-least-once", "100ms", "ALO 100 ms"), ("exactly-once", "100ms", "EOS 100 ms"),
                 ("exactly-once", "1s", "EOS 1 s")]
        for rep in range(1, self.args.reps + 1):
            for guarantee, interval, label in modes:
                group = self.uid("ps")
                payments = group + "-payments"
                self.kafka.create_topics([payments, self.orders + ".dlq"])
                self.drain_service("payment-service " + label, rep, [
                    self.svc("payment-service"), *self.common_flags(), "--orders-topic", self.orders,
                    "--payments-topic", payments, "-g", group, "--processing-guarantee", guarantee,
                    "--commit-interval", interval, "--transactional-id", group], group, self.prefill_targets, payments)
                if guarantee == "at-least-once" and rep == 1:
                    self.alo_payments = payments  # non-transactional: notification-service drains it

    def notification_service(self):
        if not getattr(self, "alo_payments", None):
            raise StepFailed("needs the payments of a payment-service at-least-once run")
        targets = {self.orders: self.prefill_targets[self.orders],
                   self.alo_payments: self.kafka.end_offsets(self.alo_payments)}
        for rep in range(1, self.args.reps + 1):
            for guarantee, label in [("exactly-once", "EOS 100 ms"), ("at-least-once", "ALO 100 ms")]:
                group = self.uid("ns")
                notifications = group + "-notifications"
                self.kafka.create_topics([notifications, self.alo_payments + ".dlq"])
                self.drain_service("notification-service " + label, rep, [
                    self.svc("notification-service"), *self.common_flags(), "--orders-topic", self.orders,
                    "--payments-topic", self.alo_payments, "--notifications-topic", notifications, "-g", group,
                    "--output", "none", "--processing-guarantee", guarantee, "--transactional-id", group],
                    group, targets, notifications)
        # records are input events (an order and a payment per order): per order, halve the rate.

    def idle_rss(self):
        """Each service started and left idle (no traffic; the generator sends one order a minute)."""
        topic = self.uid("idle")
        self.kafka.create_topics([topic, topic + "-payments", topic + "-notifications", topic + ".dlq",
                                  topic + "-payments.dlq"])
        procs = [
            Proc("idle-order-generator", [self.svc("order-generator"), *self.common_flags(), "--topic", topic,
                                          "--interval", "60s"], self.logs),
            Proc("idle-payment-service", [self.svc("payment-service"), *self.common_flags(), "--orders-topic", topic,
                                          "--payments-topic", topic + "-payments", "-g", topic + "-ps",
                                          "--transactional-id", topic + "-ps"], self.logs),
            Proc("idle-notification-service", [self.svc("notification-service"), *self.common_flags(),
                                               "--orders-topic", topic, "--payments-topic", topic + "-payments",
                                               "--notifications-topic", topic + "-notifications", "-g",
                                               topic + "-ns", "--output", "none", "--transactional-id",
                                               topic + "-ns"], self.logs)]
        time.sleep(self.args.idle_seconds)
        for p in procs:
            if p.poll() is not None:
                raise StepFailed("%s exited %s: %s" % (p.name, p.rc, p.errors()))
            self.record("idle " + p.name[5:], 1, dict(rss_mb=p.status_mb("VmRSS"), peak_rss_mb=p.status_mb("VmHWM"),
                                                       cpu_s=p.cpu_s(), **smaps(p.pid)))

    # ---- the pipeline ----------------------------------------------------------------------------
    def start_pipeline(self, tag, python=False, guarantee="at-least-once"):
        """Starts payment and notification services on fresh topics, warms them up with 100 orders
        and waits until their 200 notifications are there. Returns (topics, procs)."""
        t = {"orders": tag + "-orders", "payments": tag + "-payments", "notifications": tag + "-notifications"}
        self.kafka.create_topics(list(t.values()) + [t["orders"] + ".dlq", t["payments"] + ".dlq"])
        if python:
            py = ["/usr/bin/python3"]
            procs = [
                Proc(tag + "-payment", [*py, BENCH / "python" / "payment_service.py", "-b", self.bootstrap,
                                        "--orders-topic", t["orders"], "--payments-topic", t["payments"], "-g",
                                        tag + "-ps", "--processing-guarantee", guarantee, "--transactional-id",
                                        tag + "-ps"], self.logs),
                Proc(tag + "-notification", [*py, BENCH / "python" / "notification_service.py", "-b", self.bootstrap,
                                             "--orders-topic", t["orders"], "--payments-topic", t["payments"],
                                             "--notifications-topic", t["notifications"], "-g", tag + "-ns",
                                             "--output", "none", "--processing-guarantee", guarantee,
                                             "--transactional-id", tag + "-ns"], self.logs)]
        else:
            procs = [
                Proc(tag + "-payment", [self.svc("payment-service"), *self.common_flags(), "--orders-topic",
                                        t["orders"], "--payments-topic", t["payments"], "-g", tag + "-ps",
                                        "--processing-guarantee", guarantee, "--transactional-id", tag + "-ps"],
                     self.logs),
                Proc(tag + "-notification", [self.svc("notification-service"), *self.common_flags(),
                                             "--orders-topic", t["orders"], "--payments-topic", t["payments"],
                                             "--notifications-topic", t["notifications"], "-g", tag + "-ns",
                                             "--output", "none", "--processing-guarantee", guarantee,
                                             "--transactional-id", tag + "-ns"], self.logs)]
        run_to_end(tag + "-warmup", [self.raw("raw-produce"), "--bootstrap-server", self.bootstrap, "--topic",
                                     t["orders"], "--count", 100, "--unique", 1, "--seed", 1000 + self.seq], self.logs, 60)
        wait_records(self.kafka, t["notifications"], 200, procs, timeout=90)
        return t, procs

    def order_source(self, name, topic, rate, seconds, python=False):
        count = int(rate * seconds)
        if python:
            return Proc(name, ["/usr/bin/python3", BENCH / "python" / "order_producer.py", "-b", self.bootstrap,
                               "--topic", topic, "--count", count, "--rate", rate], self.logs), "order_producer.py"
        if self.generator_has_rate:
            # One timer tick per order falls behind above ~7,000/s on a loaded 2-core machine (each tick
            # is a reactor round trip): a tick per millisecond, `burst` orders each, keeps the rate.
            burst = ["--burst", max(1, rate // 1000)] if self.generator_has_burst else []
            argv = [self.svc("order-generator"), *self.common_flags(), "--topic", topic, "--rate", rate, "--count",
                    count, *burst] + (["--summary-format", "json"] if self.generator_has_json else [])
            return Proc(name, argv, self.logs), "order-generator --rate %d%s" % (
                rate, " --burst %d" % burst[1] if burst else "")
        if rate <= 1000 and 1000 % rate == 0:
            return Proc(name, [self.svc("order-generator"), *self.common_flags(), "--topic", topic, "--interval",
                               "%dms" % (1000 // rate), "--count", count], self.logs), "order-generator --interval"
        # order-generator cannot pace faster than one order per millisecond without --rate.
        return Proc(name, [self.raw("raw-produce"), "--bootstrap-server", self.bootstrap, "--topic", topic,
                           "--rate", rate, "--count", count, "--seed", 2000 + self.seq], self.logs), \
            "bench-raw-produce --rate (real orders; this order-generator has no --rate)"

    def pipeline_at_rate(self, row, rate, rep, python=False, beside_row=None):
        """The pipeline fed at `rate` orders/s; latency from the notifications themselves. With
        `beside_row`, bench-raw-latency runs at the same rate on a topic of its own at the same
        time, and its single hop is recorded under that row: what the raw hop gets from this
        broker and these 2 cores while the pipeline loads them."""
        tag = self.uid("py" if python else "pl")
        t, procs = self.start_pipeline(tag, python=python)
        seconds = self.args.latency_seconds
        raw = None
        if beside_row:
            raw_topic = tag + "-raw-latency"
            self.kafka.create_topics([raw_topic])
            raw = Proc(tag + "-raw-latency", [self.raw("raw-latency"), "--bootstrap-server", self.bootstrap,
                                              "--topic", raw_topic, "--group", raw_topic, "--rate", rate,
                                              "--seconds", seconds, "--warmup-s", 1], self.logs)
            deadline = time.monotonic() + 60
            while "partitions assigned" not in raw.errors(20):
                if raw.poll() is not None or time.monotonic() > deadline:
                    raise StepFailed("raw-latency beside the pipeline did not start: %s" % raw.errors())
                time.sleep(0.05)
        measure_from = int(time.time() * 1000) + 1000  # the first second is warm-up
        total = int(rate * seconds)
        probe = Proc(tag + "-probe", [self.raw("notification-probe"), "--bootstrap-server", self.bootstrap,
                                      "--topic", t["notifications"], "--group", tag + "-probe", "--count",
                                      200 + 2 * total, "--measure-from-ms", measure_from, "--idle-s", 15,
                                      "--timeout-s", seconds + 120], self.logs)
        cpu0 = {p.name: p.cpu_s() for p in procs}
        src, how = self.order_source(tag + "-source", t["orders"], rate, seconds, python=python)
        if not src.wait(seconds * 3 + 60):
            raise StepFailed("order source did not finish")
        sent_seconds = src.t1 - src.t0
        if not probe.wait(seconds + 150):
            raise StepFailed("probe did not finish")
        if raw is not None:
            if not raw.wait(seconds + 60) or raw.rc != 0:
                raise StepFailed("raw-latency beside the pipeline failed: %s" % raw.errors())
            rr = last_json(raw.output(), "bench")
            self.record(beside_row, rep, dict(
                rate=rate, records_per_s=rr["records_per_s"], p50_ms=rr["e2e_p50_ms"], p99_ms=rr["e2e_p99_ms"],
                p999_ms=rr["e2e_p999_ms"], max_ms=rr["e2e_max_ms"], delivery_p99_ms=rr["delivery_p99_ms"],
                **self.per_process(raw, rr["records"])))
        t_done = time.monotonic()
        cpu1 = {p.name: p.cpu_s() for p in procs}
        hwm = {p.name: p.status_mb("VmHWM") for p in procs}
        for p in procs:
            p.stop()
        r = last_json(probe.output(), "bench")
        catch_up = t_done - src.t1
        try:  # the source's own figure (excludes its start-up); else sent / its wall time
            summary = last_json(src.output())
            achieved = summary.get("records_per_sec") or summary.get("records_per_s")
        except StepFailed:
            achieved = None
        achieved = achieved or total / sent_seconds
        cpu_services = sum((cpu1[n] or 0) - (cpu0[n] or 0) for n in cpu0)
        src_cpu = src.usage().get("cpu_s") or 0
        self.record(row, rep, dict(
            rate=rate, records=total, records_per_s=round(achieved, 1), source=how,
            p50_ms=r["service_payment_p50_ms"], p99_ms=r["service_payment_p99_ms"],
            p999_ms=r["service_payment_p999_ms"], max_ms=r["service_payment_max_ms"],
            order_p50_ms=r["service_order_p50_ms"], order_p99_ms=r["service_order_p99_ms"],
            visible_p50_ms=r["visible_payment_p50_ms"], visible_p99_ms=r["visible_payment_p99_ms"],
            visible_p999_ms=r["visible_payment_p999_ms"], notifications=r["notifications"],
            catch_up_s=round(catch_up, 2),
            cpu_s_per_10k=round((cpu_services + src_cpu) / total * 1e4, 4),
            cpu_s_per_10k_by_process={"source": round(src_cpu / total * 1e4, 4),
                                      **{n.split("-")[-1]: round(((cpu1[n] or 0) - (cpu0[n] or 0)) / total * 1e4, 4)
                                         for n in cpu0}},
            peak_rss_mb=max([v for v in hwm.values() if v] + [src.usage().get("peak_rss_mb") or 0]),
            peak_rss_mb_by_process={"source": src.usage().get("peak_rss_mb"),
                                    **{n.split("-")[-1]: v for n, v in hwm.items()}}))

    def pipeline_rates(self):
        for rep in range(1, self.args.reps + 1):
            for rate in self.args.pipeline_rates:
                self.pipeline_at_rate("pipeline ALO @ %d/s" % rate, rate, rep)

    def pipeline_beside_raw(self):
        """The latency targets' two rates again, each with the raw single hop running beside the
        pipeline: whether a tail comes from the services or from the machine they share."""
        for rep in range(1, self.args.reps + 1):
            for rate in [r for r in self.args.pipeline_rates if r in (1000, 10000)]:
                self.pipeline_at_rate("pipeline ALO @ %d/s beside raw" % rate, rate, rep,
                                      beside_row="raw single hop @ %d/s beside the pipeline" % rate)

    def pipeline_full_speed_once(self, row, rep, python=False):
        """Sends N orders at full speed into a running pipeline and measures the steady part of
        the drain on `notifications` (10% to 90% of the 2N notifications, see watch_output): the
        pipeline's sustained throughput, in orders/s. CPU: the services' in that window plus the
        order source's whole run, per order."""
        tag = self.uid("pyfull" if python else "plfull")
        t, procs = self.start_pipeline(tag, python=python)
        n = self.args.pipeline_count
        if python:
            src = Proc(tag + "-source", ["/usr/bin/python3", BENCH / "python" / "order_producer.py", "-b",
                                         self.bootstrap, "--topic", t["orders"], "--count", n], self.logs)
        else:
            src = Proc(tag + "-source", [self.svc("order-generator"), *self.common_flags(), "--topic", t["orders"],
                                         "--count", n, "--interval", "0"], self.logs)
        w = watch_output(self.kafka, t["notifications"], 200 + 2 * n, procs, timeout=self.args.pipeline_timeout,
                         others=self.broker())
        hwm = {p.name.split("-")[-1]: p.status_mb("VmHWM") for p in procs}
        src.wait(60)
        wait_records(self.kafka, t["notifications"], 200 + 2 * n, procs, timeout=120)
        for p in procs:
            p.stop()
        orders = w["records"] / 2
        su = src.usage()
        cpu = {"source": (su.get("cpu_s") or 0) / n * 1e4,
               **{k.split("-")[-1]: v / orders * 1e4 for k, v in w["cpu_by_process"].items() if k != "broker"}}
        rss = {"source": su.get("peak_rss_mb"), **hwm}
        self.record(row, rep, dict(
            records=n, records_per_s=round(w["records_per_s"] / 2, 1), window_s=w["seconds"],
            cpu_s_per_10k=round(sum(cpu.values()), 4),
            cpu_s_per_10k_by_process={k: round(v, 4) for k, v in cpu.items()},
            broker_cpu_s_per_10k=round(w["cpu_by_process"].get("broker", 0) / orders * 1e4, 4) if self.broker()
            else None,
            peak_rss_mb=max(v for v in rss.values() if v), rss_sum_mb=round(sum(v for v in rss.values() if v), 1),
            peak_rss_mb_by_process=rss))

    def pipeline_full_speed(self):
        for rep in range(1, self.args.reps + 1):
            self.pipeline_full_speed_once("pipeline ALO full speed", rep)

    def python_pipeline(self):
        for rep in range(1, self.args.reps + 1):
            self.pipeline_full_speed_once("Python pipeline ALO full speed", rep, python=True)
        for rep in range(1, self.args.reps + 1):
            for rate in self.args.python_rates:
                self.pipeline_at_rate("Python pipeline ALO @ %d/s" % rate, rate, rep, python=True)

    # ---- report ----------------------------------------------------------------------------------
    def summarize(self):
        summary = {}
        for row, reps in self.results.items():
            keys = {k for r in reps for k, v in r.items() if isinstance(v, (int, float)) and k != "rep"}
            summary[row] = {k: median([r.get(k) for r in reps]) for k in sorted(keys)}
            summary[row]["reps"] = len(reps)
            for r in reps:  # keep the descriptive fields of the first repetition
                for k, v in r.items():
                    if isinstance(v, (str, dict)) and k not in summary[row]:
                        summary[row][k] = v
        return summary

    def targets(self, s):
        def get(row, key="records_per_s"):
            return (s.get(row) or {}).get(key)

        out = []

        def ratio(name, num, den, want, higher_is_better=True, note=""):
            if num is None or den is None or den == 0:
                out.append({"target": name, "want": want, "value": None, "met": None, "note": note or "not measured"})
                return
            v = num / den
            met = v >= want if higher_is_better else v <= want
            out.append({"target": name, "want": want, "value": round(v, 3), "met": met, "note": note})

        ratio("order-generator / raw produce throughput >= 0.90", get("order-generator"), get("raw produce"), 0.90)
        ratio("payment-service ALO / raw pass-through ALO >= 0.80", get("payment-service ALO 100 ms"),
              get("raw pass-through ALO 100 ms"), 0.80)
        ratio("payment-service EOS 100 ms / its ALO >= 0.85", get("payment-service EOS 100 ms"),
              get("payment-service ALO 100 ms"), 0.85)
        ratio("payment-service EOS 1 s / its ALO >= 0.95", get("payment-service EOS 1 s"),
              get("payment-service ALO 100 ms"), 0.95)
        copier_rows = [r for r in s if r.startswith("Java TransactionalMessageCopier")]
        ps = get("payment-service EOS 100 ms")
        if copier_rows:
            ratio("payment-service EOS 100 ms / TransactionalMessageCopier at equal txn size >= 1.5", ps,
                  get(copier_rows[0]), 1.5, note=copier_rows[0])
        else:
            ratio("payment-service EOS 100 ms / TransactionalMessageCopier at equal txn size >= 1.5", ps, None, 1.5)
        ours, py = s.get("pipeline ALO full speed") or {}, s.get("Python pipeline ALO full speed") or {}
        ratio("pipeline throughput / Python peer >= 5", ours.get("records_per_s"), py.get("records_per_s"), 5)
        ours1k, py1k = s.get("pipeline ALO @ 1000/s") or {}, s.get("Python pipeline ALO @ 1000/s") or {}

        def rss_sum(row):
            v = [x for x in (row.get("peak_rss_mb_by_process") or {}).values() if x]
            return sum(v) if v else None

        def at_1k(a, b):
            return "at 1,000/s, equal load: %.2f" % (a / b) if a and b else "not measured at 1,000/s"

        ratio("Python CPU per 10k orders / ours >= 4", py.get("cpu_s_per_10k"), ours.get("cpu_s_per_10k"), 4,
              note="full speed; " + at_1k(py1k.get("cpu_s_per_10k"), ours1k.get("cpu_s_per_10k")))
        ratio("Python RSS (sum of 3 processes) / ours >= 2", py.get("rss_sum_mb"), ours.get("rss_sum_mb"), 2,
              note="full speed; " + at_1k(rss_sum(py1k), rss_sum(ours1k)))
        def beside(rate):
            pl = get("pipeline ALO @ %d/s beside raw" % rate, "p99_ms")
            raw = get("raw single hop @ %d/s beside the pipeline" % rate, "p99_ms")
            return "; run side by side: pipeline p99 %s ms, raw p99 %s ms" % (pl, raw) if pl and raw else ""

        for rate in [r for r in self.args.pipeline_rates if r in (1000, 10000)]:  # the two rates
            pl = get("pipeline ALO @ %d/s" % rate, "p99_ms")
            raw = get("raw single hop @ %d/s" % rate, "p99_ms")
            if raw is None:
                raws = [(abs(r2 - rate), get("raw single hop @ %d/s" % r2, "p99_ms")) for r2 in self.args.raw_rates]
                raw = min(raws)[1] if raws else None
            budget = 2 * raw + 3 if raw is not None else None
            out.append({"target": "order-to-notification p99 @ %d/s <= 2 x raw single-hop p99 + 3 ms" % rate,
                        "want": budget, "value": pl, "met": (pl <= budget) if None not in (pl, budget) else None,
                        "note": "pipeline p99 %s ms, raw p99 %s ms%s" % (pl, raw, beside(rate))})
        idle = [(r[5:], v.get("rss_mb"), v.get("uss_mb"), v.get("anon_mb")) for r, v in s.items()
                if r.startswith("idle ")]
        if idle:
            worst = max(idle, key=lambda x: x[1] or 0)
            out.append({"target": "idle RSS <= 10 MB per service", "want": 10, "value": worst[1],
                        "met": all((v or 0) <= 10 for _, v, _, _ in idle),
                        "note": ", ".join("%s %.1f MB (private %.1f, anonymous %.1f)" % (n, v or 0, u or 0, a or 0)
                                          for n, v, u, a in idle)})
        loaded = [(r, v.get("peak_rss_mb")) for r, v in s.items() if
                  (r.startswith("payment-service") or r.startswith("notification-service") or r == "order-generator")]
        for r, v in s.items():
            for name, mb in (v.get("peak_rss_mb_by_process") or {}).items():
                if r.startswith("pipeline") and mb:
                    loaded.append(("%s: %s" % (r, name), mb))
        if loaded:
            worst = max(loaded, key=lambda x: x[1] or 0)
            out.append({"target": "RSS under load <= 40 MB per service", "want": 40, "value": worst[1],
                        "met": worst[1] is not None and worst[1] <= 40, "note": "largest: %s" % worst[0]})
        return out

    def table(self, s):
        def fmt(v, digits=1):
            if v is None:
                return "–"
            if isinstance(v, float) and digits == 0:
                return "{:,.0f}".format(v)
            return "{:,.{}f}".format(v, digits) if isinstance(v, float) else "{:,}".format(v)

        lines = ["| run | records/s | MB/s | p50 ms | p99 ms | p99.9 ms | CPU s / 10k | peak RSS MB | reps |",
                 "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for row, v in s.items():
            lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                row, fmt(v.get("records_per_s"), 0), fmt(v.get("mb_per_s")), fmt(v.get("p50_ms")),
                fmt(v.get("p99_ms")), fmt(v.get("p999_ms")), fmt(v.get("cpu_s_per_10k"), 3),
                fmt(v.get("peak_rss_mb") or v.get("rss_mb")), v.get("reps")))
        return "\n".join(lines)

    def targets_table(self, t):
        lines = ["| target | measured | met |", "| --- | ---: | :---: |"]
        for x in t:
            met = "n/a" if x["met"] is None else ("met" if x["met"] else "**missed**")
            value = "–" if x["value"] is None else x["value"]
            lines.append("| %s | %s%s | %s |" % (x["target"], value, " (%s)" % x["note"] if x["note"] else "", met))
        return "\n".join(lines)

    def plot(self, s, path):
        try:
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            log("matplotlib missing: no plot")
            return False
        series = [("raw single hop", "raw single hop @ ", "tab:gray"),
                  ("StreamStore pipeline (payment notification)", "pipeline ALO @ ", "tab:blue"),
                  ("Python peer pipeline (payment notification)", "Python pipeline ALO @ ", "tab:red")]
        fig, ax = plt.subplots(figsize=(10, 5.2), dpi=110)
        for label, prefix, color in series:
            pts = sorted((v["records_per_s"], v.get("p50_ms"), v.get("p99_ms"), v.get("p999_ms"))
                         for r, v in s.items() if r.startswith(prefix) and "beside" not in r and v.get("records_per_s"))
            if not pts:
                continue
            x = [p[0] for p in pts]
            ax.plot(x, [p[2] for p in pts], "o-", color=color, label=label + " p99")
            ax.plot(x, [p[1] for p in pts], "s--", color=color, alpha=0.6, label=label + " p50")
            ax.plot(x, [p[3] for p in pts], "^:", color=color, alpha=0.6, label=label + " p99.9")
        # The runs where the raw single hop ran beside the pipeline, at the same time: p99 only.
        for label, prefix, color in (("raw single hop beside the pipeline", "raw single hop @ ", "black"),
                                     ("StreamStore pipeline beside the raw hop", "pipeline ALO @ ", "tab:cyan")):
            pts = sorted((v["records_per_s"], v.get("p99_ms")) for r, v in s.items()
                         if r.startswith(prefix) and "beside" in r and v.get("records_per_s") and v.get("p99_ms"))
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], "D", color=color, markersize=7,
                        markerfacecolor="none", label=label + " p99")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("orders (records) per second, fixed rate")
        ax.set_ylabel("latency, ms")
        ax.set_title("Latency against throughput (Kafka %s, %d cores)\nraw: one hop; pipelines: order created to "
                     "its payment notified (two hops)" % (KAFKA_VERSION, os.cpu_count()), fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
        fig.tight_layout()
        fig.savefig(path)
        return True

    def report(self):
        s = self.summarize()
        t = self.targets(s)
        doc = {"machine": self.machine(), "settings": {k: v for k, v in vars(self.args).items()},
               "started": datetime.datetime.now().isoformat(timespec="seconds"),
               "duration_s": round(time.monotonic() - self.started, 1),
               "summary": s, "targets": t, "repetitions": self.results,
               "failures": [{"step": a, "error": b} for a, b in self.failures]}
        (self.out / "results.json").write_text(json.dumps(doc, indent=2, default=str) + "\n")
        m = doc["machine"]
        md = ["# StreamStore benchmark results", "",
              "Machine: %s cores (%s), %s GiB, kernel %s, Debian %s; librdkafka %s, Kafka %s; commit %s; "
              "load average %s at start, %s at end. Each figure is the median of the repetitions; "
              "%.0f s in all." % (m["nproc"], m["cpu_model"], m["memory_gib"], m["kernel"], m["debian"],
                                  m["librdkafka"], m["kafka"], m["git_commit"], " ".join(m["loadavg_at_start"] or []),
                                  " ".join(m["loadavg_at_end"]), doc["duration_s"]), "",
              self.table(s), "", "## Targets", "", self.targets_table(t), ""]
        if self.failures:
            md += ["## Failed or skipped steps", ""] + ["- %s: %s" % f for f in self.failures] + [""]
        (self.out / "results.md").write_text("\n".join(md))
        plotted = self.plot(s, self.out / "latency.png")
        print("\n" + "\n".join(md))
        if plotted and self.args.publish:
            dest = REPO / "docs" / "images" / "benchmarks-latency.png"
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.out / "latency.png", dest)
            log("plot copied to %s" % dest)
        log("results in %s" % self.out)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="1 repetition, small counts, short runs (about 5 minutes)")
    p.add_argument("--reps", type=int, help="repetitions of every measurement (default 3; --quick: 1)")
    p.add_argument("--count", type=int, help="records per throughput run (default 300000; --quick: 100000)")
    p.add_argument("--pipeline-count", type=int, help="orders per full-speed pipeline run (default 100000; "
                                                      "--quick: 20000)")
    p.add_argument("--latency-seconds", type=int, help="length of each fixed-rate run (default 15; --quick: 5)")
    p.add_argument("--pipeline-rates", help="fixed rates of the pipeline runs, orders/s (default 1000,3000,10000,20000;"
                                            " --quick: 1000,10000); the targets use 1000 and 10000")
    p.add_argument("--raw-rates", default=None, help="rates of the raw single-hop runs (default: pipeline rates "
                                                     "and 30000)")
    p.add_argument("--python-rates", help="fixed rates of the Python pipeline runs (default 1000,3000; --quick: 1000)")
    p.add_argument("--copier-count", type=int, help="records TransactionalMessageCopier copies (default 40000; "
                                                    "--quick: 10000)")
    p.add_argument("--e2e-messages", type=int, help="EndToEndLatency round trips (default 3000; --quick: 1000)")
    p.add_argument("--idle-seconds", type=int, default=10, help="how long services idle before their RSS is read")
    p.add_argument("--pipeline-timeout", type=int, default=300, help="seconds a full-speed pipeline run may take")
    p.add_argument("--service-x", action="append", default=[], metavar="KEY=VALUE",
                   help="a librdkafka property passed to every service with -X (repeatable; for experiments)")
    p.add_argument("--only", help="comma-separated step prefixes to run (raw, java, services, pipeline, python, "
                                  "services.payment-service, ...)")
    p.add_argument("--max-minutes", type=float, default=40, help="skip the remaining steps after this long")
    p.add_argument("--port", type=int, default=19092, help="the dedicated broker's port (controller: port + 1)")
    p.add_argument("--kafka-dir", default=str(REPO / ".kafka-bench"), help="the dedicated broker's directory "
                                                                           "(wiped at start)")
    p.add_argument("--build-dir", default=str(REPO / "build" / "bench"))
    p.add_argument("--out", help="results directory (default bench/results/<timestamp>)")
    p.add_argument("--skip-install", action="store_true")
    p.add_argument("--skip-build", action="store_true")
    p.add_argument("--keep-broker", action="store_true", help="leave the broker running at the end")
    p.add_argument("--publish", action="store_true", help="also copy the plot to docs/images/benchmarks-latency.png")
    p.add_argument("--replot", metavar="RESULTS_DIR", help="only render the plot again from RESULTS_DIR/results.json")
    args = p.parse_args()
    q = args.quick
    args.reps = args.reps or (1 if q else 3)
    args.count = args.count or (100000 if q else 300000)
    args.pipeline_count = args.pipeline_count or (20000 if q else 100000)
    args.latency_seconds = args.latency_seconds or (5 if q else 15)
    args.copier_count = args.copier_count or (10000 if q else 40000)
    args.e2e_messages = args.e2e_messages or (1000 if q else 3000)
    args.pipeline_rates = [int(x) for x in (args.pipeline_rates or ("1000,10000" if q else "1000,3000,10000,20000"))
                           .split(",") if x]
    args.python_rates = [int(x) for x in (args.python_rates or ("1000" if q else "1000,3000")).split(",") if x]
    args.raw_rates = [int(x) for x in args.raw_rates.split(",")] if args.raw_rates else \
        sorted(set(args.pipeline_rates) | ({30000} if not q else set()))
    if args.port == 9092:
        raise SystemExit("--port 9092 is the shared broker's; the benchmarks run their own")

    if args.replot:
        src = Path(args.replot)
        args.out = str(src)
        bench = Bench(args)
        summary = json.loads((src / "results.json").read_text())["summary"]
        if bench.plot(summary, src / "latency.png") and args.publish:
            dest = REPO / "docs" / "images" / "benchmarks-latency.png"
            shutil.copyfile(src / "latency.png", dest)
            log("plot copied to %s" % dest)
        return

    bench = Bench(args)

    def on_signal(signum, _frame):
        raise KeyboardInterrupt("signal %d" % signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    # Started in the background by a non-interactive shell, SIGINT arrives ignored: handle it anyway.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    code = 0
    try:
        bench.run()
    except KeyboardInterrupt:
        log("interrupted: stopping every child and the broker")
        code = 130
    except SystemExit as e:
        print(e, file=sys.stderr)
        code = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        bench.teardown()
        if bench.results:
            bench.report()
    sys.exit(code)


if __name__ == "__main__":
    main()
