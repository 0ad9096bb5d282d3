#!/usr/bin/env bash
# Builds Dialtone's libwebrtc shim (native/webrtc-shim) against the system libwebrtc (Debian's
# libtgowt-dev), installing whatever is missing first (apt-get; sudo when not root). Re-running is
# fast: apt is skipped when everything is present and CMake rebuilds only what changed.
#
#   build/build-webrtc.sh [--config Debug|Release] [--asan] [--tests] [--bench] [-j N]
#
# Output (repo-relative):
#   artifacts/native/linux-x64/libdialtone_webrtc.so        Release (portable: needs only glibc >= 2.25;
#                                                           build/pack.sh strips it for the package)
#   artifacts/native-debug/linux-x64/, artifacts/native-asan/linux-x64/, artifacts/native-debug-asan/linux-x64/
#   artifacts/obj/native/<config>[-asan]/                   CMake build dir; tests/dt_shim_tests and
#                                                           bench/dt_native_bench live here
set -euo pipefail

config=Release
asan=0
tests=0
bench=0
jobs=2
usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --config) config="${2:?--config needs Debug or Release}"; shift 2 ;;
    --config=*) config="${1#*=}"; shift ;;
    --asan) asan=1; shift ;;
    --tests) tests=1; shift ;;
    --bench) bench=1; shift ;;
    -j) jobs="${2:?-j needs a number}"; shift 2 ;;
    -j*) jobs="${1#-j}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "build-webrtc.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
case "$config" in Debug|Release) ;; *) echo "build-webrtc.sh: --config must be Debug or Release" >&2; exit 2 ;; esac
[[ "$jobs" =~ ^[0-9]+$ && "$jobs" -ge 1 ]] || { echo "build-webrtc.sh: -j needs a positive number" >&2; exit 2; }

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# --- dependencies -------------------------------------------------------------------------------
# Debian packages: the static libwebrtc and its headers/CMake package, the toolchain, GoogleTest,
# and the link dependencies of the recipe (static absl comes with libabsl-dev, static protobuf-lite
# with libprotobuf-dev; static OpenSSL, libsrtp2 and libopus with their -dev packages (libnss3-dev:
# headers for libsrtp2's NSS backend, run on OpenSSL); libpulse-dev
# for its headers only: the library opens libpulse at run time).
packages=(libtgowt-dev libabsl-dev libprotobuf-dev libssl-dev libsrtp2-dev libopus-dev libnss3-dev libpulse-dev cmake make g++ clang pkg-config libgtest-dev binutils)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "build-webrtc.sh: installing ${missing[*]}"
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "build-webrtc.sh: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
    sudo_cmd=(sudo)
  fi
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# --- configure + build ----------------------------------------------------------------------------
# Release goes to the folder the managed loader looks in; Debug and sanitizer builds get their own,
# so they never replace it.
suffix=""
[[ $asan -eq 1 ]] && suffix="-asan"
out_name="native"
[[ "$config" == Debug ]] && out_name="native-debug"
[[ $asan -eq 1 ]] && out_name="${out_name}-asan"
out_dir="$repo/artifacts/$out_name/linux-x64"

build_dir="$repo/artifacts/obj/native/${config}${suffix}"
on_off() { [[ $1 -eq 1 ]] && echo ON || echo OFF; }

start=$(date +%s)
cmake -S "$repo/native/webrtc-shim" -B "$build_dir" \
  -DCMAKE_BUILD_TYPE="$config" \
  -DDT_OUTPUT_DIR="$out_dir" \
  -DDT_SANITIZE="$(on_off $asan)" \
  -DDT_BUILD_TESTS="$(on_off $tests)" \
  -DDT_BUILD_BENCH="$(on_off $bench)" >/dev/null
cmake --build "$build_dir" -j "$jobs"
end=$(date +%s)

echo
echo "build-webrtc.sh: built in $((end - start)) s"
echo "  library:   $out_dir/libdialtone_webrtc.so"
[[ $tests -eq 1 ]] && echo "  tests:     $build_dir/tests/dt_shim_tests   (run: ctest --test-dir $build_dir --output-on-failure)"
[[ $bench -eq 1 ]] && echo "  benchmark: $build_dir/bench/dt_native_bench <calls> <seconds>"
exit 0
