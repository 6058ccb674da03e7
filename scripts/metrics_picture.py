#!/usr/bin/python3
"""Renders the StreamStore pipeline's metrics from a Prometheus server into one PNG.

The query + plot half of scripts/metrics-picture.sh, which runs the pipeline, has Prometheus scrape it and
then calls this. Only Debian's python3 and python3-matplotlib (no pip): run it with /usr/bin/python3.

    metrics_picture.py --prometheus http://127.0.0.1:19290 --start 1700000000 --end 1700000140 \\
        --phase '100 orders/s:1700000005:1700000045' ... --marker '50 malformed orders:1700000065' \\
        --out docs/images/pipeline-metrics.png

The queries are the Grafana dashboard's (deploy/monitoring/grafana/dashboards/streamstore.json), with a fixed
window (--window, 5 s: Prometheus scrapes every second) instead of $__rate_interval. It prints, per phase, the
figures of its last --steady seconds (the steady state) to stdout.
"""

import argparse
import datetime
import json
import math
import os
import platform
import sys
import textwrap
import urllib.parse
import urllib.request

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after use())
from matplotlib.ticker import FuncFormatter  # noqa: E402


class Prometheus:
    def __init__(self, url):
        self.url = url.rstrip("/")

    def _get(self, path, params):
        full = f"{self.url}{path}?{urllib.parse.urlencode(params)}"
        with urllib.request.urlopen(full, timeout=30) as response:
            body = json.load(response)
        if body.get("status") != "success":
            raise RuntimeError(f"{params.get('query')}: {body.get('errorType')}: {body.get('error')}")
        return body["data"]

    def range(self, query, start, end, step):
        """[(labels, [(t, value), ...]), ...]; NaN samples (e.g. a quantile of no events) are dropped."""
        data = self._get("/api/v1/query_range", {"query": query, "start": start, "end": end, "step": step})
        out = []
        for series in data["result"]:
            points = [(float(t), float(v)) for t, v in series["values"] if not math.isnan(float(v))]
            out.append((series["metric"], points))
        return out

    def instant(self, query, at):
        """The value of a query that returns one series at most (None when empty or NaN)."""
        data = self._get("/api/v1/query", {"query": query, "time": at})
        for series in data["result"]:
            value = float(series["value"][1])
            return None if math.isnan(value) else value
        return None


def parse_phase(text):
    label, start, end = text.rsplit(":", 2)
    return label, float(start), float(end)


def parse_marker(text):
    label, at = text.rsplit(":", 1)
    return label, float(at)


def machine_description():
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"nproc {len(os.sched_getaffinity(0))}, {model}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--prometheus", required=True, help="base URL of the Prometheus server")
    ap.add_argument("--start", type=float, required=True, help="unix time, seconds: start of the plot")
    ap.add_argument("--end", type=float, required=True, help="unix time, seconds: end of the plot")
    ap.add_argument("--zero", type=float, help="unix time shown as t = 0 (default: the first phase's start)")
    ap.add_argument("--step", type=float, default=1.0, help="query_range resolution, seconds (default 1)")
    ap.add_argument("--window", default="5s", help="rate()/quantile window (default 5s)")
    ap.add_argument("--steady", type=float, default=30.0,
                    help="seconds at the end of each phase that count as its steady state (default 30)")
    ap.add_argument("--phase", action="append", default=[], type=parse_phase,
                    help="LABEL:START:END (unix seconds); shaded and summarised; repeatable")
    ap.add_argument("--marker", action="append", default=[], type=parse_marker,
                    help="LABEL:TIME (unix seconds): a vertical line on every panel; repeatable")
    ap.add_argument("--subtitle", default="", help="a second title line (what ran, where)")
    ap.add_argument("--out", required=True, help="the PNG to write")
    ap.add_argument("--dpi", type=int, default=100)
    args = ap.parse_args()

    prom = Prometheus(args.prometheus)
    w = args.window
    zero = args.zero if args.zero is not None else (args.phase[0][1] if args.phase else args.start)

    def fetch(query):
        return prom.range(query, args.start, args.end, args.step)

    def xs(points):
        return [t - zero for t, _ in points]

    def ys(points, scale=1.0):
        return [v * scale for _, v in points]

    # ---- queries (the dashboard's, per panel) -------------------------------------------------------------
    throughput = [
        ("orders sent (order-generator)",
         f"sum(rate(streamstore_orders_sent_total[{w}]))",
         dict(color="tab:purple", linestyle="-.", linewidth=1.2)),
        ("orders consumed (payment-service)",
         f'sum(rate(streamstore_records_consumed_total{{job="payment-service",topic="orders"}}[{w}]))',
         dict(color="tab:blue", linewidth=1.6)),
        ("payments produced (payment-service)",
         f'sum(rate(streamstore_records_produced_total{{job="payment-service",topic="payments"}}[{w}]))',
         dict(color="tab:orange", linestyle="--", linewidth=1.4)),
        ("notifications produced (notification-service; 2 per order)",
         f'sum(rate(streamstore_records_produced_total{{job="notification-service",topic="notifications"}}[{w}]))',
         dict(color="tab:green", linewidth=1.6)),
    ]
    lag_query = "sum by (job) (streamstore_consumer_lag)"
    latency_queries = [
        ("p50", f"histogram_quantile(0.5, sum by (le) (rate(streamstore_order_to_notification_seconds_bucket{{kind='payment'}}[{w}])))",
         dict(color="tab:blue", linewidth=1.6)),
        ("p99", f"histogram_quantile(0.99, sum by (le) (rate(streamstore_order_to_notification_seconds_bucket{{kind='payment'}}[{w}])))",
         dict(color="tab:red", linewidth=1.6)),
    ]
    payments_query = f"sum by (status) (rate(streamstore_payments_total[{w}]))"
    dead_letters_query = "sum by (topic, error_class) (streamstore_dead_letters_total)"
    committed_query = f"sum by (job) (rate(streamstore_transactions_committed_total[{w}]))"
    aborted_query = f"sum by (job) (rate(streamstore_transactions_aborted_total[{w}]))"

    def fmt(value, unit="", scale=1.0, digits=0):
        return "-" if value is None else f"{value * scale:,.{digits}f}{unit}"

    # ---- the figures of each phase: rates and latency over its last --steady seconds, lag over all of it ------
    def mean_in(query, start, end):
        values = [v for _, points in prom.range(query, start, end, args.step) for _, v in points]
        return sum(values) / len(values) if values else None

    def max_in(query, start, end):
        values = [v for _, points in prom.range(query, start, end, args.step) for _, v in points]
        return max(values) if values else None

    bucket = 'streamstore_order_to_notification_seconds_bucket{kind="payment"}'
    commits = "sum(rate(streamstore_transactions_committed_total{job=\"%s\"}[" + w + "]))"
    stats = {}
    for label, start, end in args.phase:
        s = max(start, end - args.steady)
        win = f"{int(round(end - s))}s"
        stats[label] = dict(
            p50=prom.instant(f"histogram_quantile(0.5, sum by (le) (increase({bucket}[{win}])))", end),
            p99=prom.instant(f"histogram_quantile(0.99, sum by (le) (increase({bucket}[{win}])))", end),
            consumed=mean_in(throughput[1][1], s, end),
            notified=mean_in(throughput[3][1], s, end),
            lag_pay=max_in('sum(streamstore_consumer_lag{job="payment-service"})', start, end),
            lag_not=max_in('sum(streamstore_consumer_lag{job="notification-service"})', start, end),
            commits_pay=mean_in(commits % "payment-service", s, end),
            commits_not=mean_in(commits % "notification-service", s, end),
            aborts=prom.instant(f"sum(increase(streamstore_transactions_aborted_total[{int(round(end - start))}s]))",
                                end),
        )

    # ---- figure --------------------------------------------------------------------------------------------
    fig, axes = plt.subplots(3, 2, figsize=(15, 12.5), sharex=True)
    (ax_tp, ax_lag), (ax_lat, ax_pay), (ax_dlq, ax_tx) = axes
    day = datetime.datetime.fromtimestamp(args.start, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    title = f"StreamStore pipeline, one real run on {day} — {machine_description()}"
    lines = [title] + textwrap.wrap(args.subtitle, 165)
    fig.suptitle("\n".join(lines), fontsize=12)
    job_colors = {"payment-service": "tab:blue", "notification-service": "tab:green", "order-generator": "0.5"}

    def decorate(ax, ylabel, title, headroom=1.12, thousands_ticks=True):
        """Title, grid, phases and markers, y from 0 with `headroom` above the data (for the labels)."""
        ax.set_title(title, fontsize=11, loc="left")
        ax.set_ylabel(ylabel)
        ax.grid(True, alpha=0.3)
        for i, (label, start, end) in enumerate(args.phase):
            ax.axvspan(start - zero, end - zero, color="0.85" if i % 2 == 0 else "0.92", zorder=0, linewidth=0)
        for label, at in args.marker:
            ax.axvline(at - zero, color="tab:purple", linestyle="--", linewidth=1, alpha=0.7)
        ax.set_xlim(args.start - zero, args.end - zero)
        ax.set_ylim(bottom=0, top=max(ax.get_ylim()[1], 1) * headroom)
        if thousands_ticks:
            thousands(ax)
        phase_labels(ax)

    def legend_top_left(ax):
        ax.legend(loc="upper left", fontsize=8.5, bbox_to_anchor=(0, 0.93))

    def phase_labels(ax):
        for label, start, end in args.phase:
            ax.text((start + end) / 2 - zero, 0.985, label, transform=ax.get_xaxis_transform(),
                    ha="center", va="top", fontsize=9, color="0.25")

    def thousands(ax):
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))

    # throughput
    if args.phase:
        target_x, target_y = [], []
        for label, start, end in args.phase:
            rate = float(label.split()[0])
            target_x += [start - zero, start - zero, end - zero, end - zero]
            target_y += [0, rate, rate, 0]
        ax_tp.plot(target_x, target_y, color="0.35", linestyle=":", linewidth=1.4, label="order-generator --rate")
    for label, query, style in throughput:
        series = fetch(query)
        if not series and "order-generator" in label:
            print("metrics-picture: note: no streamstore_orders_sent_total (order-generator)")
        for _, points in series:
            ax_tp.plot(xs(points), ys(points), label=label, **style)
    decorate(ax_tp, "records / s", f"Throughput (rate over {w})")
    legend_top_left(ax_tp)

    # consumer lag
    lag_series = fetch(lag_query)
    for labels, points in sorted(lag_series, key=lambda s: s[0].get("job", "")):
        job = labels.get("job", "?")
        ax_lag.plot(xs(points), ys(points), label=job, color=job_colors.get(job), linewidth=1.6, drawstyle="steps-post")
    decorate(ax_lag, "records behind (sum over partitions)", "Consumer lag per service (end − position)")
    if lag_series:
        legend_top_left(ax_lag)
    else:
        ax_lag.text(0.5, 0.5, "no streamstore_consumer_lag series", transform=ax_lag.transAxes, ha="center")

    # latency
    for label, query, style in latency_queries:
        for _, points in fetch(query):
            ax_lat.plot(xs(points), ys(points, 1000.0), label=label, **style)
    decorate(ax_lat, "ms (from the order's creation)",
             f"Order → notification latency (histogram_quantile over rate [{w}])", headroom=1.25)
    for label, start, end in args.phase:
        st = stats[label]
        ax_lat.text((start + end) / 2 - zero, 0.90,
                    f"last {args.steady:.0f} s:\np50 {fmt(st['p50'], ' ms', 1000)}\np99 {fmt(st['p99'], ' ms', 1000)}",
                    transform=ax_lat.get_xaxis_transform(), ha="center", va="top", fontsize=8.5, color="0.15")
    ax_lat.set_xlabel("order created → its payment's notification committed (kind=\"payment\"); quantiles "
                      "interpolated within the buckets …, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2 s", fontsize=8, color="0.3")
    legend_top_left(ax_lat)

    # payments
    pay_colors = {"approved": "tab:green", "declined": "tab:red"}
    for labels, points in sorted(fetch(payments_query), key=lambda s: s[0].get("status", "")):
        status = labels.get("status", "?")
        ax_pay.plot(xs(points), ys(points), label=status, color=pay_colors.get(status), linewidth=1.6)
    decorate(ax_pay, "payments / s", f"Payments approved vs declined (rate over {w})")
    legend_top_left(ax_pay)

    # dead letters (cumulative: a burst of 50 is a spike of width `w` as a rate, a clear step as a total)
    dlq_series = fetch(dead_letters_query)
    dlq_series.sort(key=lambda s: (s[0].get("topic", ""), s[0].get("error_class", "")))
    if dlq_series:
        # Stacked, on a common 1 s grid; a counter's series appears with its first dead letter (0 before it).
        grid = [t for _, points in dlq_series for t, _ in points]
        grid = sorted(set(grid) | {min(grid) - args.step, args.end})
        layers = []
        for labels, points in dlq_series:
            values, last, lookup = [], 0.0, dict(points)
            for t in grid:
                last = lookup.get(t, last)
                values.append(last)
            layers.append(values)
        ax_dlq.stackplot([t - zero for t in grid], layers, step="post", alpha=0.85,
                         labels=[f"{l.get('topic', '?')}: {l.get('error_class', '?')}" for l, _ in dlq_series])
    decorate(ax_dlq, "records dead-lettered (total, stacked)", "Dead letters by source topic and error class",
             headroom=1.15, thousands_ticks=False)
    for label, at in args.marker:
        ax_dlq.text(at - zero, 0.5, " " + label, transform=ax_dlq.get_xaxis_transform(), color="tab:purple",
                    fontsize=8.5, rotation=90, va="center", ha="right")
    if dlq_series:
        legend_top_left(ax_dlq)
    else:
        ax_dlq.text(0.5, 0.5, "no dead letters", transform=ax_dlq.transAxes, ha="center")

    # transactions (order-generator's producer is idempotent, not transactional: its zero series are left out)
    for query, verb, style in ((committed_query, "committed", "-"), (aborted_query, "aborted", ":")):
        for labels, points in sorted(fetch(query), key=lambda s: s[0].get("job", "")):
            job = labels.get("job", "?")
            if job == "order-generator":
                continue
            ax_tx.plot(xs(points), ys(points), label=f"{job} {verb}", color=job_colors.get(job), linestyle=style,
                       linewidth=1.6 if verb == "committed" else 2.4)
    decorate(ax_tx, "transactions / s", f"Transactions committed and aborted (rate over {w})",
             thousands_ticks=False)
    aborted = prom.instant('sum(streamstore_transactions_aborted_total{job!="order-generator"})', args.end)
    ax_tx.text(0.99, 0.86, f"aborted in the whole run: {fmt(aborted)}", transform=ax_tx.transAxes, ha="right",
               fontsize=9)
    ax_tx.legend(loc="upper right", fontsize=8.5, bbox_to_anchor=(1, 0.84))

    for ax in axes[-1]:
        ax.set_xlabel("time since the first order (s)")
    fig.tight_layout(rect=(0, 0, 1, 0.985))
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    fig.savefig(args.out, dpi=args.dpi)
    print(f"metrics-picture: wrote {args.out}")

    print(f"metrics-picture: per phase; rates and latency over each phase's last {args.steady:.0f} s,"
          " lag over all of it")
    print(f"  {'phase':<15} {'orders in/s':>11} {'notif./s':>9} {'lat. p50':>9} {'lat. p99':>9} {'max lag':>8} "
          f"{'max lag':>8} {'commits/s':>9} {'commits/s':>9} {'aborts':>6}")
    print(f"  {'':<15} {'':>11} {'':>9} {'':>9} {'':>9} {'payment':>8} {'notif.':>8} {'payment':>9} "
          f"{'notif.':>9}")
    for label, st in stats.items():
        print(f"  {label:<15} {fmt(st['consumed']):>11} {fmt(st['notified']):>9} {fmt(st['p50'], ' ms', 1000):>9} "
              f"{fmt(st['p99'], ' ms', 1000):>9} {fmt(st['lag_pay']):>8} {fmt(st['lag_not']):>8} "
              f"{fmt(st['commits_pay'], '', 1, 1):>9} {fmt(st['commits_not'], '', 1, 1):>9} {fmt(st['aborts']):>6}")
    total_dlq = prom.instant("sum(streamstore_dead_letters_total)", args.end)
    by_class = prom.range("sum by (topic, error_class) (streamstore_dead_letters_total)", args.end, args.end, 1)
    classes = ", ".join(f"{l.get('topic')} {l.get('error_class')} {int(p[-1][1])}" for l, p in by_class if p)
    print(f"  dead letters at the end: {fmt(total_dlq)} ({classes or 'none'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
