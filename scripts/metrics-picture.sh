#!/usr/bin/env bash
# Draws docs/images/pipeline-metrics.png from a real run: the pipeline under load, scraped by a real Prometheus,
# the dashboard's queries plotted with matplotlib. One command, about 3 minutes once built:
#
#   scripts/metrics-picture.sh
#
# What it does: installs what is missing (the build's packages through scripts/install-deps.sh, and Debian's
# prometheus and python3-matplotlib, which only this script needs), builds the three services into build/pic
# (incrementally), starts a broker of its own (scripts/kafka-local.sh on 127.0.0.1:49092, directory .kafka-pic,
# wiped first), starts Prometheus with a temporary configuration scraping the three services every second (its
# storage in a temporary directory), starts payment-service (exactly-once) and notification-service
# (--output none), then runs order-generator at each rate of STEPS in turn (100, 500, 1000 orders/s for 40 s
# each), sending 50 malformed orders with Kafka's console producer in the middle of the second step, waits for
# the pipeline to drain, and renders the PNG with scripts/metrics_picture.py (Prometheus' query_range API), which
# also prints the figures of each step. On exit, however it ends, every process it started is stopped and the
# broker with them; after the build the whole run is bounded by MAX_SECONDS.
#
# Environment (defaults in brackets):
#   OUT             the PNG [docs/images/pipeline-metrics.png]
#   STEPS           RATE:SECONDS ... [100:40 500:40 1000:40]
#   BUILD_DIR       [build/pic]; NO_BUILD=1 uses the binaries there as they are
#   HTTP_PORTS      order-generator, payment-service, notification-service, Prometheus [19201 19202 19203 19290]
#   STREAMSTORE_KAFKA_PORT / _CONTROLLER_PORT / _DIR     the broker [49092 / 49093 / .kafka-pic]
#   DECLINE_RATE    payment-service --decline-rate, so that the declined line is visible [0.1]
#   MAX_SECONDS     bound on the run after the build [345]
#   KEEP_LOGS=1     keep the temporary directory (logs, Prometheus' data) even on success
set -euo pipefail
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
repo=$PWD

out=${OUT:-docs/images/pipeline-metrics.png}
steps=${STEPS:-100:40 500:40 1000:40}
build_dir=${BUILD_DIR:-build/pic}
read -r gen_port pay_port notif_port prom_port <<<"${HTTP_PORTS:-19201 19202 19203 19290}"
export STREAMSTORE_KAFKA_PORT=${STREAMSTORE_KAFKA_PORT:-49092}
export STREAMSTORE_KAFKA_CONTROLLER_PORT=${STREAMSTORE_KAFKA_CONTROLLER_PORT:-49093}
export STREAMSTORE_KAFKA_DIR=${STREAMSTORE_KAFKA_DIR:-$repo/.kafka-pic}
decline_rate=${DECLINE_RATE:-0.1}
max_seconds=${MAX_SECONDS:-345}
lead_in=5      # seconds of an idle, ready pipeline before the first order
drain=15       # seconds after the last order, for the lag to reach 0 and the last latencies to land
# Debian's python3 (python3-matplotlib is installed for it), not whatever python3 comes first on PATH.
python=/usr/bin/python3

say() { echo "metrics-picture: $*"; }
die() { echo "metrics-picture: error: $*" >&2; exit 1; }
now() { date +%s.%N | cut -c1-14; }    # unix time with 3 decimals

for spec in $steps; do
    [[ $spec =~ ^[0-9]+(\.[0-9]+)?:[1-9][0-9]*$ ]] || die "STEPS: '$spec' is not RATE:SECONDS"
done

# ---- packages -----------------------------------------------------------------------------------------------
# Optional packages: only this script needs them, so scripts/install-deps.sh (and CI) do not install them.
optional_packages=(prometheus python3-matplotlib)
missing=()
for p in "${optional_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    sudo=""
    [[ $(id -u) -ne 0 ]] && sudo=sudo
    say "installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
prometheus=$(command -v prometheus || echo /usr/bin/prometheus)
[[ -x $prometheus ]] || die "prometheus not found after installing the package"

# ---- build ----------------------------------------------------------------------------------------------------
bin=$build_dir/services
if [[ ${NO_BUILD:-0} == 1 ]]; then
    say "NO_BUILD=1: using the binaries in $bin as they are"
else
    scripts/install-deps.sh
    if [[ ! -f $build_dir/build.ninja ]]; then
        cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTREAMSTORE_BUILD_TESTS=OFF >/dev/null
    fi
    cmake --build "$build_dir" -j"$(nproc)" --target order-generator payment-service notification-service
fi
for b in order-generator payment-service notification-service; do
    [[ -x $bin/$b/$b ]] || die "$bin/$b/$b is missing (build it, or drop NO_BUILD)"
done

# ---- processes, and stopping them whatever happens ------------------------------------------------------------
tmp=$(mktemp -d /tmp/streamstore-picture.XXXXXX)
pids=()              # each started with setsid: its pid is its process group, killed as a whole
declare -A pid_of    # name -> pid
broker_started=0
watchdog=""

groups_alive() {     # groups_alive PGID...: true while a process of one of them runs (zombies do not count)
    ps -eo pgid=,stat= | awk -v list=" $* " 'index(list, " " $1 " ") && $2 !~ /^Z/ { found = 1 } END { exit !found }'
}

stop_groups() {      # stop_groups PGID...: SIGTERM to each group, SIGKILL to what is left after 15 s, reap
    local pgid i
    (($#)) || return 0
    for pgid in "$@"; do kill -TERM -- "-$pgid" 2>/dev/null; done
    for ((i = 0; i < 75; i++)); do
        groups_alive "$@" || break
        sleep 0.2
    done
    for pgid in "$@"; do kill -KILL -- "-$pgid" 2>/dev/null; done
    for pgid in "$@"; do wait "$pgid" 2>/dev/null; done
    return 0
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    set +e           # stop everything, whatever fails on the way
    if [[ -n $watchdog ]]; then kill -KILL -- "-$watchdog" 2>/dev/null; fi
    stop_groups "${pids[@]}"
    if ((broker_started)); then scripts/kafka-local.sh stop >/dev/null 2>&1; fi
    if ((rc == 0)) && [[ ${KEEP_LOGS:-0} != 1 ]]; then
        rm -rf -- "$tmp"
    else
        say "logs and Prometheus' data kept in $tmp"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'say "stopped (SIGTERM or the ${max_seconds} s bound)" >&2; exit 143' TERM

start() {            # start NAME CMD... : in its own process group, stdout+stderr to $tmp/NAME.log, stdin $STDIN
    local name=$1; shift
    setsid "$@" >"$tmp/$name.log" 2>&1 <"${STDIN:-/dev/null}" &
    pids+=($!)
    pid_of[$name]=$!
}

# The bound: after it, SIGTERM to this script, whose trap stops the rest.
setsid bash -c "sleep $max_seconds; kill -TERM $$" >/dev/null 2>&1 </dev/null &
watchdog=$!
disown "$watchdog"   # no "Killed" job notice when the trap ends it
t_begin=$(date +%s)

for port in "$gen_port" "$pay_port" "$notif_port" "$prom_port"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then die "127.0.0.1:$port is in use (set HTTP_PORTS)"; fi
done

# ---- broker -----------------------------------------------------------------------------------------------------
bootstrap=127.0.0.1:$STREAMSTORE_KAFKA_PORT
say "broker: wiping and starting $STREAMSTORE_KAFKA_DIR on $bootstrap"
scripts/kafka-local.sh wipe >/dev/null
broker_started=1
scripts/kafka-local.sh start | sed 's/^/  /'

# ---- Prometheus -------------------------------------------------------------------------------------------------
mkdir -p "$tmp/prometheus-data"
cat >"$tmp/prometheus.yml" <<EOF
# Written by scripts/metrics-picture.sh: the three services of this run, every second.
global:
  scrape_interval: 1s
  scrape_timeout: 900ms
scrape_configs:
  - job_name: order-generator
    static_configs: [{targets: ["127.0.0.1:$gen_port"]}]
  - job_name: payment-service
    static_configs: [{targets: ["127.0.0.1:$pay_port"]}]
  - job_name: notification-service
    static_configs: [{targets: ["127.0.0.1:$notif_port"]}]
EOF
promtool check config "$tmp/prometheus.yml" >/dev/null || die "promtool rejects $tmp/prometheus.yml"
prom_url=http://127.0.0.1:$prom_port
start prometheus "$prometheus" --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/prometheus-data" \
    --storage.tsdb.retention.time=1d --web.listen-address="127.0.0.1:$prom_port"
t_start=$(now)

probe() {            # probe URL: the services' own HTTP probe (no curl needed)
    "$bin/payment-service/payment-service" --probe "$1" >/dev/null 2>&1
}
wait_for() {         # wait_for WHAT URL SECONDS PID
    local what=$1 url=$2 seconds=$3 pid=$4 i
    for ((i = 0; i < seconds * 5; i++)); do
        probe "$url" && return 0
        kill -0 "$pid" 2>/dev/null || { tail -n 20 "$tmp/$what.log" >&2; die "$what exited"; }
        sleep 0.2
    done
    tail -n 20 "$tmp/$what.log" >&2
    die "$what not ready at $url within $seconds s"
}
wait_for prometheus "$prom_url/-/ready" 30 "${pid_of[prometheus]}"
prom_version=$("$prometheus" --version 2>&1 | sed -n '1s/^prometheus, version \([0-9.]*\).*/\1/p')
say "prometheus $prom_version on $prom_url," \
    "scraping 127.0.0.1:$gen_port, :$pay_port, :$notif_port every 1 s"

# ---- the pipeline -------------------------------------------------------------------------------------------------
# Statistics every second (default 5 s) so that the consumer lag gauge moves at the scrape's pace.
common=(-b "$bootstrap" --statistics-interval 1s --log-level info)
start payment-service "$bin/payment-service/payment-service" "${common[@]}" --http-address "127.0.0.1:$pay_port" \
    --processing-guarantee exactly-once --transactional-id metrics-picture-payment \
    --decline-rate "$decline_rate" --seed 42
start notification-service "$bin/notification-service/notification-service" "${common[@]}" \
    --http-address "127.0.0.1:$notif_port" --transactional-id metrics-picture-notification --output none
wait_for payment-service "http://127.0.0.1:$pay_port/readyz" 60 "${pid_of[payment-service]}"
wait_for notification-service "http://127.0.0.1:$notif_port/readyz" 60 "${pid_of[notification-service]}"
say "payment-service and notification-service ready; $lead_in s idle"
sleep "$lead_in" & wait $!

# 50 malformed orders, ten of each way of being wrong (the error classes of libs/events' decoder).
for i in $(seq 1 10); do
    echo "not json $i"                                                          # malformed_json
    echo "[\"an\", \"array\", $i]"                                              # not_an_object
    echo "{\"order_id\": \"bad-$i\"}"                                           # missing_field (user)
    echo "{\"order_id\": $i, \"user\": \"x\", \"item\": \"y\", \"quantity\": 1}" # wrong_type
    echo "{\"order_id\": \"bad-$i\", \"user\": \"x\", \"item\": \"y\", \"quantity\": 0}" # invalid_value
done >"$tmp/malformed.txt"

# CPU used per step (utime + stime from /proc), for the report: the machine is small and shared.
clk_tck=$(getconf CLK_TCK)
broker_pid=$(cat "$STREAMSTORE_KAFKA_DIR/kafka.pid" 2>/dev/null || echo 0)
cpu_ticks() {        # cpu_ticks PID: its CPU time so far, in clock ticks (0 when gone)
    local stat fields
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
    read -r -a fields <<<"${stat##*) }"    # fields[0] is field 3 (state); utime, stime are fields 14, 15
    echo $((fields[11] + fields[12]))
}
cpu_names=(payment-service notification-service broker prometheus)
cpu_pids=("${pid_of[payment-service]}" "${pid_of[notification-service]}" "$broker_pid" "${pid_of[prometheus]}")
cpu_sample() { local pid; for pid in "${cpu_pids[@]}"; do cpu_ticks "$pid"; done; }

phase_args=()
loads=()
marker_args=()
read -r -a step_list <<<"$steps"
malformed_step=$((${#step_list[@]} >= 2 ? 2 : 1))   # the middle of the second step (or of the only one)
step_no=0
for spec in "${step_list[@]}"; do
    step_no=$((step_no + 1))
    rate=${spec%%:*}
    seconds=${spec##*:}
    say "step $step_no: $rate orders/s for $seconds s"
    t0=$(now)
    mapfile -t cpu0 < <(cpu_sample)
    start "order-generator-$step_no" "$bin/order-generator/order-generator" "${common[@]}" \
        --http-address "127.0.0.1:$gen_port" --rate "$rate" --duration "${seconds}s" --seed "$step_no"
    gen_pid=${pid_of[order-generator-$step_no]}
    if ((step_no == malformed_step)); then
        sleep $((seconds / 2)) & wait $!
        say "  sending 50 malformed orders (kafka-local.sh tool console-producer)"
        STDIN=$tmp/malformed.txt start malformed \
            scripts/kafka-local.sh tool console-producer --bootstrap-server "$bootstrap" --topic orders
        wait "${pids[-1]}" || die "console-producer failed: $(tail -n 5 "$tmp/malformed.log")"
        # Marked when the producer exits: it has sent them by then (its JVM takes seconds to start here).
        marker_args+=(--marker "50 malformed orders sent:$(now)")
    fi
    if wait "$gen_pid"; then :; else die "order-generator exited $?: $(tail -n 5 "$tmp/order-generator-$step_no.log")"; fi
    t1=$(now)
    mapfile -t cpu1 < <(cpu_sample)
    phase_args+=(--phase "$rate orders/s:$t0:$t1")
    grep -h "order-generator: sent" "$tmp/order-generator-$step_no.log" | sed 's/^/  /' || true
    usage=""
    for i in "${!cpu_names[@]}"; do
        usage+=$(awk -v n="${cpu_names[i]}" -v d=$((cpu1[i] - cpu0[i])) -v hz="$clk_tck" -v t0="$t0" -v t1="$t1" \
            'BEGIN { printf "%s%s %.0f", (n == "payment-service" ? "" : ", "), n, 100 * d / hz / (t1 - t0) }')
    done
    loads+=("$(cut -d' ' -f1 /proc/loadavg)")
    say "  CPU (% of one core): $usage; load average ${loads[-1]}"
done
say "drain: $drain s"
sleep "$drain" & wait $!
sleep 2 & wait $!    # two more scrapes, so that the last point is in Prometheus
t_end=$(now)

# ---- the picture -----------------------------------------------------------------------------------------------
kafka_version=$(sed -n 's/^readonly DEFAULT_KAFKA_VERSION=//p' scripts/kafka-local.sh)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
if [[ ${NO_BUILD:-0} == 1 ]]; then
    built="services: the binaries in $build_dir as they were"
else
    built="services built from the working tree ($commit$(git diff --quiet HEAD -- libs services 2>/dev/null ||
        echo " + uncommitted changes"))"
fi
load_range=$(printf '%s\n' "${loads[@]}" | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 }
    END { print (lo == hi ? lo : lo " to " hi) }')
subtitle="Kafka ${KAFKA_VERSION:-$kafka_version}, 1 node, 3 partitions · $built · payment-service and"
subtitle+=" notification-service exactly-once (100 ms transactions), --decline-rate $decline_rate ·"
subtitle+=" Prometheus $prom_version scraping every 1 s · 1-min load average $load_range (the machine is shared)"
"$python" scripts/metrics_picture.py --prometheus "$prom_url" --start "$t_start" --end "$t_end" \
    "${phase_args[@]}" "${marker_args[@]}" --subtitle "$subtitle" --out "$out"

# ---- stop the consumers gracefully and show how they ended --------------------------------------------------------
for name in payment-service notification-service; do
    kill -TERM -- "-${pid_of[$name]}" 2>/dev/null || true
done
for name in payment-service notification-service; do
    if wait "${pid_of[$name]}"; then code=0; else code=$?; fi
    say "$name exited $code: $(grep -h 'stopped:' "$tmp/$name.log" | sed 's/^.*stopped: //' | tail -n 1)"
done
say "done in $(($(date +%s) - t_begin)) s (after the build)"
