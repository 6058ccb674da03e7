#!/usr/bin/python3
"""Checks that the system librdkafka (Debian bookworm: 2.0.2) works against the local Kafka broker.

Runs against a broker started by scripts/kafka-local.sh (bootstrap 127.0.0.1:$STREAMSTORE_KAFKA_PORT, default 9092)
through Debian's python3-confluent-kafka (1.7.0), which is built on the system librdkafka. It verifies what
StreamStore's services rely on:

  1. plain produce/consume round trip: keys, headers, CreateTime timestamps, every compression codec
  2. consumer groups: subscribe, synchronous commit, a second member resumes from the committed offsets
  3. two members of one group split the partitions (classic range assignor) and each message is read once
  4. cooperative-sticky assignor: the second member triggers an incremental rebalance (the first member keeps
     part of its partitions, never revokes them all), and gets them all back when the second leaves
  5. idempotent producer (enable.idempotence=true, acks=all): producer id assigned, no duplicates, order kept
  6. transactions: init, begin, produce, send_offsets_to_transaction, commit and abort; a read_committed
     consumer sees only committed records, read_uncommitted sees the aborted ones too, the group's committed
     offsets are the ones of the committed transactions; after abort the consumer seeks back (KAFKA-17582)
  7. transactional fencing: a second producer with the same transactional.id fences the first one

Every topic and group name carries a run id, so it can be re-run against the same broker.
Prints what it verified; exits 1 if anything failed, 2 if the broker is unreachable.

Usage: /usr/bin/python3 scripts/check-kafka-compat.py [--bootstrap 127.0.0.1:9092]
(Use /usr/bin/python3: Debian's confluent_kafka is not visible to other Pythons, e.g. pyenv's.)
"""

import argparse
import json
import os
import sys
import time
import traceback
import uuid

try:
    import confluent_kafka as ck
    from confluent_kafka import KafkaError, KafkaException, TopicPartition
    from confluent_kafka.admin import AdminClient, NewTopic
except ImportError:
    sys.exit("confluent_kafka missing: apt-get install python3-confluent-kafka, and run with /usr/bin/python3")

RUN = uuid.uuid4().hex[:8]
BOOTSTRAP = "127.0.0.1:%s" % os.environ.get("STREAMSTORE_KAFKA_PORT", "9092")
TIMEOUT = 30.0  # seconds for any single wait

results = []  # (name, ok, detail)


def log(msg):
    print(msg, flush=True)


def check(name):
    """Decorator: runs a check, records PASS/FAIL with its detail string or the exception."""
    def wrap(fn):
        def run():
            t0 = time.monotonic()
            try:
                detail = fn()
                results.append((name, True, detail))
                log("PASS  %-34s %s (%.1fs)" % (name, detail, time.monotonic() - t0))
            except Exception as e:  # noqa: BLE001 - report everything
                results.append((name, False, repr(e)))
                log("FAIL  %-34s %r (%.1fs)" % (name, e, time.monotonic() - t0))
                traceback.print_exc()
        return run
    return wrap


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


_admin = None


def admin():
    # One long-lived client: a temporary AdminClient is destroyed before its futures complete (_DESTROY).
    global _admin
    if _admin is None:
        _admin = AdminClient({"bootstrap.servers": BOOTSTRAP})
    return _admin


def create_topic(name, partitions=3):
    fs = admin().create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1)],
                               operation_timeout=TIMEOUT, request_timeout=TIMEOUT)
    fs[name].result(timeout=TIMEOUT)
    # Wait until metadata shows every partition with a leader.
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        md = admin().list_topics(topic=name, timeout=10).topics.get(name)
        if md and not md.error and len(md.partitions) == partitions and \
                all(p.leader >= 0 for p in md.partitions.values()):
            return name
        time.sleep(0.2)
    raise AssertionError("topic %s not ready" % name)


def dotted(extra):
    """enable_idempotence=True -> {"enable.idempotence": True}; callbacks (*_cb) keep their names."""
    return {(k if k.endswith("_cb") else k.replace("_", ".")): v for k, v in extra.items()}


def producer(**extra):
    conf = {"bootstrap.servers": BOOTSTRAP, "linger.ms": 5}
    conf.update(dotted(extra))
    return ck.Producer(conf)


def consumer(group, **extra):
    conf = {"bootstrap.servers": BOOTSTRAP, "group.id": group, "auto.offset.reset": "earliest",
            "enable.auto.commit": False, "session.timeout.ms": 10000, "heartbeat.interval.ms": 1000}
    conf.update(dotted(extra))
    return ck.Consumer(conf)


def produce_all(p, topic, records, **kw):
    """records: iterable of (key, value); returns delivered messages; raises on any delivery error."""
    delivered, errors = [], []

    def cb(err, msg):
        (errors if err else delivered).append(err or msg)

    for k, v in records:
        while True:
            try:
                p.produce(topic, key=k, value=v, on_delivery=cb, **kw)
                break
            except BufferError:
                p.poll(0.1)
        p.poll(0)
    left = p.flush(TIMEOUT)
    expect(left == 0, "%d messages not delivered within %ss" % (left, TIMEOUT))
    expect(not errors, "delivery errors: %s" % errors[:3])
    return delivered


def consume(c, n, timeout=TIMEOUT, settle=0.0):
    """Polls until n messages arrived (then `settle` more seconds to catch extras); raises on errors."""
    out = []
    deadline = time.monotonic() + timeout
    while len(out) < n and time.monotonic() < deadline:
        m = c.poll(0.2)
        if m is None:
            continue
        if m.error():
            if m.error().code() == KafkaError._PARTITION_EOF:
                continue
            raise KafkaException(m.error())
        out.append(m)
    end = time.monotonic() + settle
    while time.monotonic() < end:
        m = c.poll(0.2)
        if m is not None and not m.error():
            out.append(m)
    return out


def values(msgs):
    return [m.value().decode() for m in msgs]


def poll_all(consumers, seconds):
    end = time.monotonic() + seconds
    got = []
    while time.monotonic() < end:
        for c in consumers:
            m = c.poll(0.05)
            if m is not None and not m.error():
                got.append(m)
    return got


def wait_assignment(consumers, predicate, what):
    """Polls all consumers (so they take part in the rebalance) until predicate(assignments) holds."""
    deadline = time.monotonic() + TIMEOUT
    collected = []
    while time.monotonic() < deadline:
        collected += poll_all(consumers, 0.3)
        asg = [{tp.partition for tp in c.assignment()} for c in consumers]
        if predicate(asg):
            return asg, collected
    raise AssertionError("%s: assignments stayed %s" % (what, [sorted(a) for a in asg]))


# ---------------------------------------------------------------------------------------------------------------

@check("round trip + headers + codecs")
def t_roundtrip():
    topic = create_topic("compat-rt-%s" % RUN, 1)
    codecs = ["none", "gzip", "snappy", "lz4", "zstd"]
    before = time.time() * 1000
    for codec in codecs:
        p = producer(compression_type=codec)
        produce_all(p, topic, [(b"k-" + codec.encode(), ("v-%s-%d" % (codec, i)).encode()) for i in range(50)],
                    headers=[("codec", codec.encode())])
    c = consumer("compat-rt-%s" % RUN)
    c.subscribe([topic])
    msgs = consume(c, 50 * len(codecs))
    c.close()
    expect(len(msgs) == 50 * len(codecs), "got %d of %d" % (len(msgs), 50 * len(codecs)))
    for m in msgs:
        codec = dict(m.headers())["codec"].decode()
        expect(m.key() == b"k-" + codec.encode(), "key mismatch %r" % m.key())
        expect(m.value().decode().startswith("v-%s-" % codec), "value mismatch %r" % m.value())
        ts_type, ts = m.timestamp()
        expect(ts_type == ck.TIMESTAMP_CREATE_TIME and before - 5000 <= ts <= time.time() * 1000 + 5000,
               "timestamp %r" % (m.timestamp(),))
    return "%d msgs, codecs %s, keys/headers/CreateTime ok" % (len(msgs), "/".join(codecs))


@check("group commit + resume")
def t_group_resume():
    topic = create_topic("compat-resume-%s" % RUN)
    group = "compat-resume-%s" % RUN
    sent = ["m%02d" % i for i in range(30)]
    produce_all(producer(), topic, [(("k%d" % i).encode(), v.encode()) for i, v in enumerate(sent)])

    c1 = consumer(group)
    c1.subscribe([topic])
    first = consume(c1, 15)
    expect(len(first) == 15, "first member got %d of 15" % len(first))
    c1.commit(asynchronous=False)
    committed = c1.committed([TopicPartition(topic, p) for p in range(3)], timeout=TIMEOUT)
    c1.close()
    total_committed = sum(max(tp.offset, 0) for tp in committed)
    expect(total_committed == 15, "committed offsets sum %d, expected 15" % total_committed)

    c2 = consumer(group)
    c2.subscribe([topic])
    rest = consume(c2, 15, settle=2.0)
    c2.close()
    got = values(first) + values(rest)
    expect(len(rest) == 15, "second member got %d, expected exactly the 15 uncommitted" % len(rest))
    expect(sorted(got) == sorted(sent), "union is not the 30 sent messages (dups/missing)")
    return "15 consumed+committed (offsets %s), new member resumed with exactly the other 15" % \
        {tp.partition: tp.offset for tp in committed}


@check("two members split partitions")
def t_split():
    topic = create_topic("compat-split-%s" % RUN)
    group = "compat-split-%s" % RUN
    a, b = consumer(group), consumer(group)
    a.subscribe([topic])
    b.subscribe([topic])
    asg, early = wait_assignment(
        [a, b], lambda s: all(s) and not (s[0] & s[1]) and (s[0] | s[1]) == {0, 1, 2}, "split")
    sent = ["s%03d" % i for i in range(60)]
    produce_all(producer(), topic, [(("k%d" % i).encode(), v.encode()) for i, v in enumerate(sent)])
    got = early
    deadline = time.monotonic() + TIMEOUT
    while len(got) < 60 and time.monotonic() < deadline:
        got += poll_all([a, b], 0.5)
    got += poll_all([a, b], 1.0)
    a.close()
    b.close()
    expect(sorted(values(got)) == sorted(sent), "got %d msgs, expected each of 60 once" % len(got))
    return "assignments %s / %s, 60 msgs each read once" % (sorted(asg[0]), sorted(asg[1]))


@check("cooperative-sticky rebalance")
def t_cooperative():
    topic = create_topic("compat-coop-%s" % RUN)
    group = "compat-coop-%s" % RUN
    events = {"a": [], "b": []}

    def cbs(name):
        return dict(on_assign=lambda c, parts: events[name].append(("+", sorted(p.partition for p in parts))),
                    on_revoke=lambda c, parts: events[name].append(("-", sorted(p.partition for p in parts))))

    a = consumer(group, partition_assignment_strategy="cooperative-sticky")
    b = consumer(group, partition_assignment_strategy="cooperative-sticky")
    a.subscribe([topic], **cbs("a"))
    wait_assignment([a], lambda s: s[0] == {0, 1, 2}, "first member gets all")
    b.subscribe([topic], **cbs("b"))
    asg, _ = wait_assignment(
        [a, b], lambda s: all(s) and not (s[0] & s[1]) and (s[0] | s[1]) == {0, 1, 2}, "incremental split")
    revoked_a = [p for kind, p in events["a"] if kind == "-"]
    expect(revoked_a and all(len(r) < 3 for r in revoked_a),
           "member a should revoke only part of its partitions, events %s" % events["a"])
    # Each member's partitions are always a subset of what it had: with eager rebalancing a would revoke all 3.
    produce_all(producer(), topic, [(("k%d" % i).encode(), b"c%d" % i) for i in range(30)])
    got = []
    deadline = time.monotonic() + TIMEOUT
    while len(got) < 30 and time.monotonic() < deadline:
        got += poll_all([a, b], 0.5)
    expect(len(got) == 30, "got %d of 30 after cooperative rebalance" % len(got))
    b.close()
    wait_assignment([a], lambda s: s[0] == {0, 1, 2}, "first member takes back all")
    a.close()
    return "a %s, b joins -> a revokes only %s, b gets %s; b leaves -> a has [0, 1, 2] (a events %s)" % (
        [0, 1, 2], revoked_a[0], sorted(asg[1]), events["a"])


@check("idempotent producer")
def t_idempotent():
    topic = create_topic("compat-idem-%s" % RUN)
    stats = []
    p = producer(enable_idempotence=True, acks="all", max_in_flight_requests_per_connection=5,
                 statistics_interval_ms=200, stats_cb=lambda s: stats.append(json.loads(s)))
    n = 3000
    delivered = produce_all(p, topic, [(("k%d" % (i % 10)).encode(), b"%06d" % i) for i in range(n)])
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not any(s.get("eos", {}).get("producer_id", -1) >= 0 for s in stats):
        p.poll(0.2)
    eos = next((s["eos"] for s in reversed(stats) if s.get("eos", {}).get("producer_id", -1) >= 0), None)
    expect(eos is not None, "no producer id in librdkafka stats: %s" % [s.get("eos") for s in stats[-2:]])
    expect(eos.get("idemp_state") == "Assigned", "idempotence state %s" % eos.get("idemp_state"))
    expect(len(delivered) == n, "delivered %d of %d" % (len(delivered), n))
    c = consumer("compat-idem-%s" % RUN)
    c.subscribe([topic])
    msgs = consume(c, n, settle=1.5)
    c.close()
    expect(len(msgs) == n, "read %d, expected exactly %d (duplicates or loss)" % (len(msgs), n))
    by_part = {}
    for m in msgs:
        by_part.setdefault(m.partition(), []).append(int(m.value()))
    for part, seq in by_part.items():
        expect(seq == sorted(seq), "partition %d out of order" % part)
    return "%d msgs acks=all, producer_id=%s epoch=%s state=%s, no dups, per-partition order kept" % (
        n, eos["producer_id"], eos.get("producer_epoch"), eos["idemp_state"])


@check("transactions (consume-process-produce)")
def t_transactions():
    src = create_topic("compat-txn-in-%s" % RUN)
    dst = create_topic("compat-txn-out-%s" % RUN)
    group = "compat-txn-%s" % RUN
    produce_all(producer(), src, [(("k%d" % i).encode(), b"in%02d" % i) for i in range(20)])

    c = consumer(group, isolation_level="read_committed", enable_partition_eof=False)
    c.subscribe([src])
    p = producer(transactional_id="compat-txn-%s" % RUN, enable_idempotence=True, acks="all")
    p.init_transactions(TIMEOUT)

    def txn(n_msgs, tag, commit):
        got = consume(c, n_msgs)
        expect(len(got) == n_msgs, "%s: consumed %d of %d" % (tag, len(got), n_msgs))
        p.begin_transaction()
        for m in got:
            p.produce(dst, key=m.key(), value=b"%s:%s" % (tag.encode(), m.value()))
        positions = c.position(c.assignment())
        p.send_offsets_to_transaction(positions, c.consumer_group_metadata(), TIMEOUT)
        if commit:
            p.commit_transaction(TIMEOUT)
        else:
            # Flush first so the records really reach the log (abort_transaction purges unsent ones):
            # read_uncommitted must then see them and read_committed must not.
            expect(p.flush(TIMEOUT) == 0, "flush before abort")
            p.abort_transaction(TIMEOUT)
        return got

    txn(10, "t1", commit=True)
    aborted = txn(5, "t2", commit=False)
    # KAFKA-17582 / librdkafka: after an abort the consumer must rewind to the committed offsets itself.
    for tp in c.committed(c.assignment(), timeout=TIMEOUT):
        if tp.offset < 0:
            tp.offset = ck.OFFSET_BEGINNING
        c.seek(tp)
    txn(10, "t3", commit=True)

    committed = c.committed([TopicPartition(src, i) for i in range(3)], timeout=TIMEOUT)
    c.close()
    expect(sum(max(tp.offset, 0) for tp in committed) == 20, "group offsets %s, expected sum 20" % committed)

    rc = consumer("compat-txn-rc-%s" % RUN, isolation_level="read_committed")
    rc.subscribe([dst])
    seen_rc = values(consume(rc, 20, settle=2.0))
    rc.close()
    ru = consumer("compat-txn-ru-%s" % RUN, isolation_level="read_uncommitted")
    ru.subscribe([dst])
    seen_ru = values(consume(ru, 25, settle=2.0))
    ru.close()

    inputs = sorted(v.split(":")[1] for v in seen_rc)
    expect(len(seen_rc) == 20 and inputs == ["in%02d" % i for i in range(20)],
           "read_committed saw %d: %s" % (len(seen_rc), sorted(seen_rc)))
    expect(not any(v.startswith("t2:") for v in seen_rc), "read_committed saw aborted records")
    expect(len(seen_ru) == 25 and sum(v.startswith("t2:") for v in seen_ru) == 5,
           "read_uncommitted saw %d (expected 20 committed + 5 aborted)" % len(seen_ru))
    return ("commit(10) abort(5) seek-back commit(10): read_committed sees 20 = each input once, "
            "read_uncommitted 25 (5 aborted: %s...), group offsets %s" %
            (values(aborted)[:2], {tp.partition: tp.offset for tp in committed}))


@check("transactional fencing")
def t_fencing():
    dst = create_topic("compat-fence-%s" % RUN, 1)
    tid = "compat-fence-%s" % RUN
    p1 = producer(transactional_id=tid)
    p1.init_transactions(TIMEOUT)
    p1.begin_transaction()
    p1.produce(dst, value=b"zombie")
    p1.flush(TIMEOUT)
    p2 = producer(transactional_id=tid)
    p2.init_transactions(TIMEOUT)  # bumps the epoch, aborts p1's open transaction
    p2.begin_transaction()
    p2.produce(dst, value=b"live")
    p2.commit_transaction(TIMEOUT)
    err = None
    try:
        p1.commit_transaction(TIMEOUT)
    except KafkaException as e:
        err = e.args[0]
    expect(err is not None, "zombie producer could commit after being fenced")
    expect(err.fatal() or err.code() in (KafkaError._FENCED, KafkaError.PRODUCER_FENCED,
                                         KafkaError.INVALID_PRODUCER_EPOCH), "unexpected error %s" % err)
    c = consumer("compat-fence-%s" % RUN, isolation_level="read_committed")
    c.subscribe([dst])
    seen = values(consume(c, 1, settle=2.0))
    c.close()
    expect(seen == ["live"], "read_committed saw %s, expected only ['live']" % seen)
    return "second init_transactions fenced the first: %s (fatal=%s); read_committed sees only 'live'" % (
        err.name(), err.fatal())


def broker_reachable():
    try:
        md = admin().list_topics(timeout=10)
        return md
    except KafkaException as e:
        log("cannot reach %s: %s" % (BOOTSTRAP, e))
        return None


def main():
    global BOOTSTRAP
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bootstrap", default=BOOTSTRAP)
    BOOTSTRAP = ap.parse_args().bootstrap

    log("confluent-kafka-python %s, librdkafka %s, bootstrap %s, run id %s" %
        (ck.version()[0], ck.libversion()[0], BOOTSTRAP, RUN))
    md = broker_reachable()
    if md is None:
        return 2
    log("cluster id %s, brokers %s" % (md.cluster_id, [str(b) for b in md.brokers.values()]))

    for t in (t_roundtrip, t_group_resume, t_split, t_cooperative, t_idempotent, t_transactions, t_fencing):
        t()

    failed = [r for r in results if not r[1]]
    log("")
    log("%d/%d checks passed against %s with librdkafka %s" %
        (len(results) - len(failed), len(results), BOOTSTRAP, ck.libversion()[0]))
    for name, _, detail in failed:
        log("  FAILED: %s: %s" % (name, detail))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
