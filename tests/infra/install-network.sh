#!/usr/bin/env bash
# Installs what the network lab (tests/infra/netlab/lab.sh) needs: iproute2 (namespaces, veth,
# bridge), iptables (NAT, filtering, loss), coturn (STUN/TURN) and openssl (its test certificate).
# Kamailio comes from install-sip-servers.sh. Idempotent; apt on Debian; sudo when not root.
set -euo pipefail

packages=(iproute2 iptables coturn openssl)
missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-network: all present (${packages[*]})"
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
echo "install-network: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
# The package's own coturn service stays disabled (Debian ships it off); the lab runs its own
# turnserver inside a namespace with a generated config.
