#!/usr/bin/env bash
# Installs the real SIP peers the integration tests start: Kamailio (registrar/proxy with
# WebSocket and TLS modules), sipp (Debian package sip-tester) and openssl (test CA).
# Idempotent: installs only what is missing. Needs apt (Debian/Ubuntu); uses sudo when not root.
set -euo pipefail

packages=(kamailio kamailio-websocket-modules kamailio-tls-modules sip-tester openssl)
missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-sip-servers: all present (${packages[*]})"
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
echo "install-sip-servers: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
# The package enables a system-wide kamailio service; the tests run their own instance on free
# ports, so the packaged one is left alone (it listens on 5060 only if configured to start).
