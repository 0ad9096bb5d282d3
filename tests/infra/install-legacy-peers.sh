#!/usr/bin/env bash
# Installs the legacy (non-WebRTC) SIP peers the legacy-media tests start: baresip from Debian
# (baresip-core: the headless user agent with the aufile/ausine/srtp modules, no GUI) and sipp
# (sip-tester) for carrier-like RTP scenarios. Idempotent: installs only what is missing. Needs apt
# (Debian bookworm has baresip 1.0.0); runs as root in CI, uses sudo otherwise.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$root/build/lib/apt.sh"

# No recommends (apt.sh): the GUI/video modules (gtk, x11, gstreamer, ffmpeg) are not needed.
apt_install_missing baresip-core sip-tester
