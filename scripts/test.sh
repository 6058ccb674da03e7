#!/usr/bin/env bash
# The whole test suite, as a new user and CI run it: installs what is missing, builds, starts the
# local Kafka broker if none is running, runs every CTest test (unit and integration) against it,
# and stops the broker again if it started it.
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

started_broker=0
if ! scripts/kafka-local.sh status >/dev/null 2>&1; then
    scripts/kafka-local.sh start
    started_broker=1
fi
stop_broker() { if ((started_broker)); then scripts/kafka-local.sh stop; fi; }
trap stop_broker EXIT

export STREAMSTORE_TEST_BOOTSTRAP_SERVERS=${STREAMSTORE_TEST_BOOTSTRAP_SERVERS:-$(scripts/kafka-local.sh bootstrap)}
ctest --preset "$preset" "$@"
