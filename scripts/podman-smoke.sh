#!/usr/bin/env bash
# Smoke test of the container image with Podman (no Docker engine needed):
#   1. builds deploy/Dockerfile into streamstore:latest,
#   2. runs payment-service and notification-service in the background and order-generator for 20 orders,
#      all with host networking against the broker at 127.0.0.1:9092,
#   3. waits (bounded) for the generator to exit 0 and for 20 payment notifications in notification-service's output,
#   4. stops both consumers with SIGTERM (podman stop -t 15) and checks that they exit 0.
#
# The broker must already run: scripts/kafka-local.sh start
#
# Usage: scripts/podman-smoke.sh [--no-build]
# Env:   SMOKE_BOOTSTRAP  broker address              (default 127.0.0.1:9092)
#        SMOKE_COUNT      orders to generate          (default 20)
#        SMOKE_TIMEOUT    seconds allowed for the generator and then for the notifications (default 120 each)
#        IMAGE            image tag                   (default streamstore:latest)
#        PODMAN_RUNTIME   OCI runtime                 (default /usr/sbin/runc; crun fails on this kernel's cgroups)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

IMAGE=${IMAGE:-streamstore:latest}
SMOKE_BOOTSTRAP=${SMOKE_BOOTSTRAP:-127.0.0.1:9092}
SMOKE_COUNT=${SMOKE_COUNT:-20}
SMOKE_TIMEOUT=${SMOKE_TIMEOUT:-120}
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
run_id="smoke-$$-$(date +%s)"
gen="$run_id-order-generator"
pay="$run_id-payment-service"
notify="$run_id-notification-service"
containers=("$pay" "$notify" "$gen")

failed=1
cleanup() {
    local c
    if ((failed)); then
        for c in "${containers[@]}"; do
            podman container exists "$c" || continue
            echo "----- last 40 log lines of $c -----" >&2
            podman logs --tail 40 "$c" >&2 2>&1 || true
        done
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
run_service() {  # run_service NAME COMMAND [ENV...]: starts a detached container
    local name=$1 command=$2
    shift 2
    podman run -d --name "$name" --network=host "${limits[@]}" "${common_env[@]}" "$@" "$IMAGE" "$command" >/dev/null
}

exit_code() { podman inspect --format '{{.State.ExitCode}}' "$1"; }
running() { [[ $(podman inspect --format '{{.State.Running}}' "$1") == true ]]; }

log "run $run_id: broker $SMOKE_BOOTSTRAP, $SMOKE_COUNT orders"
run_service "$pay" payment-service
run_service "$notify" notification-service
run_service "$gen" order-generator -e "STREAMSTORE_COUNT=$SMOKE_COUNT" -e STREAMSTORE_INTERVAL=0

# The generator ends by itself after SMOKE_COUNT orders.
deadline=$((SECONDS + SMOKE_TIMEOUT))
while running "$gen"; do
    ((SECONDS < deadline)) || die "order-generator still running after ${SMOKE_TIMEOUT}s"
    for c in "$pay" "$notify"; do running "$c" || die "$c exited early with code $(exit_code "$c")"; done
    sleep 0.5
done
gen_rc=$(exit_code "$gen")
[[ $gen_rc == 0 ]] || die "order-generator exited with code $gen_rc"
log "order-generator exited 0 after producing $SMOKE_COUNT orders"

# notification-service prints one line per notification on stdout (its logs go to stderr).
count_notifications() {
    podman logs "$notify" 2>/dev/null | grep -c -E "$NOTIFICATION_PATTERN" || true
}
NOTIFICATION_PATTERN=${NOTIFICATION_PATTERN:-payment}
deadline=$((SECONDS + SMOKE_TIMEOUT))
notifications=0
while :; do
    notifications=$(count_notifications)
    ((notifications >= SMOKE_COUNT)) && break
    for c in "$pay" "$notify"; do running "$c" || die "$c exited early with code $(exit_code "$c")"; done
    ((SECONDS < deadline)) || die "only $notifications of $SMOKE_COUNT payment notifications after ${SMOKE_TIMEOUT}s"
    sleep 0.5
done
log "notification-service printed $notifications payment notifications"

# ---- graceful stop ---------------------------------------------------------------------------------------------------
declare -A rc
for c in "$pay" "$notify"; do
    podman stop -t 15 "$c" >/dev/null
    rc[$c]=$(exit_code "$c")
done

# ---- summary ---------------------------------------------------------------------------------------------------------
echo
echo "== podman smoke test summary ($run_id) =="
printf '  %-22s %s\n' image "$IMAGE ($(podman image inspect --format '{{.Size}}' "$IMAGE" | numfmt --to=si)B)"
printf '  %-22s %s\n' broker "$SMOKE_BOOTSTRAP"
printf '  %-22s exit %s, %s orders\n' order-generator "$gen_rc" "$SMOKE_COUNT"
printf '  %-22s exit %s after SIGTERM\n' payment-service "${rc[$pay]}"
printf '  %-22s exit %s after SIGTERM, %s notifications\n' notification-service "${rc[$notify]}" "$notifications"
for c in "$pay" "$notify"; do
    [[ ${rc[$c]} == 0 ]] || die "$c exited with code ${rc[$c]} after podman stop (want 0)"
done
failed=0
echo "  result                 PASS"
