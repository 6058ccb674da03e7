#!/usr/bin/env bash
# The full-size reliability run behind docs/reliability.md: the `reliability` CTest tests with
# STREAMSTORE_RELIABILITY_SCALE=full (100,000 orders, 10 payment-service kills, 3+3 broker
# restarts, 1,000 bad records, 20 SIGTERMs), on scripts/kafka-local.sh's broker, which the broker
# test restarts. Prints each scenario's verifier report; the log is kept in build/reliability-full.log.
#
#   scripts/reliability.sh                    # everything (about 15 minutes on 2 cores)
#   scripts/reliability.sh -R Zombie          # extra arguments go to ctest
set -euo pipefail
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."

scripts/install-deps.sh
cmake --preset default
cmake --build --preset default

source scripts/common.sh
ensure_broker
trap stop_broker_if_started EXIT
export_broker_control

export STREAMSTORE_TEST_BOOTSTRAP_SERVERS=${STREAMSTORE_TEST_BOOTSTRAP_SERVERS:-127.0.0.1:$KAFKA_PORT}
export STREAMSTORE_RELIABILITY_SCALE=full
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -srm)"
set +e +o pipefail
ctest --preset default -L reliability --verbose "$@" 2>&1 | tee build/reliability-full.log |
    grep -E '^[0-9]+: (===|[a-z ]+:  |PASS|FAIL)|Test +#|tests passed|tests failed'
status=${PIPESTATUS[0]}
exit "$status"
