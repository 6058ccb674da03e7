#!/usr/bin/env bash
# The whole test suite, as a new user and CI run it: installs what is missing, builds, starts the
# local Kafka broker unless one already listens on 127.0.0.1:9092, runs every CTest test (unit,
# integration and the fast reliability version) against it, and stops the broker again if it
# started it. The reliability tests restart that broker when it is scripts/kafka-local.sh's.
#
#   scripts/test.sh                 # preset "ci": RelWithDebInfo, warnings are errors
#   scripts/test.sh --preset asan   # the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   scripts/test.sh -L unit         # extra arguments go to ctest
set -euo pipefail
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."

preset=ci
if [[ ${1:-} == --preset ]]; then
    preset=${2:?--preset needs a name (default, asan, ci)}
    shift 2
fi

scripts/install-deps.sh
cmake --preset "$preset"
cmake --build --preset "$preset"

source scripts/common.sh
ensure_broker
trap stop_broker_if_started EXIT

export_broker_control
export STREAMSTORE_TEST_BOOTSTRAP_SERVERS=${STREAMSTORE_TEST_BOOTSTRAP_SERVERS:-127.0.0.1:$KAFKA_PORT}
ctest --preset "$preset" "$@"
