#!/usr/bin/env bash
# The portability gate of libdialtone_webrtc.so (docs/packaging.md): fails when the library needs a
# newer glibc than the floor, a shared library beyond glibc's own and libgcc_s, exports a symbol
# outside the C ABI, has text relocations or a run path, or outgrows the size budget.
#
#   build/test-packages-native.sh [LIBRARY]     default: artifacts/native/linux-x64/libdialtone_webrtc.so
#
# One line per check ("PASS name: detail" / "FAIL name: detail"), then "native gate: N passed, N failed".
# Exit code 0 only when every check passed.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
library="${1:-$repo/artifacts/native/linux-x64/libdialtone_webrtc.so}"
# The newest GLIBC_ symbol version allowed (native/webrtc-shim/cmake/glibc_compat.cmake says why).
floor="${DT_GLIBC_FLOOR:-2.25}"
# What the library may need at load time: glibc's own libraries and GCC's unwinder (libgcc-s1,
# on every glibc system). Everything else is linked in or opened with dlopen (libpulse).
allowed_needed="libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 ld-linux-x86-64.so.2 libgcc_s.so.1"
# Size budget of the stripped library, in bytes (about 15 MiB today; docs/packaging.md).
max_stripped_bytes="${DT_NATIVE_MAX_BYTES:-25165824}"

passed=0
failed=0
check() {  # check NAME OK DETAIL
  if [[ "$2" == 1 ]]; then passed=$((passed + 1)); echo "PASS $1: $3"; else failed=$((failed + 1)); echo "FAIL $1: $3"; fi
}

if [[ ! -f "$library" ]]; then
  echo "FAIL native library: $library does not exist (build/build-webrtc.sh builds it)"
  echo "native gate: 0 passed, 1 failed"
  exit 1
fi

dynsyms=$(objdump -T "$library")
dynamic=$(readelf -d "$library")

# 1. glibc floor: the newest GLIBC_x.y any imported symbol is bound to.
newest=$(grep -o 'GLIBC_[0-9][0-9.]*' <<<"$dynsyms" | sed 's/GLIBC_//' | sort -V | tail -1)
if [[ "$(printf '%s\n%s\n' "$newest" "$floor" | sort -V | tail -1)" == "$floor" ]]; then
  check "glibc floor" 1 "newest symbol version GLIBC_$newest <= GLIBC_$floor"
else
  over=$(awk -v floor="$floor" '/GLIBC_[0-9]/ { for (i = 1; i <= NF; i++) if ($i ~ /GLIBC_/) { v = $i; gsub(/[()]/, "", v); sub(/GLIBC_/, "", v); print v, $NF } }' <<<"$dynsyms" \
    | while read -r v name; do if [[ "$(printf '%s\n%s\n' "$v" "$floor" | sort -V | tail -1)" != "$floor" ]]; then echo "$name@GLIBC_$v"; fi; done | sort -u | tr '\n' ' ')
  check "glibc floor" 0 "needs GLIBC_$newest > GLIBC_$floor: $over"
fi

# 2. No C++ runtime from the system: libstdc++ is linked in.
cxx=$(grep -o -E '(GLIBCXX|CXXABI)_[0-9.]+' <<<"$dynsyms" | sort -u | tr '\n' ' ' || true)
check "no libstdc++ symbols" "$([[ -z "$cxx" ]] && echo 1 || echo 0)" "${cxx:-none imported}"

# 3. NEEDED entries.
needed=$(sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' <<<"$dynamic" | tr '\n' ' ')
unexpected=""
for lib in $needed; do [[ " $allowed_needed " == *" $lib "* ]] || unexpected+="$lib "; done
check "NEEDED" "$([[ -z "$unexpected" ]] && echo 1 || echo 0)" "${unexpected:+unexpected: $unexpected; }needs: $needed"

# 4. Exports: only the C ABI (dt_*).
exports=$(awk '$4 != "*UND*" && $2 ~ /g/ && NF >= 7 {print $NF}' <<<"$dynsyms" | sort -u)
foreign=$(grep -v -E '^dt_' <<<"$exports" | grep -v -E '^(DT_[0-9_]+|Base)$' | tr '\n' ' ' || true)
check "exports only dt_*" "$([[ -z "$foreign" ]] && echo 1 || echo 0)" "$(grep -c . <<<"$exports") exported${foreign:+; foreign: $foreign}"

# 5. No text relocations, no run path.
textrel=$(grep -E '\((TEXTREL|RPATH|RUNPATH)\)' <<<"$dynamic" || true)
check "no TEXTREL/RPATH" "$([[ -z "$textrel" ]] && echo 1 || echo 0)" "${textrel:-none}"

# 6. Size of the stripped library.
stripped=$(mktemp)
trap 'rm -f "$stripped"' EXIT
strip --strip-all -o "$stripped" "$library"
size=$(stat -c %s "$stripped")
check "size" "$([[ $size -le $max_stripped_bytes ]] && echo 1 || echo 0)" \
  "$((size / 1024)) KiB stripped (budget $((max_stripped_bytes / 1024)) KiB), $(( $(stat -c %s "$library") / 1024 )) KiB as built"

echo "native gate: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
