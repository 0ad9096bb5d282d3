#!/usr/bin/env bash
# Installs what the network lab (tests/infra/netlab/lab.sh) needs: iproute2 (namespaces, veth,
# bridge), iptables (NAT, filtering, loss), coturn (STUN/TURN), openssl (its test certificate) and
# python3 (serves the JsSIP page inside a namespace; Chromium and JsSIP come from install-browser.sh).
# Kamailio comes from install-sip-servers.sh. Idempotent; apt on Debian; sudo when not root.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$root/build/lib/apt.sh"

apt_install_missing iproute2 iptables coturn openssl python3
# The package's own coturn service stays disabled (Debian ships it off); the lab runs its own
# turnserver inside a namespace with a generated config.
