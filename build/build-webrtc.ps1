#!/usr/bin/env pwsh
<#
.SYNOPSIS
  Builds Dialtone's libwebrtc shim (native/webrtc-shim): the PowerShell 7 twin of build-webrtc.sh.

.DESCRIPTION
  Linux: installs what is missing from Debian (libwebrtc as libtgowt-dev, cmake, compilers; sudo
  when not root) and builds against the system libwebrtc, exactly as build-webrtc.sh does, into
  artifacts/native/linux-x64/libdialtone_webrtc.so.
  Windows: builds against a libwebrtc you built yourself with depot_tools/GN; set WEBRTC_ROOT to the
  checkout's src folder (headers) whose out/Release holds webrtc.lib. This path cannot be exercised
  on the project's Linux CI; see README.md.

.EXAMPLE
  dotnet tool run pwsh -- -File build/build-webrtc.ps1 -Tests
#>
param(
    [ValidateSet('Debug', 'Release')] [string] $Config = 'Release',
    [switch] $Asan,
    [switch] $Tests,
    [switch] $Bench,
    [ValidateRange(1, 64)] [int] $Jobs = 2
)

$ErrorActionPreference = 'Stop'
$repo = Split-Path -Parent $PSScriptRoot

function Invoke-Checked([string] $File, [string[]] $Arguments) {
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

function OnOff([bool] $Value) { if ($Value) { 'ON' } else { 'OFF' } }

$cmakeArgs = @()
if ($IsLinux) {
    # The same Debian packages as build-webrtc.sh; apt runs only when one is missing.
    $packages = 'libtgowt-dev', 'libabsl-dev', 'libprotobuf-dev', 'libssl-dev', 'libsrtp2-dev', 'libopus-dev', 'libnss3-dev', 'libpulse-dev', 'cmake', 'make', 'g++', 'clang', 'pkg-config', 'libgtest-dev', 'binutils'
    $missing = $packages | Where-Object {
        (& dpkg-query -W -f='${Status}' $_ 2>$null) -notmatch 'install ok installed'
    }
    if ($missing) {
        Write-Host "build-webrtc.ps1: installing $($missing -join ' ')"
        $env:DEBIAN_FRONTEND = 'noninteractive'
        $asRoot = (& id -u) -eq '0'
        foreach ($aptArgs in @(@('update', '-qq'), (@('install', '-y', '-qq', '--no-install-recommends') + $missing))) {
            if ($asRoot) { Invoke-Checked 'apt-get' $aptArgs } else { Invoke-Checked 'sudo' (@('apt-get') + $aptArgs) }
        }
    }
    $platform = 'linux-x64'
}
elseif ($IsWindows) {
    if (-not $env:WEBRTC_ROOT -or -not (Test-Path $env:WEBRTC_ROOT)) {
        throw 'On Windows set WEBRTC_ROOT to your libwebrtc checkout (the src folder with out/Release/obj/webrtc.lib).'
    }
    $cmakeArgs += "-DWEBRTC_ROOT=$($env:WEBRTC_ROOT)"
    $platform = 'win-x64'
}
else {
    throw 'build-webrtc.ps1 supports Linux (system libwebrtc) and Windows (WEBRTC_ROOT).'
}

# The same folders as build-webrtc.sh: Release goes where the managed build picks the library up;
# Debug and sanitizer builds get their own, so they never replace it.
$suffix = if ($Asan) { '-asan' } else { '' }
$outName = if ($Config -eq 'Debug') { 'native-debug' } else { 'native' }
$outDir = Join-Path $repo "artifacts/$outName$suffix/$platform"
$buildDir = Join-Path $repo "artifacts/obj/native/$Config$suffix"

$started = Get-Date
Invoke-Checked 'cmake' (@('-S', (Join-Path $repo 'native/webrtc-shim'), '-B', $buildDir,
        "-DCMAKE_BUILD_TYPE=$Config", "-DDT_OUTPUT_DIR=$outDir",
        "-DDT_SANITIZE=$(OnOff $Asan)", "-DDT_BUILD_TESTS=$(OnOff $Tests)", "-DDT_BUILD_BENCH=$(OnOff $Bench)") + $cmakeArgs)
Invoke-Checked 'cmake' @('--build', $buildDir, '--config', $Config, '-j', "$Jobs")
$seconds = [int]((Get-Date) - $started).TotalSeconds

Write-Host ''
Write-Host "build-webrtc.ps1: built in $seconds s"
Write-Host "  library: $outDir"
if ($Tests) { Write-Host "  tests:   ctest --test-dir $buildDir --output-on-failure" }
if ($Bench) { Write-Host "  benchmark: $buildDir/bench/dt_native_bench <calls> <seconds>" }
