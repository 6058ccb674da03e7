#!/usr/bin/python3
"""Python peer of order-generator: sends real orders (the same JSON as order-generator), keyed by
customer, as fast as possible or at --rate orders/s, then flushes."""

import json
import random
import time
import uuid

from confluent_kafka import Producer

import peer

CATALOG = [("pizza", 1250), ("burger", 990), ("sushi box", 1890), ("pad thai", 1350),
           ("falafel wrap", 750), ("ramen", 1420), ("caesar salad", 980), ("lasagne", 1560),
           ("tacos", 890), ("cheesecake", 620), ("espresso", 280), ("lemonade", 350)]
CUSTOMERS = [("c-%04d" % (i + 1), name) for i, name in enumerate([
    "John Doe", "Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov",
    "Ken Thompson", "Margaret Hamilton", "Donald Knuth", "Frances Allen", "Dennis Ritchie",
    "Radia Perlman", "Tony Hoare", "Leslie Lamport", "Jean Bartik", "Niklaus Wirth"])]


def make_order(rng):
    customer_id, user = rng.choice(CUSTOMERS)
    item, price = rng.choice(CATALOG)
    roll = rng.randrange(100)
    quantity = 1 + rng.randrange(5) if roll < 80 else 6 + rng.randrange(15) if roll < 99 else 50 + rng.randrange(151)
    return customer_id, peer.event("order_placed", {
        "order_id": str(uuid.uuid4()), "customer_id": customer_id, "user": user, "item": item,
        "quantity": quantity, "unit_price_cents": price, "currency": "EUR", "created_at_ms": peer.now_ms()})


def main():
    p = peer.parser(__doc__)
    p.add_argument("-t", "--topic", default="orders")
    p.add_argument("-n", "--count", type=int, default=10000)
    p.add_argument("--rate", type=float, default=0, help="orders/s; 0 = as fast as possible")
    args = p.parse_args()
    stop = peer.Stop()
    producer = Producer(peer.producer_settings(args))
    stats = {"delivered": 0, "failed": 0}

    def on_delivery(err, msg):
        if err is None:
            stats["delivered"] += 1
        else:
            stats["failed"] += 1

    rng = random.Random(42)
    start = time.monotonic()
    sent = 0
    while sent < args.count and not stop.requested:
        if args.rate > 0:
            due = start + sent / args.rate
            delay = due - time.monotonic()
            if delay > 0:
                # poll() takes whole milliseconds: below one it would return at once and spin.
                if delay >= 0.001:
                    producer.poll(delay)
                else:
                    time.sleep(delay)
                continue
        key, order = make_order(rng)
        try:
            producer.produce(args.topic, key=key, value=json.dumps(order), on_delivery=on_delivery)
        except BufferError:
            producer.poll(0.01)
            continue
        sent += 1
        producer.poll(0)
    producer.flush(30)
    seconds = time.monotonic() - start
    peer.summary("order_producer", sent=sent, delivered=stats["delivered"], failed=stats["failed"],
                 seconds=round(seconds, 3), records_per_s=round(stats["delivered"] / seconds, 1))


if __name__ == "__main__":
    main()
