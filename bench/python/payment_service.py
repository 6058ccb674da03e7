#!/usr/bin/python3
"""Python peer of payment-service: reads orders, decides (same rules: quantity over 100 or amount
over EUR 500.00 declines), publishes a payment keyed by order id; commits every --commit-interval
(at-least-once by default, exactly-once with --processing-guarantee exactly-once). Runs until
SIGTERM/SIGINT."""

import json

from confluent_kafka import Consumer, Producer

import peer

MAX_QUANTITY = 100
MAX_AMOUNT_CENTS = 50000


def decide(order):
    if order["quantity"] > MAX_QUANTITY:
        return "declined", "quantity %d exceeds the limit of %d per order" % (order["quantity"], MAX_QUANTITY)
    amount = order["quantity"] * order.get("unit_price_cents", 0)
    if amount > MAX_AMOUNT_CENTS:
        currency = order.get("currency", "EUR")
        return "declined", "amount %s exceeds the limit of %s per order" % (
            peer.money(amount, currency), peer.money(MAX_AMOUNT_CENTS, currency))
    return "approved", ""


def main():
    p = peer.parser(__doc__)
    p.add_argument("--orders-topic", default="orders")
    p.add_argument("--payments-topic", default="payments")
    p.add_argument("-g", "--group-id", default="payment-service-py")
    p.add_argument("--processing-guarantee", choices=["at-least-once", "exactly-once"], default="at-least-once")
    p.add_argument("--commit-interval", type=float, default=0.1, help="seconds")
    p.add_argument("--transactional-id", default="payment-service-py")
    args = p.parse_args()
    stop = peer.Stop()
    exactly_once = args.processing_guarantee == "exactly-once"
    consumer = Consumer(peer.consumer_settings(args, args.group_id))
    extra = {"transactional.id": args.transactional_id} if exactly_once else {}
    producer = Producer(peer.producer_settings(args, **extra))
    committer = peer.Committer(consumer, producer, exactly_once, args.commit_interval)
    consumer.subscribe([args.orders_topic])
    handled = bad = 0
    while not stop.requested:
        for msg in consumer.consume(num_messages=500, timeout=0.01):
            if msg.error():
                continue
            try:
                envelope = json.loads(msg.value())
                order = envelope["data"]
                status, reason = decide(order)
            except (ValueError, KeyError, TypeError):
                bad += 1
                continue
            amount = order["quantity"] * order.get("unit_price_cents", 0)
            payment = peer.event("payment_processed", {
                "order_id": order["order_id"], "customer_id": order.get("customer_id", order["user"]),
                "user": order["user"], "item": order["item"], "quantity": order["quantity"],
                "amount_cents": amount, "currency": order.get("currency", "EUR"), "status": status,
                "decline_reason": reason, "order_created_at_ms": order.get("created_at_ms", 0),
                "processed_at_ms": peer.now_ms()}, event_id=peer.derived_id("payment", envelope["event_id"]))
            while True:
                try:
                    producer.produce(args.payments_topic, key=order["order_id"], value=json.dumps(payment))
                    break
                except BufferError:
                    producer.poll(0.01)
            handled += 1
            committer.pending += 1
        producer.poll(0)
        committer.maybe_commit()
    committer.maybe_commit(force=True)
    consumer.close()
    peer.summary("payment_service", handled=handled, malformed=bad, commits=committer.commits)


if __name__ == "__main__":
    main()
