#!/usr/bin/env bash
# Audio test and benchmark dependencies (idempotent; apt is skipped when all are present):
#   espeak-ng                     speech for the echo cancellation test and benchmark
#   libspeexdsp1, libspeexdsp-dev Speex's echo canceller, the benchmark's comparator
#   pulseaudio, pulseaudio-utils  a real sound server for device tests (null sink, virtual source)
#   libpulse-dev                  PulseAudio client library headers
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$root/build/lib/apt.sh"

apt_install_missing espeak-ng libspeexdsp1 libspeexdsp-dev pulseaudio pulseaudio-utils libpulse-dev
