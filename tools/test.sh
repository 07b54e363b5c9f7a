#!/usr/bin/env bash
# README command (b): install what the tests need, then run the whole suite.
#   system tools (apt-get, when run as root on Debian/Ubuntu and something is missing),
#   the package with its test extras into the active Python, then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(cmake gcc g++ make valgrind clang-format clang llvm libclang-rt-dev gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf libc6-dev-arm64-cross libc6-dev-armhf-cross qemu-user-static file)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
# A JDK for the host-JVM tests of android_demo (javac, java, include/jni.h); any installed one will do.
command -v javac >/dev/null || dpkg -s default-jdk-headless >/dev/null 2>&1 || missing+=(default-jdk-headless)
if ((${#missing[@]})); then
    if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
        echo "installing system packages: ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "note: missing system packages (${missing[*]}); tests that need them will skip" >&2
    fi
fi

python -m pip install -q -e ".[test]"
python -m pytest "$@"
