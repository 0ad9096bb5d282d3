#!/usr/bin/env bash
# Installs what the browser interop tests (tests/Dialtone.Interop.Tests) need: Debian's Chromium
# (never a browser downloaded by a test tool), certutil to give that Chromium a test CA, Node.js for
# npm, then JsSIP from tests/interop/package-lock.json bundled for the page. Playwright's driver
# comes with the Microsoft.Playwright NuGet package at restore time. Idempotent.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$root/build/lib/apt.sh"

apt_install_missing chromium libnss3-tools
command -v npm >/dev/null || apt_install_missing nodejs npm

cd "$root/tests/interop"
# npm ci only when the lock file changed since the last install.
if ! cmp -s package-lock.json node_modules/.package-lock.stamp 2>/dev/null; then
  npm ci --no-audit --no-fund
  cp package-lock.json node_modules/.package-lock.stamp
fi
npm run --silent bundle
echo "browser interop: $(chromium --version 2>/dev/null | head -n1), JsSIP $(node -p 'require("jssip/package.json").version')"
