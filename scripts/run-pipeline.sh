#!/usr/bin/env bash
# Runs the whole pipeline on this machine without Docker and shows it working:
# installs what is missing, builds, starts the local Kafka broker, starts payment-service and
# notification-service, sends a few orders with order-generator, prints the notifications as
# they come, then stops everything cleanly (SIGTERM) and shows how each process exited.
#
#   scripts/run-pipeline.sh            # 10 orders, one every 200 ms
#   ORDERS=50 INTERVAL=50ms scripts/run-pipeline.sh
set -euo pipefail
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."

orders=${ORDERS:-10}
interval=${INTERVAL:-200ms}
[[ $orders =~ ^[1-9][0-9]*$ ]] || { echo "run-pipeline: ORDERS must be a positive number" >&2; exit 2; }

scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default --target order-generator payment-service notification-service

source scripts/common.sh
ensure_broker
bin=build/default/services
bootstrap=127.0.0.1:$KAFKA_PORT
logs=$(mktemp -d /tmp/streamstore-run.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    stop_broker_if_started
}
trap cleanup EXIT

echo "== starting payment-service and notification-service (logs in $logs)"
"$bin/payment-service/payment-service" -b "$bootstrap" 2>"$logs/payment-service.log" &
pids+=($!)
mkfifo "$logs/notifications"
"$bin/notification-service/notification-service" -b "$bootstrap" >"$logs/notifications" 2>"$logs/notification-service.log" &
pids+=($!)
exec 3<"$logs/notifications"

echo "== sending $orders orders, one every $interval"
"$bin/order-generator/order-generator" -b "$bootstrap" --count "$orders" --interval "$interval" 2>"$logs/order-generator.log"

echo "== notifications"
expected=$((orders * 2))
shown=0
# Every order is announced once and paid once; wait at most 60 s for each line.
while ((shown < expected)) && IFS= read -r -t 60 line <&3; do
    echo "  $line"
    shown=$((shown + 1))
done

echo "== stopping (SIGTERM)"
codes=()
for pid in "${pids[@]}"; do kill -TERM "$pid"; done
for pid in "${pids[@]}"; do
    if wait "$pid"; then codes+=(0); else codes+=($?); fi
done
pids=()
echo "payment-service exited ${codes[0]}, notification-service exited ${codes[1]}"
grep -h "stopped:" "$logs"/payment-service.log "$logs"/notification-service.log | sed 's/^[^ ]* [a-z]* *//'
if ((shown < expected)); then
    echo "run-pipeline: only $shown of $expected notifications arrived; see $logs" >&2
    exit 1
fi
[[ ${codes[0]} == 0 && ${codes[1]} == 0 ]]
