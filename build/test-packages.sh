#!/usr/bin/env bash
# The packaging test (docs/packaging.md): packs Dialtone into the local feed, checks what each
# package holds, then uses the packages the way a customer does:
#  - the native library passes the portability gate (build/test-packages-native.sh);
#  - samples/Consumer restores Dialtone.Phone and Dialtone.Server from the feed (no project
#    references), is published self-contained, places a SIP call through the embedded server with
#    audio checked both ways on this machine, and a WebRTC call (DTLS-SRTP, Opus) inside clean
#    Debian root filesystems (mmdebstrap minbase: no .NET, no PulseAudio, no OpenSSL), where the
#    PulseAudio device must fail with a clear error;
#  - the dialtone tool installs from the feed and `dialtone demo` passes.
#
#   build/test-packages.sh [--skip-pack] [--suites "12 13"]
#
# Needs the Release native library (build/build-webrtc.sh), root (chroot, unshare) and mmdebstrap
# (installed when missing). Root filesystems are made once and cached in artifacts/rootfs/.
# Prints one line per check and "packages: N passed, N failed"; exit code 0 only if all passed.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
skip_pack=0
# Debian releases to run the consumer in (glibc 2.31, 2.36, 2.41; the library needs 2.25). On a
# system below the floor the check is that loading fails with a message naming the glibc version.
suites="${DT_PACKAGE_TEST_SUITES:-11 12 13}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --skip-pack) skip_pack=1; shift ;;
    --suites) suites="${2:?--suites needs a list, e.g. \"12 13\"}"; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "test-packages.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done

feed="$repo/artifacts/packages"
work="$repo/artifacts/consumer"
floor="${DT_GLIBC_FLOOR:-2.25}"  # the library's glibc floor (build/test-packages-native.sh)
rootfs_cache="$repo/artifacts/rootfs"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
started=$(date +%s)

passed=0
failed=0
check() {  # check NAME OK DETAIL
  if [[ "$2" == 1 ]]; then passed=$((passed + 1)); echo "PASS $1: $3"; else failed=$((failed + 1)); echo "FAIL $1: $3"; fi
}
# Adds the PASS/FAIL lines of a run's log to ours. A run without its closing count line
# ("...: N passed, M failed") crashed or hung: that is one more failure, with the log's tail.
absorb() {  # absorb PREFIX LOG
  local line
  while IFS= read -r line; do
    case "$line" in
      "PASS "*) passed=$((passed + 1)); echo "PASS $1 ${line#PASS }" ;;
      "FAIL "*) failed=$((failed + 1)); echo "FAIL $1 ${line#FAIL }" ;;
    esac
  done < "$2"
  if ! grep -qE '^[a-z ]+: [0-9]+ passed, [0-9]+ failed$' "$2"; then
    check "$1 run" 0 "no result line (crashed or timed out); see $2: $(tail -3 "$2" | tr '\n' ' ')"
  fi
}
finish() {
  echo "test-packages.sh: $(( $(date +%s) - started )) s"
  echo "packages: $passed passed, $failed failed"
  [[ $failed -eq 0 ]]
  exit $?
}

mkdir -p "$work"
# --- 1. the native library's portability --------------------------------------------------------
bash "$repo/build/test-packages-native.sh" > "$work/native-gate.log" 2>&1 || true
absorb "native" "$work/native-gate.log"

# --- 2. pack --------------------------------------------------------------------------------------
if [[ $skip_pack -eq 0 ]]; then
  if bash "$repo/build/pack.sh" --skip-native-build > "$work/pack.log" 2>&1; then
    check "pack" 1 "build/pack.sh filled $feed"
  else
    check "pack" 0 "build/pack.sh failed; see $work/pack.log"; tail -20 "$work/pack.log"; finish
  fi
fi
version=$(sed -n 's|.*<VersionPrefix>\(.*\)</VersionPrefix>.*|\1|p' "$repo/Directory.Build.props" | head -1)
nupkg=$(ls "$feed"/Dialtone.Native.linux-x64.*.nupkg 2>/dev/null | head -1 || true)
[[ -n "$nupkg" ]] && version=$(basename "$nupkg" .nupkg | sed 's/^Dialtone\.Native\.linux-x64\.//')

# --- 3. what the packages hold ---------------------------------------------------------------------
listing() { unzip -Z1 "$feed/$1.$version.$2" 2>/dev/null || true; }
nuspec() { unzip -p "$feed/$1.$version.nupkg" "$1.nuspec" 2>/dev/null || true; }
native_list=$(listing Dialtone.Native.linux-x64 nupkg)
check "package Dialtone.Native.linux-x64" "$(grep -qx 'runtimes/linux-x64/native/libdialtone_webrtc.so' <<<"$native_list" && grep -qx 'THIRD-PARTY-NOTICES.txt' <<<"$native_list" && echo 1 || echo 0)" \
  "runtimes/linux-x64/native/libdialtone_webrtc.so and THIRD-PARTY-NOTICES.txt"
packed_so="$work/packed-lib.so"
unzip -p "$feed/Dialtone.Native.linux-x64.$version.nupkg" runtimes/linux-x64/native/libdialtone_webrtc.so > "$packed_so" 2>/dev/null || true
build_id=$(readelf -n "$packed_so" 2>/dev/null | awk '/Build ID:/ {print $3}')
stripped=$([[ -s "$packed_so" ]] && ! readelf -S "$packed_so" | grep -q '\.symtab' && echo 1 || echo 0)
has_debug=$([[ -n "$build_id" && -f "$repo/artifacts/symbols/.build-id/${build_id:0:2}/${build_id:2}.debug" ]] && echo 1 || echo 0)
check "native library stripped, symbols by build id" "$([[ $stripped == 1 && $has_debug == 1 ]] && echo 1 || echo 0)" \
  "build id ${build_id:-none}; $(( $(stat -c %s "$packed_so" 2>/dev/null || echo 0) / 1024 )) KiB in the package"
for id in Dialtone.Sip Dialtone.Bindings Dialtone.WebRtc Dialtone.Phone Dialtone.Server; do
  files=$(listing "$id" nupkg)
  symbols=$(listing "$id" snupkg)
  spec=$(nuspec "$id")
  ok=1
  missing=""
  for f in "lib/net10.0/$id.dll" "lib/net10.0/$id.xml" "README.md"; do grep -qx "$f" <<<"$files" || { ok=0; missing+="$f "; }; done
  grep -qx "lib/net10.0/$id.pdb" <<<"$symbols" || { ok=0; missing+="$id.pdb(snupkg) "; }
  for tag in "<license type=\"expression\">" "<description>" "<readme>README.md</readme>" "<version>$version</version>"; do
    grep -qF "$tag" <<<"$spec" || { ok=0; missing+="nuspec:$tag "; }
  done
  check "package $id" "$ok" "${missing:+missing: $missing}${missing:-dll, xml docs, readme, licence, snupkg with pdb}"
done
deps_ok=$(nuspec Dialtone.Bindings | grep -q "id=\"Dialtone.Native.linux-x64\" version=\"$version\"" && echo 1 || echo 0)
check "Dialtone.Bindings depends on Dialtone.Native.linux-x64 $version" "$deps_ok" "nuspec dependency"
tool_list=$(listing dialtone nupkg)
check "tool package dialtone" "$(grep -q 'tools/net10.0/any/DotnetToolSettings.xml' <<<"$tool_list" && grep -q 'tools/net10.0/any/runtimes/linux-x64/native/libdialtone_webrtc.so' <<<"$tool_list" && echo 1 || echo 0)" \
  "DotnetToolSettings.xml and the native library under tools/net10.0/any/"

# --- 4. the consumer: restore from the feed, publish self-contained --------------------------------
# Its own NuGet cache, without any earlier Dialtone package of the same version.
export NUGET_PACKAGES="$work/nuget"
rm -rf "$NUGET_PACKAGES"/dialtone* "$work/publish" "$repo/samples/Consumer/obj" "$repo/samples/Consumer/bin"
if dotnet publish "$repo/samples/Consumer/Consumer.csproj" -c Release -r linux-x64 --self-contained -nologo -v minimal \
     "-p:DialtoneVersion=$version" -o "$work/publish" > "$work/publish.log" 2>&1; then
  refs=$(grep -c '<ProjectReference' "$repo/samples/Consumer/Consumer.csproj" || true)
  from_feed=$(ls -d "$NUGET_PACKAGES/dialtone.phone/$version" "$NUGET_PACKAGES/dialtone.native.linux-x64/$version" 2>/dev/null | wc -l)
  check "consumer publish" "$([[ $refs == 0 && $from_feed == 2 ]] && echo 1 || echo 0)" \
    "self-contained linux-x64 from the feed ($version), $(du -sm "$work/publish" | cut -f1) MB"
else
  check "consumer publish" 0 "dotnet publish failed; see $work/publish.log"; tail -20 "$work/publish.log"; finish
fi

# On this machine (libpulse installed).
if (cd "$work" && timeout 120 "$work/publish/Consumer") > "$work/consumer-host.log" 2>&1; then :; fi
absorb "host:" "$work/consumer-host.log"

# --- 5. clean Debian systems -------------------------------------------------------------------------
command -v mmdebstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null
mirror=$(sed -n 's|^URIs: *\(http[^ ]*/debian\)$|\1|p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
mirror="${mirror:-http://deb.debian.org/debian}"
codename() { case "$1" in 11) echo bullseye ;; 12) echo bookworm ;; 13) echo trixie ;; *) echo "unknown" ;; esac; }
mkdir -p "$rootfs_cache"
for n in $suites; do
  root="$rootfs_cache/debian-$n"
  if [[ ! -x "$root/bin/sh" ]]; then
    rm -rf "$root" "$root.tmp"
    if ! mmdebstrap --variant=minbase --mode=root --format=directory --quiet "$(codename "$n")" "$root.tmp" "$mirror" > "$work/mmdebstrap-$n.log" 2>&1; then
      check "debian $n" 0 "mmdebstrap $(codename "$n") failed; see $work/mmdebstrap-$n.log"; rm -rf "$root.tmp"; continue
    fi
    # minbase has OpenSSL's library (Debian 11: libssl1.1 for libk5crypto; 13: libssl3t64 for apt):
    # removed, dependencies forced, since nothing here uses them. Then the system has no OpenSSL.
    for pkg in $(chroot "$root.tmp" dpkg-query -W -f='${db:Status-Abbrev}${Package}\n' 'libssl*' 'openssl*' 2>/dev/null | awk '/^ii/ {print substr($0, 4)}'); do
      chroot "$root.tmp" dpkg --purge --force-depends "$pkg" >> "$work/mmdebstrap-$n.log" 2>&1 || true
    done
    mv "$root.tmp" "$root"
  fi
  # What "clean" means, checked: no .NET, no libpulse, no OpenSSL, no ICU.
  present=""
  for f in usr/bin/dotnet usr/share/dotnet; do [[ -e "$root/$f" ]] && present+="$f "; done
  for pattern in 'libpulse*.so*' 'libssl.so*' 'libcrypto.so*' 'libicuuc.so*' 'libopus.so*' 'libsrtp2.so*'; do
    found=$(find "$root/usr/lib" "$root/lib" -name "$pattern" -print -quit 2>/dev/null || true)
    [[ -n "$found" ]] && present+="${found#$root/} "
  done
  glibc=$(chroot "$root" /usr/bin/ldd --version 2>/dev/null | awk 'NR == 1 {print $NF}' || true)
  check "debian $n is clean" "$([[ -z "$present" ]] && echo 1 || echo 0)" "glibc $glibc${present:+; unexpected: $present}"

  rm -rf "$root/opt/consumer" && cp -a "$work/publish" "$root/opt/consumer"
  # Own mount and PID namespaces (/proc for .NET). The network is the machine's own: libwebrtc
  # gathers no ICE candidate on loopback, so the two peers meet on this machine's interface
  # address; no packet leaves the machine.
  # --media-only: .NET's own cryptography (used by SIP) needs the system's libssl, which this
  # system lacks on purpose; the WebRTC call exercises everything the native library links in.
  log="$work/consumer-debian-$n.log"
  timeout 180 unshare --mount --pid --fork --mount-proc="$root/proc" \
    chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/tmp DOTNET_CLI_TELEMETRY_OPTOUT=1 /opt/consumer/Consumer --media-only --expect-no-pulseaudio \
    > "$log" 2>&1 || true
  if [[ "$(printf '%s\n%s\n' "$glibc" "$floor" | sort -V | head -1)" == "$floor" ]]; then
    absorb "debian $n:" "$log"
  else
    # Below the floor the library must refuse to load with the reason, not crash or say "not found".
    reason=$(grep -o "GLIBC_2\.[0-9]*' not found" "$log" | head -1 || true)
    check "debian $n (glibc $glibc, below the floor)" "$([[ -n "$reason" ]] && echo 1 || echo 0)" \
      "${reason:+loading fails clearly: version \`$reason}${reason:-no clear glibc error; see $log}"
  fi
done

# --- 6. the tool ------------------------------------------------------------------------------------
rm -rf "$work/tool"
if dotnet tool install dialtone --tool-path "$work/tool" --add-source "$feed" --version "$version" > "$work/tool-install.log" 2>&1; then
  check "tool install" 1 "dotnet tool install dialtone $version from the feed"
  if (cd "$work" && timeout 180 "$work/tool/dialtone" demo) > "$work/tool-demo.log" 2>&1; then
    check "dialtone demo (tool)" 1 "$(grep -c . "$work/tool-demo.log") lines of output, exit code 0"
  else
    check "dialtone demo (tool)" 0 "exit code $?; see $work/tool-demo.log"; tail -15 "$work/tool-demo.log"
  fi
else
  check "tool install" 0 "see $work/tool-install.log"; tail -10 "$work/tool-install.log"
fi

finish
