#!/usr/bin/python3
"""Profiles the services where the benchmarks say they miss their targets (docs/benchmarks.md).

    bench/profile.py                  perf + heaptrack of each case below (about 5 minutes)
    bench/profile.py --callgrind      also valgrind's callgrind (slow: a small run per case)
    bench/profile.py --cases payment-alo,notification-eos

On its own broker (bench/run.py's: port 19092, .kafka-bench, wiped), prefilled with real orders,
each case drains the prefilled topic under
  - perf record (sampling, 999 Hz): where CPU time goes, by shared object and symbol;
  - heaptrack: allocations per record, peak heap, who allocates;
  - callgrind (--callgrind): instructions per function, exact but ~50x slower.
Reports go to bench/results/profile-<timestamp>/ (<case>.perf.txt, <case>.heaptrack.txt,
<case>.callgrind.txt) and a summary.md with the top symbols and allocation counts per record.
Needs linux-perf, heaptrack and valgrind (bench/install-deps.sh installs them).
"""

import argparse
import datetime
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (the driver: Proc, Kafka, watch_drain, broker handling)

CASES = ["payment-alo", "payment-eos", "notification-eos", "order-generator"]


def descendants(pid):
    out = []
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, tid)) as f:
                for child in f.read().split():
                    out.append(int(child))
                    out += descendants(int(child))
    except OSError:
        pass
    return out


def service_pid(wrapper_pid, name, timeout=20):
    """The service process started under perf / heaptrack / valgrind."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for pid in [wrapper_pid] + descendants(wrapper_pid):
            try:
                exe = os.readlink("/proc/%d/exe" % pid)
                cmdline = Path("/proc/%d/cmdline" % pid).read_bytes().split(b"\0")[0].decode()
            except OSError:
                continue
            if exe.endswith("/" + name) or (cmdline.endswith("/" + name) and "valgrind" in exe):
                return pid
        time.sleep(0.1)
    return None


class Profiler(run.Bench):
    def __init__(self, args):
        args.quick, args.max_minutes, args.only, args.publish = False, 60, None, False
        args.service_x = getattr(args, "service_x", [])
        args.keep_broker = False
        args.reps = 1
        super().__init__(args)
        self.install_args = []
        self.summary = []

    def wrapped(self, tool, case, argv):
        base = self.out / case
        if tool == "perf":
            return ["perf", "record", "-F", "999", "-o", "%s.perf.data" % base, "--", *argv]
        if tool == "heaptrack":
            return ["heaptrack", "-o", "%s.heaptrack" % base, *argv]
        return ["valgrind", "--tool=callgrind", "--callgrind-out-file=%s.callgrind.out" % base, *argv]

    def case_argv(self, case, tag):
        s = self.svc
        flags = ["-b", self.bootstrap, "--log-level", "warn"]
        if case.startswith("payment"):
            guarantee = "at-least-once" if case == "payment-alo" else "exactly-once"
            out = tag + "-payments"
            return (s("payment-service"), [s("payment-service"), *flags, "--orders-topic", self.orders,
                                           "--payments-topic", out, "-g", tag, "--processing-guarantee", guarantee,
                                           "--transactional-id", tag], out, {self.orders: self.targets})
        if case == "notification-eos":
            out = tag + "-notifications"
            return (s("notification-service"), [s("notification-service"), *flags, "--orders-topic", self.orders,
                                                "--payments-topic", self.payments, "--notifications-topic", out, "-g",
                                                tag, "--output", "none", "--transactional-id", tag], out,
                    {self.orders: self.targets, self.payments: self.payment_targets})
        return (s("order-generator"), [s("order-generator"), *flags, "--topic", tag + "-orders", "--count",
                                       self.count, "--interval", "0"], tag + "-orders", None)

    def profile(self, tool, case, count):
        tag = self.uid("prof-%s-%s" % (tool, case))
        binary, argv, output, targets = self.case_argv(case, tag)
        self.kafka.create_topics([output, self.orders + ".dlq", self.payments + ".dlq"])
        wrapper = run.Proc("%s-%s" % (case, tool), self.wrapped(tool, case, argv), self.logs)
        pid = service_pid(wrapper.pid, Path(binary).name)
        if pid is None:
            wrapper.stop(5)
            raise run.StepFailed("%s did not start under %s: %s" % (case, tool, wrapper.errors()))
        t0 = time.monotonic()
        if targets is None:
            wrapper.wait(600)
        else:
            if count < self.count:  # a smaller run (callgrind): only the first `count` records matter
                targets = {t: {p: o * count // self.count for p, o in parts.items()} for t, parts in targets.items()}
                run.wait_records(self.kafka, output, sum(sum(p.values()) for p in targets.values()), [wrapper],
                                 timeout=1800)
            else:
                run.watch_drain(self.kafka, tag, targets, output, [wrapper], timeout=1800)
            os.kill(pid, signal.SIGTERM)
            wrapper.wait(120)
        return tag, time.monotonic() - t0

    def run_perf(self, case):
        self.profile("perf", case, self.count)
        data = self.out / ("%s.perf.data" % case)
        rep = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children", "--sort", "dso,symbol",
                              "--percent-limit", "0.5"], capture_output=True, text=True)
        (self.out / ("%s.perf.txt" % case)).write_text(rep.stdout)
        dso = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children", "--sort", "dso"],
                             capture_output=True, text=True)
        (self.out / ("%s.perf-dso.txt" % case)).write_text(dso.stdout)
        comm = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children", "--sort", "comm"],
                              capture_output=True, text=True)
        (self.out / ("%s.perf-threads.txt" % case)).write_text(comm.stdout)

        def rows(text, n):
            return [l.rstrip() for l in text.splitlines() if re.match(r"\s+\d+\.\d+%", l)][:n]
        self.summary += ["### %s: perf, CPU by thread (rdk:* are librdkafka's)" % case, "", "```",
                         *rows(comm.stdout, 8), "```", "",
                         "### %s: perf, CPU by shared object" % case, "", "```", *rows(dso.stdout, 8), "```", "",
                         "### %s: perf, top symbols (self)" % case, "", "```",
                         *[re.sub(r"\s+-\s+-\s*$", "", l) for l in rows(rep.stdout, 18)], "```", ""]

    def run_heaptrack(self, case):
        self.profile("heaptrack", case, self.count)
        files = sorted(self.out.glob("%s.heaptrack*" % case))
        if not files:
            raise run.StepFailed("no heaptrack output for %s" % case)
        rep = subprocess.run(["heaptrack_print", "-f", [f for f in files if f.suffix != ".txt"][-1],
                              "--print-peaks", "1", "--print-allocators", "1", "--print-temporary", "0",
                              "--peak-limit", "8", "--sub-peak-limit", "2"], capture_output=True, text=True)
        (self.out / ("%s.heaptrack.txt" % case)).write_text(rep.stdout)
        calls = re.search(r"calls to allocation functions: (\d+) \(", rep.stdout)
        temp = re.search(r"temporary memory allocations: (\d+)", rep.stdout)
        peak = re.search(r"peak heap memory consumption: (.*)", rep.stdout)
        rss = re.search(r"peak RSS \(including heaptrack overhead\): (.*)", rep.stdout)
        records = self.count * (2 if case.startswith("notification") else 1)
        line = "%s: %s allocations (%.1f per record), %s temporary, peak heap %s, peak RSS %s" % (
            case, calls.group(1) if calls else "?", int(calls.group(1)) / records if calls else 0,
            temp.group(1) if temp else "?", peak.group(1) if peak else "?", rss.group(1) if rss else "?")
        self.summary += ["- heaptrack " + line, ""]

    def run_callgrind(self, case):
        count = self.args.callgrind_count
        self.profile("callgrind", case, count)
        out = self.out / ("%s.callgrind.out" % case)
        rep = subprocess.run(["callgrind_annotate", "--inclusive=no", out], capture_output=True, text=True)
        (self.out / ("%s.callgrind.txt" % case)).write_text(rep.stdout)
        total = re.search(r"([\d,]+) \(100.0%\)\s+PROGRAM TOTALS", rep.stdout)
        if total:
            ir = int(total.group(1).replace(",", ""))
            self.summary += ["- callgrind %s: %s instructions in all, %.0f per record (start-up included)" % (
                case, total.group(1), ir / count), ""]

    def run(self):
        self.setup()
        self.count = self.args.count
        self.orders = "orders-prefill"
        self.kafka.create_topics([self.orders])
        run.run_to_end("prefill", [self.raw("raw-produce"), "--bootstrap-server", self.bootstrap, "--topic",
                                   self.orders, "--count", self.count, "--unique", 1, "--seed", 1], self.logs, 300)
        self.targets = self.kafka.end_offsets(self.orders)
        # notification-service reads non-transactional payments: an unprofiled at-least-once run makes them
        self.payments = "payments-alo"
        self.kafka.create_topics([self.payments])
        p = run.Proc("payments", [self.svc("payment-service"), "-b", self.bootstrap, "--log-level", "warn",
                                  "--orders-topic", self.orders, "--payments-topic", self.payments, "-g",
                                  "payments-alo", "--processing-guarantee", "at-least-once"], self.logs)
        run.watch_drain(self.kafka, "payments-alo", {self.orders: self.targets}, self.payments, [p], timeout=600)
        p.stop()
        self.payment_targets = self.kafka.end_offsets(self.payments)
        for case in self.args.cases.split(","):
            for tool in ["perf", "heaptrack"] + (["callgrind"] if self.args.callgrind else []):
                self.step("%s.%s" % (case, tool), lambda c=case, t=tool: getattr(self, "run_" + t)(c))
        head = ["# StreamStore profiles", "", "%d records per case; machine: %s" % (self.count, self.machine()), ""]
        (self.out / "summary.md").write_text("\n".join(head + self.summary +
                                                       ["- failed: %s: %s" % f for f in self.failures]) + "\n")
        print("\n".join(head + self.summary))
        run.log("profiles in %s" % self.out)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cases", default=",".join(CASES), help="comma-separated: " + ", ".join(CASES))
    p.add_argument("--count", type=int, default=200000, help="records each case drains")
    p.add_argument("--callgrind", action="store_true", help="also run callgrind (slow)")
    p.add_argument("--callgrind-count", type=int, default=20000, help="records a callgrind case processes")
    p.add_argument("--port", type=int, default=19092)
    p.add_argument("--kafka-dir", default=str(run.REPO / ".kafka-bench"))
    p.add_argument("--build-dir", default=str(run.REPO / "build" / "bench"))
    p.add_argument("--out", default=str(run.BENCH / "results" /
                                         ("profile-" + datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))))
    p.add_argument("--skip-install", action="store_true")
    p.add_argument("--skip-build", action="store_true")
    args = p.parse_args()
    prof = Profiler(args)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    code = 0
    try:
        prof.run()
    except KeyboardInterrupt:
        code = 130
    except SystemExit as e:
        print(e, file=sys.stderr)
        code = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        prof.teardown()
    sys.exit(code)


if __name__ == "__main__":
    main()
