#!/usr/bin/python3
"""Python peer of notification-service: reads orders and payments, skips events already notified
(by event id, a bounded window per partition), publishes one notification per event to
`notifications` (same partition as the event), prints it unless --output none; commits every
--commit-interval like the payment peer. Runs until SIGTERM/SIGINT."""

import collections
import json

from confluent_kafka import Consumer, Producer

import peer


class Seen:
    def __init__(self, window):
        self.window = window
        self.ids = collections.defaultdict(set)
        self.order = collections.defaultdict(collections.deque)

    def add(self, partition, event_id):
        ids = self.ids[partition]
        if event_id in ids:
            return False
        ids.add(event_id)
        order = self.order[partition]
        order.append(event_id)
        if len(order) > self.window:
            ids.discard(order.popleft())
        return True


def main():
    p = peer.parser(__doc__)
    p.add_argument("--orders-topic", default="orders")
    p.add_argument("--payments-topic", default="payments")
    p.add_argument("--notifications-topic", default="notifications")
    p.add_argument("-g", "--group-id", default="notification-service-py")
    p.add_argument("-o", "--output", choices=["text", "json", "none"], default="text")
    p.add_argument("--processing-guarantee", choices=["at-least-once", "exactly-once"], default="at-least-once")
    p.add_argument("--commit-interval", type=float, default=0.1, help="seconds")
    p.add_argument("--transactional-id", default="notification-service-py")
    p.add_argument("--dedup-window", type=int, default=50000)
    args = p.parse_args()
    stop = peer.Stop()
    exactly_once = args.processing_guarantee == "exactly-once"
    consumer = Consumer(peer.consumer_settings(args, args.group_id))
    extra = {"transactional.id": args.transactional_id} if exactly_once else {}
    producer = Producer(peer.producer_settings(args, **extra))
    committer = peer.Committer(consumer, producer, exactly_once, args.commit_interval)
    consumer.subscribe([args.orders_topic, args.payments_topic])
    seen = Seen(args.dedup_window)
    notified = duplicates = bad = 0
    while not stop.requested:
        for msg in consumer.consume(num_messages=500, timeout=0.01):
            if msg.error():
                continue
            now = peer.now_ms()
            try:
                envelope = json.loads(msg.value())
                data = envelope["data"]
                if msg.topic() == args.orders_topic:
                    kind = "order_received"
                    created = data.get("created_at_ms", 0)
                    text = "Order received: %d x %s for %s (order %s)" % (
                        data["quantity"], data["item"], data["user"], data["order_id"])
                else:
                    created = data.get("order_created_at_ms", 0)
                    if data["status"] == "approved":
                        kind = "payment_approved"
                        text = "Payment approved for order %s (%s)" % (
                            data["order_id"], peer.money(data["amount_cents"], data.get("currency", "EUR")))
                    else:
                        kind = "payment_declined"
                        text = "Payment declined for order %s: %s" % (data["order_id"], data["decline_reason"])
            except (ValueError, KeyError, TypeError):
                bad += 1
                continue
            if not seen.add(msg.partition(), envelope["event_id"]):
                duplicates += 1
                continue
            notification = peer.event("notification_sent", {
                "order_id": data["order_id"], "kind": kind, "text": text, "order_created_at_ms": created,
                "notified_at_ms": now, "latency_ms": max(0, now - created) if created > 0 else -1},
                event_id=peer.derived_id("notification", envelope["event_id"]))
            value = json.dumps(notification)
            while True:
                try:
                    producer.produce(args.notifications_topic, key=data["order_id"], value=value,
                                     partition=msg.partition())
                    break
                except BufferError:
                    producer.poll(0.01)
            if args.output == "text":
                print(text)
            elif args.output == "json":
                print(value)
            notified += 1
            committer.pending += 1
        producer.poll(0)
        committer.maybe_commit()
    committer.maybe_commit(force=True)
    consumer.close()
    peer.summary("notification_service", notified=notified, duplicates=duplicates, malformed=bad,
                 commits=committer.commits)


if __name__ == "__main__":
    main()
