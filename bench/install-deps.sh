#!/usr/bin/env bash
# Installs, idempotently, what the benchmarks need on top of scripts/install-deps.sh (the build
# toolchain, librdkafka, Java and Maven): Debian's confluent-kafka for the Python peer and the
# driver's lag watcher, matplotlib for the plot, GNU time, and the profilers (perf, valgrind,
# heaptrack) used by bench/profile.sh. None of this is needed by CI, so it lives here.
#   bench/install-deps.sh            everything
#   bench/install-deps.sh --no-profilers
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
"$SCRIPT_DIR/../scripts/install-deps.sh"

packages=(python3 python3-confluent-kafka python3-matplotlib time procps)
profilers=(linux-perf valgrind heaptrack)
[[ ${1:-} == --no-profilers ]] || packages+=("${profilers[@]}")

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
    echo "bench/install-deps: all dependencies present"
    exit 0
fi
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "bench/install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
