#!/usr/bin/env bash
# Installs the legacy (non-WebRTC) SIP peers the legacy-media tests start: baresip from Debian
# (baresip-core: the headless user agent with the aufile/ausine/srtp modules, no GUI) and sipp
# (sip-tester) for carrier-like RTP scenarios. Idempotent: installs only what is missing. Needs apt
# (Debian bookworm has baresip 1.0.0); runs as root in CI, uses sudo otherwise.
set -euo pipefail

packages=(baresip-core sip-tester)
missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-legacy-peers: all present (${packages[*]})"
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
echo "install-legacy-peers: installing ${missing[*]}"
$sudo apt-get update -qq
# --no-install-recommends: the recommended GUI/video modules (gtk, x11, gstreamer, ffmpeg) are not needed.
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
