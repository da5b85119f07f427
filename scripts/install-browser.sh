#!/usr/bin/env bash
# The console's end-to-end tests drive Debian's Chromium (/usr/bin/chromium) with Playwright.
# Installs the package when it is missing (needs root, as in CI); says what to do otherwise.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "error: /usr/bin/chromium is missing; install Debian's chromium package (sudo apt-get install chromium)" >&2
  exit 1
fi
echo "installing Debian's chromium for the console's browser tests..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }
test -x /usr/bin/chromium
