#!/usr/bin/env bash
# Smoke test of the container image with Podman (no Docker engine needed):
#   1. builds deploy/Dockerfile into streamstore:latest,
#   2. runs payment-service and notification-service in the background and order-generator for 20 orders,
#      all with host networking against the broker at 127.0.0.1:9092,
#   3. waits (bounded) for the generator to exit 0 and for 20 payment notifications in notification-service's output,
#   4. stops both consumers with SIGTERM (podman stop -t 15) and checks that they exit 0.
# Each run uses its own topics and consumer groups (smoke-<run>-orders, ...), so whatever else is on the broker
# cannot make the count pass or fail; after a passing run they are deleted (with scripts/kafka-local.sh tool).
#
# The broker must already run: scripts/kafka-local.sh start
#
# Usage: scripts/podman-smoke.sh [--no-build]
# Env:   SMOKE_BOOTSTRAP  broker address              (default 127.0.0.1:9092)
#        SMOKE_COUNT      orders to generate          (default 20)
#        SMOKE_TIMEOUT    seconds allowed for the generator and then for the notifications (default 120 each)
#        SMOKE_KEEP_TOPICS=1  keep the run's topics and consumer groups on the broker
#        IMAGE            image tag                   (default streamstore:latest)
#        PODMAN_RUNTIME   OCI runtime                 (default /usr/sbin/runc; crun fails on this kernel's cgroups)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

IMAGE=${IMAGE:-streamstore:latest}
SMOKE_BOOTSTRAP=${SMOKE_BOOTSTRAP:-127.0.0.1:9092}
SMOKE_COUNT=${SMOKE_COUNT:-20}
SMOKE_TIMEOUT=${SMOKE_TIMEOUT:-120}
SMOKE_KEEP_TOPICS=${SMOKE_KEEP_TOPICS:-0}
PODMAN_RUNTIME=${PODMAN_RUNTIME:-/usr/sbin/runc}
build=1
for arg in "$@"; do
    case $arg in
        --no-build) build=0 ;;
        -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
        *) echo "podman-smoke: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
    esac
done

podman() { command podman --runtime "$PODMAN_RUNTIME" "$@"; }
# Host networking (loopback only here); raising ulimits is refused in this sandbox, so pin them.
limits=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

log() { printf 'podman-smoke: %s\n' "$*"; }
die() { printf 'podman-smoke: FAIL: %s\n' "$*" >&2; exit 1; }

# ---- preflight -------------------------------------------------------------------------------------------------------
command -v podman >/dev/null || die "podman not found (apt-get install -y podman runc)"
broker_host=${SMOKE_BOOTSTRAP%%,*}
broker_port=${broker_host##*:}
broker_host=${broker_host%:*}
if ! timeout 5 bash -c "exec 3<>/dev/tcp/$broker_host/$broker_port" 2>/dev/null; then
    die "no broker at $broker_host:$broker_port; start it with scripts/kafka-local.sh start"
fi

# ---- build -----------------------------------------------------------------------------------------------------------
if ((build)); then
    scripts/podman-base-image.sh
    log "building $IMAGE from deploy/Dockerfile"
    started=$SECONDS
    podman build --network=host "${limits[@]}" -f deploy/Dockerfile -t "$IMAGE" .
    log "built $IMAGE in $((SECONDS - started)) s"
fi
podman image exists "$IMAGE" || die "image $IMAGE not found (run without --no-build)"

# ---- run -------------------------------------------------------------------------------------------------------------
run_id="smoke-$(date +%Y%m%d%H%M%S)-$$"
gen="$run_id-order-generator"
pay="$run_id-payment-service"
notify="$run_id-notification-service"
containers=("$pay" "$notify" "$gen")
orders_topic="$run_id-orders"
payments_topic="$run_id-payments"
groups=("$run_id-payment-service" "$run_id-notification-service")

failed=1
cleanup() {
    local c
    if ((failed)); then
        for c in "${containers[@]}"; do
            podman container exists "$c" || continue
            echo "----- last 40 log lines of $c -----" >&2
            podman logs --tail 40 "$c" >&2 2>&1 || true
        done
        echo "podman-smoke: left topics $orders_topic, $payments_topic and groups ${groups[*]} on the broker" >&2
    fi
    for c in "${containers[@]}"; do
        podman rm -f -t 0 "$c" >/dev/null 2>&1 || true
    done
}
trap cleanup EXIT

common_env=(
    -e "STREAMSTORE_BOOTSTRAP_SERVERS=$SMOKE_BOOTSTRAP"
    -e STREAMSTORE_LOG_LEVEL=info
)
run_service() {  # run_service NAME COMMAND [PODMAN-RUN-OPTIONS...]: starts a detached container
    local name=$1 command=$2
    shift 2
    podman run -d --name "$name" --network=host "${limits[@]}" "${common_env[@]}" "$@" "$IMAGE" "$command" >/dev/null
}
exit_code() { podman inspect --format '{{.State.ExitCode}}' "$1"; }
running() { [[ $(podman inspect --format '{{.State.Running}}' "$1") == true ]]; }
consumers_alive() {
    local c
    for c in "$pay" "$notify"; do
        running "$c" || die "$c exited early with code $(exit_code "$c")"
    done
}

log "run $run_id: broker $SMOKE_BOOTSTRAP, $SMOKE_COUNT orders into $orders_topic"
run_service "$pay" payment-service -e "STREAMSTORE_ORDERS_TOPIC=$orders_topic" \
    -e "STREAMSTORE_PAYMENTS_TOPIC=$payments_topic" -e "STREAMSTORE_GROUP_ID=${groups[0]}"
run_service "$notify" notification-service -e "STREAMSTORE_ORDERS_TOPIC=$orders_topic" \
    -e "STREAMSTORE_PAYMENTS_TOPIC=$payments_topic" -e "STREAMSTORE_GROUP_ID=${groups[1]}" \
    -e "STREAMSTORE_NOTIFICATIONS_TOPIC=$run_id-notifications"
run_service "$gen" order-generator -e "STREAMSTORE_TOPIC=$orders_topic" \
    -e "STREAMSTORE_COUNT=$SMOKE_COUNT" -e STREAMSTORE_INTERVAL=0

# The generator ends by itself after SMOKE_COUNT orders (consumers read from the earliest offset of their new
# groups, so it does not matter whether they joined before the first order).
started=$SECONDS
deadline=$((SECONDS + SMOKE_TIMEOUT))
while running "$gen"; do
    ((SECONDS < deadline)) || die "order-generator still running after ${SMOKE_TIMEOUT}s"
    consumers_alive
    sleep 0.5
done
gen_rc=$(exit_code "$gen")
gen_summary=$(podman logs "$gen" 2>/dev/null | grep '^order-generator: sent' | tail -n 1 || true)
[[ $gen_rc == 0 ]] || die "order-generator exited with code $gen_rc"
[[ $gen_summary == *"sent $SMOKE_COUNT, delivered $SMOKE_COUNT, failed 0 "* ]] \
    || die "order-generator's summary is not '$SMOKE_COUNT sent and delivered': '${gen_summary:-<none>}'"
log "order-generator exited 0 after $((SECONDS - started)) s: ${gen_summary#order-generator: }"

# notification-service prints one line per notification on stdout (its logs go to stderr, dropped here):
#   Payment approved for order <id> (EUR 42.00)   /   Payment declined for order <id>: <reason>
# Delivery is at least once, so count distinct orders.
payment_lines() {
    podman logs "$notify" 2>/dev/null | grep -E '^Payment (approved|declined) for order ' || true
}
count_paid_orders() {
    payment_lines | sed -E 's/^Payment (approved|declined) for order ([^ :]+).*/\2/' | sort -u | grep -c . || true
}
deadline=$((SECONDS + SMOKE_TIMEOUT))
while :; do
    paid=$(count_paid_orders)
    ((paid >= SMOKE_COUNT)) && break
    ((SECONDS < deadline)) || die "only $paid of $SMOKE_COUNT payment notifications after ${SMOKE_TIMEOUT}s"
    consumers_alive
    sleep 0.5
done
((paid == SMOKE_COUNT)) || die "$paid distinct orders got a payment notification, expected $SMOKE_COUNT"
lines=$(payment_lines | grep -c . || true)
approved=$(payment_lines | grep -c '^Payment approved' || true)
order_lines=$(podman logs "$notify" 2>/dev/null | grep -c '^Order received: ' || true)
log "notification-service: $paid payment notifications ($approved approved) after $((SECONDS - started)) s"

# ---- graceful stop ---------------------------------------------------------------------------------------------------
declare -A rc stop_seconds
for c in "$pay" "$notify"; do
    t0=$SECONDS
    podman stop -t 15 "$c" >/dev/null
    stop_seconds[$c]=$((SECONDS - t0))
    rc[$c]=$(exit_code "$c")
done

# ---- summary ---------------------------------------------------------------------------------------------------------
echo
echo "== podman smoke test summary ($run_id) =="
printf '  %-21s %s\n' image "$IMAGE ($(podman image inspect --format '{{.Size}}' "$IMAGE" | numfmt --to=si)B)"
printf '  %-21s %s\n' broker "$SMOKE_BOOTSTRAP (topics $orders_topic, $payments_topic)"
printf '  %-21s exit %s; %s\n' order-generator "$gen_rc" "${gen_summary#order-generator: }"
printf '  %-21s exit %s %s s after SIGTERM\n' payment-service "${rc[$pay]}" "${stop_seconds[$pay]}"
printf '  %-21s exit %s %s s after SIGTERM; %s payment notifications (%s approved, %s declined, %s lines), %s order notifications\n' \
    notification-service "${rc[$notify]}" "${stop_seconds[$notify]}" "$paid" "$approved" "$((lines - approved))" \
    "$lines" "$order_lines"
for c in "$pay" "$notify"; do
    [[ ${rc[$c]} == 0 ]] || die "$c exited with code ${rc[$c]} after podman stop (want 0)"
done
failed=0
echo "  result                PASS"

# ---- tidy the broker -------------------------------------------------------------------------------------------------
if [[ $SMOKE_KEEP_TOPICS != 1 && -x scripts/kafka-local.sh ]]; then
    if scripts/kafka-local.sh tool topics --bootstrap-server "$SMOKE_BOOTSTRAP" --delete --topic "$run_id-.*" \
            >/dev/null 2>&1 \
        && scripts/kafka-local.sh tool consumer-groups --bootstrap-server "$SMOKE_BOOTSTRAP" --delete \
            --group "${groups[0]}" --group "${groups[1]}" >/dev/null 2>&1; then
        log "deleted this run's topics and consumer groups"
    else
        log "could not delete topics $orders_topic, $payments_topic / groups ${groups[*]} (harmless; SMOKE_KEEP_TOPICS=1 skips this)"
    fi
fi
