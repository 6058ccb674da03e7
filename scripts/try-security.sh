#!/usr/bin/env bash
# Runs the pipeline against a secured local broker, for real: over SASL_SSL with SCRAM-SHA-512, over SASL_SSL with
# PLAIN, and over SSL with mutual TLS (client certificate required), then checks that bad credentials fail clearly.
#
#   1. starts scripts/kafka-local.sh with STREAMSTORE_KAFKA_SECURITY=1 on its own ports and directory (a throwaway
#      CA, broker keystore, client certificate and SCRAM user are generated into DIR/security on first start);
#   2. writes the client property files DIR/security/{sasl-scram,sasl-plain,mtls}.properties (plus the deliberately
#      wrong *-wrong-password.properties and mtls-no-client-cert.properties), mode 600;
#   3. per client configuration: payment-service and notification-service in the background, order-generator sends
#      COUNT orders, waits for 2 x COUNT notifications, stops both with SIGTERM (exit 0 expected), then
#      streamstore-verify checks every order paid once and notified once (exactly-once).
#      Known limit: librdkafka before 2.6.1 (Debian bookworm: 2.0.2) fails SCRAM against Kafka 4.x with "invalid
#      credentials" (librdkafka#4895). With that pair, SCRAM is only checked to fail that way (KNOWN, not a
#      failure of this script); KAFKA_VERSION=3.9.2 (own STREAMSTORE_KAFKA_DIR) runs the SCRAM pipeline for real;
#   4. a wrong SCRAM password and a missing client certificate must make order-generator and payment-service
#      exit non-zero with an error naming the cause;
#   5. no secret (SCRAM passwords, key and store passwords) may appear in any log of the run or of the broker;
#   6. stops the broker (unless --keep-broker).
#
# The services get the property file with -F/--config-file when their --help lists it, otherwise as repeated
# -X key=value (then the secrets are visible in `ps`; -F keeps them off the command line).
#
# Usage: scripts/try-security.sh [--keep-broker] [--bin-dir DIR]
# Env:   STREAMSTORE_KAFKA_PORT (29092), STREAMSTORE_KAFKA_CONTROLLER_PORT (29093), STREAMSTORE_KAFKA_DIR
#        (<repo>/.kafka-sec), STREAMSTORE_KAFKA_SASL_SSL_PORT (port + 2), STREAMSTORE_KAFKA_SSL_PORT (port + 3):
#        the broker, as in scripts/kafka-local.sh (never the shared 9092 one by default)
#        BIN_DIR   build directory holding services/ and tools/ (default: build/ops-helper, else build/default)
#        TRY_COUNT orders per listener (default 20); TRY_TIMEOUT seconds allowed per wait (default 120)
# Exit:  0 every check passed, 1 a check failed (the summary says which), 2 bad usage
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD

export STREAMSTORE_KAFKA_PORT=${STREAMSTORE_KAFKA_PORT:-29092}
export STREAMSTORE_KAFKA_CONTROLLER_PORT=${STREAMSTORE_KAFKA_CONTROLLER_PORT:-29093}
export STREAMSTORE_KAFKA_DIR=${STREAMSTORE_KAFKA_DIR:-$REPO/.kafka-sec}
export STREAMSTORE_KAFKA_SASL_SSL_PORT=${STREAMSTORE_KAFKA_SASL_SSL_PORT:-$((STREAMSTORE_KAFKA_PORT + 2))}
export STREAMSTORE_KAFKA_SSL_PORT=${STREAMSTORE_KAFKA_SSL_PORT:-$((STREAMSTORE_KAFKA_PORT + 3))}
export STREAMSTORE_KAFKA_SECURITY=1
TRY_COUNT=${TRY_COUNT:-20}
TRY_TIMEOUT=${TRY_TIMEOUT:-120}
keep_broker=0
BIN_DIR=${BIN_DIR:-}
while (($#)); do
    case $1 in
        --keep-broker) keep_broker=1 ;;
        --bin-dir) BIN_DIR=${2:?--bin-dir needs a directory}; shift ;;
        -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
        *) echo "try-security: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done

log() { printf 'try-security: %s\n' "$*"; }
die() { printf 'try-security: FAIL: %s\n' "$*" >&2; exit 1; }

if [[ -z $BIN_DIR ]]; then
    for d in build/ops-helper build/default; do
        [[ -x $d/services/payment-service/payment-service ]] && { BIN_DIR=$d; break; }
    done
fi
[[ -n $BIN_DIR ]] || die "no built services; build first (cmake --preset default && cmake --build --preset default)"
GEN=$BIN_DIR/services/order-generator/order-generator
PAY=$BIN_DIR/services/payment-service/payment-service
NOTIFY=$BIN_DIR/services/notification-service/notification-service
VERIFY=$BIN_DIR/tools/verify/streamstore-verify
for b in "$GEN" "$PAY" "$NOTIFY" "$VERIFY"; do [[ -x $b ]] || die "$b not built"; done

# ---- broker ----------------------------------------------------------------------------------------------------------
scripts/kafka-local.sh start
KDIR=$(cd "$STREAMSTORE_KAFKA_DIR" && pwd -P)
SEC=$KDIR/security
stop_broker() { if ((!keep_broker)); then scripts/kafka-local.sh stop || true; fi; }

# ---- client property files (librdkafka names, as kcat -F / the services' -F read them) ---------------------------------
sasl_pw=$(<"$SEC/sasl.password")
key_pw=$(<"$SEC/client-key.password")
store_pw=$(<"$SEC/store.password")
wrong_pw="wrong-$(head -c 9 /dev/urandom | od -An -tx1 | tr -d ' \n')"
write_props() {   # write_props FILE LINES...  (mode 600: they hold secrets)
    local f=$1; shift
    (umask 077 && printf '%s\n' "$@" >"$f")
}
write_props "$SEC/sasl-scram.properties" \
    "# SASL_SSL listener 127.0.0.1:$STREAMSTORE_KAFKA_SASL_SSL_PORT: TLS (server certificate checked against the CA)," \
    "# then SCRAM-SHA-512 authentication of user streamstore." \
    "security.protocol=SASL_SSL" \
    "sasl.mechanisms=SCRAM-SHA-512" \
    "sasl.username=streamstore" \
    "sasl.password=$sasl_pw" \
    "ssl.ca.location=$SEC/ca.pem"
write_props "$SEC/sasl-plain.properties" \
    "# SASL_SSL listener 127.0.0.1:$STREAMSTORE_KAFKA_SASL_SSL_PORT with SASL/PLAIN: the password itself goes to the" \
    "# broker, inside TLS (so never PLAIN without TLS)." \
    "security.protocol=SASL_SSL" \
    "sasl.mechanisms=PLAIN" \
    "sasl.username=streamstore" \
    "sasl.password=$sasl_pw" \
    "ssl.ca.location=$SEC/ca.pem"
write_props "$SEC/mtls.properties" \
    "# SSL listener 127.0.0.1:$STREAMSTORE_KAFKA_SSL_PORT: mutual TLS; the client certificate is the identity" \
    "# (principal User:CN=streamstore-client). The key is encrypted; ssl.key.password unlocks it." \
    "security.protocol=SSL" \
    "ssl.ca.location=$SEC/ca.pem" \
    "ssl.certificate.location=$SEC/client.pem" \
    "ssl.key.location=$SEC/client.key" \
    "ssl.key.password=$key_pw"
for m in scram:SCRAM-SHA-512 plain:PLAIN; do
    write_props "$SEC/sasl-${m%%:*}-wrong-password.properties" \
        "security.protocol=SASL_SSL" "sasl.mechanisms=${m#*:}" "sasl.username=streamstore" \
        "sasl.password=$wrong_pw" "ssl.ca.location=$SEC/ca.pem"
done
write_props "$SEC/mtls-no-client-cert.properties" \
    "security.protocol=SSL" "ssl.ca.location=$SEC/ca.pem"

# -F when the binary has it, else the same lines as -X key=value (comments and blank lines skipped).
use_config_file=1
for b in "$GEN" "$PAY" "$NOTIFY" "$VERIFY"; do
    "$b" --help 2>&1 | grep -q -- '--config-file' || use_config_file=0
done
kafka_args() {   # kafka_args FILE: prints one argument per line
    if ((use_config_file)); then
        printf '%s\n' -F "$1"
    else
        local line
        while IFS= read -r line || [[ -n $line ]]; do
            line=${line#"${line%%[![:space:]]*}"}
            [[ -z $line || $line == \#* ]] && continue
            printf '%s\n' -X "$line"
        done <"$1"
    fi
}
if ((use_config_file)); then
    log "passing the property files with -F/--config-file"
else
    log "the binaries have no -F/--config-file yet: passing the property files as repeated -X key=value"
fi

RUN_DIR=$KDIR/try-security/$(date +%Y%m%d-%H%M%S)
mkdir -p "$RUN_DIR"
log "logs in $RUN_DIR"

# ---- processes: only the ones started here are ever signalled ---------------------------------------------------------
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    stop_broker
}
trap cleanup EXIT

results=()
failures=0
record() {   # record NAME PASS|FAIL|KNOWN DETAIL  (KNOWN: the documented failure of an old client, not counted)
    results+=("$(printf '%-38s %-5s  %s' "$1" "$2" "$3")")
    printf 'try-security: %-38s %-5s  %s\n' "$1" "$2" "$3"
    [[ $2 == PASS || $2 == KNOWN ]] || failures=$((failures + 1))
}

exit_code=
wait_exit() {   # wait_exit PID SECONDS: sets exit_code to the exit status, or "timeout" (not in $(...): a subshell
    local pid=$1 deadline=$((SECONDS + $2))    # cannot wait for this shell's children)
    while kill -0 "$pid" 2>/dev/null; do
        if ((SECONDS >= deadline)); then exit_code=timeout; return 0; fi
        sleep 0.2
    done
    exit_code=0
    wait "$pid" || exit_code=$?
}

# ---- one pipeline run per listener ------------------------------------------------------------------------------------
run_pipeline() {   # run_pipeline NAME BOOTSTRAP PROPERTIES
    local name=$1 bootstrap=$2 props=$3
    local run dir
    run="sec-$name-$(date +%H%M%S)-$$"
    dir=$RUN_DIR/$name
    mkdir -p "$dir"
    local -a ka
    mapfile -t ka < <(kafka_args "$props")
    local -a common=(-b "$bootstrap" "${ka[@]}" --orders-topic "$run-orders" --payments-topic "$run-payments")
    log "[$name] $bootstrap: topics $run-*, $TRY_COUNT orders"

    "$PAY" "${common[@]}" -g "$run-payment-service" --transactional-id "$run-payment-service" \
        >"$dir/payment-service.out" 2>"$dir/payment-service.log" &
    local pay_pid=$!
    pids+=("$pay_pid")
    "$NOTIFY" "${common[@]}" -g "$run-notification-service" --transactional-id "$run-notification-service" \
        --notifications-topic "$run-notifications" \
        >"$dir/notification-service.out" 2>"$dir/notification-service.log" &
    local notify_pid=$!
    pids+=("$notify_pid")

    local t0=$SECONDS gen_rc
    gen_rc=0
    "$GEN" -b "$bootstrap" "${ka[@]}" --topic "$run-orders" --count "$TRY_COUNT" --interval 0 \
        >"$dir/order-generator.out" 2>"$dir/order-generator.log" || gen_rc=$?
    local summary
    summary=$(grep -h '^order-generator: sent' "$dir/order-generator.out" "$dir/order-generator.log" | tail -n 1 || true)
    if [[ $gen_rc == 0 && $summary == *"sent $TRY_COUNT, delivered $TRY_COUNT, failed 0"* ]]; then
        record "$name: order-generator" PASS "exit 0; ${summary#order-generator: }"
    else
        record "$name: order-generator" FAIL "exit $gen_rc; ${summary:-no summary}; see $dir/order-generator.log"
    fi

    # Each order gives two notifications: "Order received: ..." and "Payment approved/declined ...".
    local want=$((2 * TRY_COUNT)) got=0 deadline=$((SECONDS + TRY_TIMEOUT))
    while :; do
        got=$(grep -cE '^(Order received: |Payment (approved|declined) for order )' "$dir/notification-service.out" || true)
        ((got >= want)) && break
        ((SECONDS < deadline)) || break
        if ! kill -0 "$pay_pid" 2>/dev/null || ! kill -0 "$notify_pid" 2>/dev/null; then break; fi
        sleep 0.5
    done
    if ((got == want)); then
        record "$name: notifications" PASS "$got lines ($TRY_COUNT orders received, $TRY_COUNT payments) after $((SECONDS - t0)) s"
    else
        record "$name: notifications" FAIL "$got of $want lines; see $dir/notification-service.{out,log}"
    fi

    local p
    for p in "$pay_pid" "$notify_pid"; do kill -TERM "$p" 2>/dev/null || true; done
    wait_exit "$pay_pid" 30
    if [[ $exit_code == 0 ]]; then record "$name: payment-service stop" PASS "exit 0 after SIGTERM"
    else record "$name: payment-service stop" FAIL "exit $exit_code after SIGTERM"; fi
    wait_exit "$notify_pid" 30
    if [[ $exit_code == 0 ]]; then record "$name: notification-service stop" PASS "exit 0 after SIGTERM"
    else record "$name: notification-service stop" FAIL "exit $exit_code after SIGTERM"; fi

    local vrc=0
    "$VERIFY" -b "$bootstrap" "${ka[@]}" --expect exactly-once --expect-orders "$TRY_COUNT" \
        --orders-topic "$run-orders" --payments-topic "$run-payments" \
        --notifications-topic "$run-notifications" --timeout 60s \
        >"$dir/verify.out" 2>"$dir/verify.log" || vrc=$?
    local verdict
    verdict=$(grep -E 'PASS|FAIL' "$dir/verify.out" | tail -n 1 || true)
    if ((vrc == 0)); then record "$name: streamstore-verify" PASS "exit 0; ${verdict:-PASS}"
    else record "$name: streamstore-verify" FAIL "exit $vrc; ${verdict:-no verdict}; see $dir/verify.{out,log}"; fi
}

# ---- bad credentials: must fail, non-zero, with the cause named -------------------------------------------------------
expect_failure() {   # expect_failure NAME BOOTSTRAP PROPERTIES PATTERN BINARY ARGS...  (STATUS=KNOWN: label)
    local name=$1 bootstrap=$2 props=$3 pattern=$4 bin=$5 ok_status=${STATUS:-PASS}
    shift 5
    local dir=$RUN_DIR/negative
    mkdir -p "$dir"
    local -a ka
    mapfile -t ka < <(kafka_args "$props")
    local file=${name//[^A-Za-z0-9._-]/_}
    local log=$dir/$file.log rc=0 t0=$SECONDS
    # The debug level shows librdkafka's own messages too: the secret check below then covers them as well.
    timeout 120 "$bin" -b "$bootstrap" "${ka[@]}" --startup-timeout 15s --log-level debug "$@" \
        >"$dir/$file.out" 2>"$log" || rc=$?
    local line
    # librdkafka's reason, without the log prefix and the broker name
    line=$(grep -iE "$pattern" "$log" | head -n 1 | sed -E 's/^.*(FAIL|ERROR): \[[^]]*\]: [^ ]+: //' | cut -c1-200 || true)
    if ((rc != 0 && rc != 124)) && [[ -n $line ]]; then
        record "$name" "$ok_status" "exit $rc after $((SECONDS - t0)) s; $line"
    else
        record "$name" FAIL "exit $rc after $((SECONDS - t0)) s; ${line:-no line matching /$pattern/}; see $log"
    fi
}

sasl="127.0.0.1:$STREAMSTORE_KAFKA_SASL_SSL_PORT"
mtls="127.0.0.1:$STREAMSTORE_KAFKA_SSL_PORT"
# librdkafka < 2.6.1 against Kafka >= 4.0: SCRAM cannot work (librdkafka#4895).
kafka_version=$(scripts/kafka-local.sh status | sed -n 's/.*Kafka \([0-9][0-9.]*\),.*/\1/p')
librdkafka_version=$(pkg-config --modversion rdkafka 2>/dev/null || dpkg-query -W -f '${Version}' librdkafka1 2>/dev/null || true)
librdkafka_version=${librdkafka_version%%-*}
older() { [[ $1 != "$2" && $(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n 1) == "$1" ]]; }
scram_known_broken=0
if [[ -n $kafka_version && -n $librdkafka_version ]] && older "$librdkafka_version" 2.6.1 && ! older "$kafka_version" 4.0.0; then
    scram_known_broken=1
fi
log "broker Kafka ${kafka_version:-?}, librdkafka ${librdkafka_version:-?} (SCRAM $( ((scram_known_broken)) && echo 'known not to work with this pair' || echo 'expected to work'))"
neg_run="sec-neg-$(date +%H%M%S)-$$"

if ((scram_known_broken)); then
    STATUS=KNOWN expect_failure "sasl-scram (librdkafka#4895)" "$sasl" "$SEC/sasl-scram.properties" \
        'invalid credentials' "$GEN" --topic "$neg_run-orders" --count 1
    wrong=plain
else
    run_pipeline sasl-scram "$sasl" "$SEC/sasl-scram.properties"
    wrong=scram
fi
run_pipeline sasl-plain "$sasl" "$SEC/sasl-plain.properties"
run_pipeline mtls "$mtls" "$SEC/mtls.properties"

expect_failure "wrong $wrong password: order-generator" "$sasl" "$SEC/sasl-$wrong-wrong-password.properties" \
    'authentication' "$GEN" --topic "$neg_run-orders" --count 1
expect_failure "wrong $wrong password: payment-service" "$sasl" "$SEC/sasl-$wrong-wrong-password.properties" \
    'authentication' "$PAY" --orders-topic "$neg_run-orders" --payments-topic "$neg_run-payments" \
    -g "$neg_run-payment-service" --transactional-id "$neg_run-payment-service"
expect_failure "no client certificate: order-generator" "$mtls" "$SEC/mtls-no-client-cert.properties" \
    'ssl|handshake|certificate' "$GEN" --topic "$neg_run-orders" --count 1

# ---- no secret in any log ---------------------------------------------------------------------------------------------
leaks=0
for s in "$sasl_pw" "$wrong_pw" "$key_pw" "$store_pw"; do
    n=$( { grep -rlF -- "$s" "$RUN_DIR" "$KDIR/logs" 2>/dev/null || true; } | wc -l)
    leaks=$((leaks + n))
done
files=$(find "$RUN_DIR" "$KDIR/logs" -type f | wc -l)
lines=$(find "$RUN_DIR" "$KDIR/logs" -type f -exec cat {} + | wc -l)
if ((leaks == 0)); then
    record "no secret in logs" PASS "4 secrets searched in $files files ($lines lines: services, verify, broker)"
else
    record "no secret in logs" FAIL "a secret appears in $leaks file(s): grep -rlF the passwords in $RUN_DIR"
fi

echo
echo "== security trial ($(date -Is)): Kafka ${kafka_version:-?} with SASL_SSL on $sasl, SSL (mTLS) on $mtls; librdkafka ${librdkafka_version:-?} =="
echo "   client settings passed with $( ((use_config_file)) && echo '-F/--config-file' || echo 'repeated -X (no -F in these binaries yet)')"
printf '   %s\n' "${results[@]}"
if ((failures)); then
    echo "   result: FAIL ($failures check(s) failed); logs in $RUN_DIR"
    exit 1
fi
echo "   result: PASS; logs in $RUN_DIR"
