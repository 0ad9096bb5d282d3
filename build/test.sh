#!/usr/bin/env bash
# The README's test command: installs what the tests need, builds the native shim and every managed
# project, runs every suite (GoogleTest through ctest, then each xunit project) and ends with one
# line that totals them all: "tests: N passed, M failed, K skipped" (parse "tests: N passed, M failed"
# and, optionally, ", K skipped"). Exits non-zero when anything failed, and a test project that
# runs no test at all (none discovered, or every one skipped) counts as a failure.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
results="$root/artifacts/test-results"
rm -rf "$results" && mkdir -p "$results"

passed=0
failed=0
skipped=0
step_failed=0

log() { printf '\n== %s (%s)\n' "$*" "$(date -u +%H:%M:%S)"; }

fail_step() {
  echo "!! $*" >&2
  echo "step: $*" >>"$failures"
  step_failed=1
}

# Every failed test and step, one line each, repeated just before the final line: CI shows only the
# end of the output, and the name of what failed must be in it.
failures="$results/failures.txt"
: >"$failures"
failure_details="$results/failure-details.txt"
: >"$failure_details"

# For each failed test in a VSTest .trx file: "<suite>: <test> — <first line of its message>" to the
# list, and its whole message (what a lab agent's log said, the SDP a check saw) to the details.
list_trx_failures() {
  local suite=$1 trx=$2
  awk -v suite="$suite" -v list="$failures" -v details="$failure_details" '
    BEGIN { RS = "<UnitTestResult " }
    # Only the start tag of the element: the last record also holds the run summary, outcome="Failed" too.
    NR > 1 && substr($0, 1, index($0, ">")) ~ /outcome="Failed"/ {
      name = $0; sub(/^.*testName="/, "", name); sub(/".*$/, "", name)
      msg = ""
      if (match($0, /<Message>[^<]*/)) msg = substr($0, RSTART + 9, RLENGTH - 9)
      first = msg; sub(/\n.*$/, "", first); sub(/\r$/, "", first)
      printf "%s: %s — %s\n", suite, name, substr(first, 1, 300) >> list
      gsub(/&lt;/, "<", msg); gsub(/&gt;/, ">", msg); gsub(/&quot;/, "\"", msg); gsub(/&apos;/, "\047", msg); gsub(/&#xD;/, "", msg); gsub(/&amp;/, "\\&", msg)
      printf "-- %s: %s\n%s\n", suite, name, msg >> details
    }' "$trx"
}

log "Installing test dependencies"
bash build/install-test-deps.sh || fail_step "installing test dependencies failed"

log "Building the native shim (build/build-webrtc.sh)"
bash build/build-webrtc.sh --tests || fail_step "native build failed"

log "Proving build/build-webrtc.ps1 (PowerShell 7, dotnet tool)"
if dotnet tool restore >/dev/null; then
  dotnet tool run pwsh -- -NoProfile -File build/build-webrtc.ps1 -Tests || fail_step "build-webrtc.ps1 failed"
else
  fail_step "dotnet tool restore (PowerShell) failed"
fi

# Runs one CTest build directory and adds its counts to the totals.
run_ctest() {
  local label=$1 dir=$2 logfile="$results/ctest-$1.log"
  if [ ! -d "$dir" ]; then
    fail_step "no native build directory at $dir"
    return
  fi
  ctest --test-dir "$dir" --output-on-failure --timeout 300 -j2 2>&1 | tee "$logfile"
  local summary total nfail
  summary=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$logfile" | tail -n 1)
  if [ -z "$summary" ]; then
    fail_step "ctest ($label) printed no summary"
    return
  fi
  total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$summary")
  nfail=$(sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/' <<<"$summary")
  # CTest counts a skipped test as passed and lists it under "The following tests did not run:"
  # as "<n> - <name> (Skipped)": count it apart.
  nskip=$(grep -cE '^[[:space:]]+[0-9]+ - .* \(Skipped\)$' "$logfile")
  if [ "$total" -eq 0 ]; then
    fail_step "ctest ($label) ran no test"
  fi
  passed=$((passed + total - nfail - nskip))
  failed=$((failed + nfail))
  skipped=$((skipped + nskip))
  # CTest lists them under "The following tests FAILED:" as "<n> - <name> (Failed)".
  grep -E '^[[:space:]]+[0-9]+ - .* \((Failed|Timeout|SEGFAULT|Subprocess aborted|Exception)\)$' "$logfile" |
    sed -E "s/^[[:space:]]+/ctest $label: /" >>"$failures"
}

log "Native tests (ctest)"
run_ctest release "$root/artifacts/obj/native/Release"

log "Native tests under AddressSanitizer + UndefinedBehaviorSanitizer"
if bash build/build-webrtc.sh --asan --tests; then
  run_ctest asan "$root/artifacts/obj/native/Release-asan"
else
  fail_step "ASan build failed"
fi

log "Building managed projects (Interop.sln)"
if dotnet build Interop.sln -c Release -nologo -v minimal; then
  for project in $(find tests -name '*.csproj' | sort); do
    name=$(basename "$project" .csproj)
    log "xunit: $name"
    # A hung test must fail the run, not stall CI: --blame-hang-timeout ends it (with a dump).
    rc=0
    dotnet test "$project" -c Release --no-build --nologo --blame-hang-timeout 5m \
      --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
      --logger "console;verbosity=normal" || rc=$?
    trx="$results/$name.trx"
    if [ -f "$trx" ]; then
      counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
      p=$(grep -o 'passed="[0-9]*"' <<<"$counters" | grep -o '[0-9]*')
      f=$(grep -o ' failed="[0-9]*"' <<<"$counters" | grep -o '[0-9]*')
      e=$(grep -o ' error="[0-9]*"' <<<"$counters" | grep -o '[0-9]*')
      # VSTest records a skipped test as NotExecuted.
      s=$(grep -o ' notExecuted="[0-9]*"' <<<"$counters" | grep -o '[0-9]*')
      passed=$((passed + ${p:-0}))
      failed=$((failed + ${f:-0} + ${e:-0}))
      list_trx_failures "$name" "$trx"
      skipped=$((skipped + ${s:-0}))
      if [ "$((${p:-0} + ${f:-0} + ${e:-0}))" -eq 0 ]; then
        # Discovered nothing, or skipped everything: a suite that tests nothing must not look green.
        fail_step "$name ran no test (${s:-0} skipped)"
        failed=$((failed + 1))
      fi
      if [ "$rc" -ne 0 ] && [ "$((${f:-0} + ${e:-0}))" -eq 0 ]; then
        # The results hold no failure yet the run failed: the test host crashed or hung.
        fail_step "$name: dotnet test exited $rc with no failed test recorded (host crash or hang)"
        failed=$((failed + 1))
      fi
    else
      fail_step "$name produced no test results (crashed or did not build)"
      failed=$((failed + 1))
    fi
  done
else
  fail_step "managed build failed"
fi

log "Packages (build/test-packages.sh: pack, contents, consumer on clean Debian 11/12/13, the tool)"
bash build/test-packages.sh 2>&1 | tee "$results/packages.log"
summary=$(grep -E '^packages: [0-9]+ passed, [0-9]+ failed$' "$results/packages.log" | tail -n 1)
if [ -n "$summary" ]; then
  passed=$((passed + $(sed -E 's/^packages: ([0-9]+) passed.*/\1/' <<<"$summary")))
  failed=$((failed + $(sed -E 's/.*, ([0-9]+) failed$/\1/' <<<"$summary")))
  grep -E '^FAIL ' "$results/packages.log" | sed -E 's/^/packages: /' >>"$failures"
else
  fail_step "build/test-packages.sh printed no summary"
fi

if [ "$step_failed" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # A broken step must never look green: count it as a failure.
  failed=1
fi
echo
if [ -s "$failure_details" ]; then
  # CI shows only the end of the output: the start of each failed test's whole message goes here.
  echo "failed tests' messages (first 120 lines of $failure_details):"
  head -n 120 "$failure_details" | cut -c 1-300
  echo
fi
if [ -s "$failures" ]; then
  echo "what failed ($(wc -l <"$failures") lines; details above and in $results):"
  head -n 40 "$failures" | cut -c 1-400
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
