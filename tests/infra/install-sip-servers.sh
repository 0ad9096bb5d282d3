#!/usr/bin/env bash
# Installs the real SIP peers the integration tests start: Kamailio (registrar/proxy with
# WebSocket and TLS modules), sipp (Debian package sip-tester) and openssl (test CA).
# Idempotent: installs only what is missing. Needs apt (Debian/Ubuntu); uses sudo when not root.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$root/build/lib/apt.sh"

apt_install_missing kamailio kamailio-websocket-modules kamailio-tls-modules sip-tester openssl
# The package enables a system-wide kamailio service; the tests run their own instance on free
# ports, so the packaged one is left alone (it listens on 5060 only if configured to start).
