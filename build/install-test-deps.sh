#!/usr/bin/env bash
# Installs what the test suites need beyond the native build (build/build-webrtc.sh installs its own
# toolchain): clang for the binding generator's check, then every suite's own installer
# (tests/infra/install-*.sh: Kamailio, sipp, ...). Idempotent; apt is skipped when nothing is missing.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$root/build/lib/apt.sh"

apt_install_missing clang openssl

for installer in "$root"/tests/infra/install-*.sh; do
  [ -f "$installer" ] || continue
  echo "running $(basename "$installer")"
  bash "$installer"
done
