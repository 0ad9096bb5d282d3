#!/usr/bin/env bash
# Packs Dialtone into a local NuGet folder feed (docs/packaging.md):
#
#   build/pack.sh [--version-suffix LABEL] [--skip-native-build]
#
# Output (repo-relative):
#   artifacts/packages/            the feed: Dialtone.Native.linux-x64, Dialtone.Sip, Dialtone.Bindings,
#                                  Dialtone.WebRtc, Dialtone.Phone, Dialtone.Server (.nupkg + .snupkg)
#                                  and the dialtone tool
#   artifacts/symbols/.build-id/   debug symbols of the packed libdialtone_webrtc.so, by build id
#
# Steps: the Release native build (build/build-webrtc.sh, incremental); the portability gate on it
# (build/test-packages-native.sh: glibc floor, NEEDED, exports); a stripped copy with its symbols
# kept apart; the native package; then every managed package with `dotnet pack` on
# packaging/Dialtone.Packages.slnf. The version comes from Directory.Build.props (VersionPrefix).
set -euo pipefail

suffix=""
native_build=1
usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --version-suffix) suffix="${2:?--version-suffix needs a label, e.g. preview.1}"; shift 2 ;;
    --skip-native-build) native_build=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "pack.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
feed="$repo/artifacts/packages"
library="$repo/artifacts/native/linux-x64/libdialtone_webrtc.so"
staging="$repo/artifacts/packaging/native"
symbols="$repo/artifacts/symbols"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# --- native library -----------------------------------------------------------------------------
if [[ $native_build -eq 1 ]]; then
  bash "$repo/build/build-webrtc.sh" --config Release
fi
[[ -f "$library" ]] || { echo "pack.sh: $library is missing: run build/build-webrtc.sh" >&2; exit 1; }
bash "$repo/build/test-packages-native.sh" "$library"

# A stripped copy for the package; its symbols by build id, where debuggers and symbolizers look
# (gdb: set debug-file-directory artifacts/symbols).
rm -rf "$staging" && mkdir -p "$staging/linux-x64"
build_id=$(readelf -n "$library" | awk '/Build ID:/ {print $3}')
[[ -n "$build_id" ]] || { echo "pack.sh: $library has no build id" >&2; exit 1; }
debug_file="$symbols/.build-id/${build_id:0:2}/${build_id:2}.debug"
mkdir -p "$(dirname "$debug_file")"
objcopy --only-keep-debug "$library" "$debug_file"
strip --strip-all -o "$staging/linux-x64/libdialtone_webrtc.so" "$library"

# The licences of everything linked into the library (Debian's copyright files of the sources used).
{
  echo "libdialtone_webrtc.so links in the following third-party code. Their licences follow,"
  echo "as recorded by the Debian packages the library was built from."
  for pkg in libtgowt-dev libabsl-dev libprotobuf-dev libssl-dev libsrtp2-dev libopus-dev libstdc++-12-dev; do
    copyright="/usr/share/doc/$pkg/copyright"
    [[ -f "$copyright" ]] || { echo "pack.sh: $copyright is missing (is $pkg installed?)" >&2; exit 1; }
    printf '\n==============================================================================\n'
    printf '%s %s\n' "$pkg" "$(dpkg-query -W -f='${Version}' "$pkg")"
    printf '==============================================================================\n\n'
    cat "$copyright"
  done
} > "$staging/THIRD-PARTY-NOTICES.txt"

# --- packages -----------------------------------------------------------------------------------
rm -rf "$feed" && mkdir -p "$feed"
# Own bin/obj folders (--artifacts-path): packing never disturbs a checkout's build and test outputs.
common=(-c Release -nologo -v minimal -p:DialtonePacking=true --artifacts-path "$repo/artifacts/packaging/build")
[[ -n "$suffix" ]] && common+=("-p:VersionSuffix=$suffix")

dotnet pack "$repo/packaging/Dialtone.Native.linux-x64/Dialtone.Native.linux-x64.csproj" "${common[@]}" -o "$feed" \
  "-p:DialtoneNativeLibrary=$staging/linux-x64/libdialtone_webrtc.so" "-p:DialtoneNativeNotices=$staging/THIRD-PARTY-NOTICES.txt"

# The managed packages restore the native one from the feed. NuGet would reuse an older extracted
# copy of the same version from its package folder, so packing restores into a folder of this
# checkout's own (extracting the rest from NuGet's HTTP cache) and clears the native copy there —
# never in the machine-wide folder, where another checkout's build may be using it.
export NUGET_PACKAGES="$repo/artifacts/packaging/nuget"
rm -rf "$NUGET_PACKAGES/dialtone.native.linux-x64"
dotnet pack "$repo/packaging/Dialtone.Packages.slnf" "${common[@]}" "-p:PackageOutputPath=$feed/" "-p:RestoreAdditionalProjectSources=$feed"

echo
echo "pack.sh: feed $feed"
( cd "$feed" && ls -l --block-size=K *.nupkg *.snupkg | awk '{print "  " $5 "\t" $9}' )
echo "  native library: $(stat -c %s "$staging/linux-x64/libdialtone_webrtc.so") bytes stripped ($(stat -c %s "$library") unstripped), build id $build_id"
echo "  debug symbols:  ${debug_file#$repo/}"
