#!/usr/bin/env bash
# Installs, idempotently, everything StreamStore needs on a fresh Debian 12 (bookworm) machine:
# the C++ toolchain and libraries from Debian's packages, and Java 17 + Maven for the local broker.
# Packages already present are left alone; nothing is installed from outside Debian's archive.
set -euo pipefail

packages=(
    g++ cmake ninja-build pkg-config
    librdkafka-dev libboost1.81-dev libboost-json1.81-dev libssl-dev
    libspdlog-dev libfmt-dev libcli11-dev libgtest-dev libgmock-dev
    prometheus-cpp-dev
    openjdk-17-jre-headless maven
    clang-14 libclang-rt-14-dev llvm-14  # scripts/fuzz.sh: libFuzzer + sanitizer runtimes, llvm-symbolizer
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A JDK from elsewhere (e.g. a Temurin install) is as good as Debian's JRE for the broker.
if [[ " ${missing[*]} " == *" openjdk-17-jre-headless "* ]] && command -v java >/dev/null \
    && java -version 2>&1 | grep -qE 'version "(1[7-9]|2[0-9])'; then
    missing=("${missing[@]/openjdk-17-jre-headless}")
fi
if [[ " ${missing[*]} " == *" maven "* ]] && command -v mvn >/dev/null; then
    missing=("${missing[@]/maven}")
fi
read -r -a missing <<<"${missing[*]}"

if ((${#missing[@]} == 0)); then
    echo "install-deps: all dependencies present"
    exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
