"""Shared by the Python peer (order_producer.py, payment_service.py, notification_service.py).

The peer is the pipeline a user would otherwise write, the way the original Python demos are
written: a plain consume loop, json, produce, poll, on Debian's python3-confluent-kafka (so the
same librdkafka 2.0.2 as the C++ services). It is not crippled: the same acks, idempotence,
compression and linger as the services, batched consume() (up to 500 records or 10 ms, so a
batch never holds a record back for long), and the same commit pattern
(at-least-once: flush, then commit, every --commit-interval; exactly-once: one transaction per
interval).
"""

import argparse
import json
import signal
import sys
import time
import uuid

PRODUCER_SETTINGS = {
    "acks": "all",
    "enable.idempotence": True,
    "compression.type": "lz4",
    "linger.ms": 5,
    "message.timeout.ms": 30000,
}

CONSUMER_SETTINGS = {
    "auto.offset.reset": "earliest",
    "enable.auto.commit": False,
    "isolation.level": "read_committed",
    "partition.assignment.strategy": "cooperative-sticky",
}


def parser(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("-b", "--bootstrap-server", default="127.0.0.1:9092")
    p.add_argument("-X", dest="props", action="append", default=[], metavar="KEY=VALUE",
                   help="extra librdkafka property (overrides the defaults)")
    return p


def props(args):
    out = {}
    for kv in args.props:
        k, _, v = kv.partition("=")
        out[k] = v
    return out


def now_ms():
    return int(time.time() * 1000)


class Stop:
    """SIGINT/SIGTERM set `requested`; the loops check it between batches."""

    def __init__(self):
        self.requested = False
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)

    def _on_signal(self, *_):
        self.requested = True


def summary(name, **fields):
    print(json.dumps({"peer": name, **fields}), flush=True)


def event(event_type, data, event_id=None):
    t = now_ms()
    return {"event_id": event_id or str(uuid.uuid4()), "event_type": event_type,
            "schema_version": 1, "occurred_at_ms": t, "data": data}


def derived_id(kind, source_id):
    return str(uuid.uuid5(uuid.NAMESPACE_OID, kind + ":" + source_id))


def money(cents, currency):
    return "%s %d.%02d" % (currency, cents // 100, cents % 100)


class Committer:
    """Commits every `interval_s` the way the services do: at-least-once flushes the producer and
    then commits the consumed offsets; exactly-once commits a transaction holding the outputs and
    the offsets."""

    def __init__(self, consumer, producer, exactly_once, interval_s):
        self.consumer, self.producer = consumer, producer
        self.exactly_once, self.interval_s = exactly_once, interval_s
        self.pending = 0
        self.commits = 0
        self.next_at = time.monotonic() + interval_s
        if exactly_once:
            producer.init_transactions()
            producer.begin_transaction()

    def maybe_commit(self, force=False):
        if not force and time.monotonic() < self.next_at:
            return
        self.next_at = time.monotonic() + self.interval_s
        if self.pending == 0:
            return
        if self.exactly_once:
            assignment = self.consumer.assignment()
            self.producer.send_offsets_to_transaction(
                self.consumer.position(assignment), self.consumer.consumer_group_metadata())
            self.producer.commit_transaction()
            self.producer.begin_transaction()
        else:
            self.producer.flush()
            self.consumer.commit(asynchronous=False)
        self.commits += 1
        self.pending = 0


def consumer_settings(args, group):
    return {"bootstrap.servers": args.bootstrap_server, "group.id": group, **CONSUMER_SETTINGS, **props(args)}


def producer_settings(args, **extra):
    return {"bootstrap.servers": args.bootstrap_server, **PRODUCER_SETTINGS, **extra, **props(args)}


def fail(message):
    print("error: " + message, file=sys.stderr)
    sys.exit(1)
