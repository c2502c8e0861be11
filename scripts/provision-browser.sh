#!/usr/bin/env bash
# Installs the browser the console's end-to-end tests drive: Debian's chromium package (playwright-core
# downloads no browser). CHROMIUM_PATH overrides where it is looked for. Run by `npm test` and .ci/run.
set -euo pipefail
path="${CHROMIUM_PATH:-/usr/bin/chromium}"
# Chinese glyphs for the screenshots come from fonts-noto-cjk
have_cjk() { command -v fc-list >/dev/null && [ -n "$(fc-list :lang=zh 2>/dev/null | head -1)" ]; }
if [ -x "$path" ] && { [ -n "${CHROMIUM_PATH:-}" ] || have_cjk; }; then
  echo "browser: $("$path" --version 2>/dev/null | head -1) at $path"
  exit 0
fi
if [ -n "${CHROMIUM_PATH:-}" ] && [ ! -x "$CHROMIUM_PATH" ]; then
  echo "browser: CHROMIUM_PATH=$CHROMIUM_PATH is not an executable" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "browser: /usr/bin/chromium is missing and this user cannot install it; run as root: apt-get install chromium (or set CHROMIUM_PATH)" >&2
    exit 1
  fi
fi
echo "browser: installing Debian's chromium package"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null
echo "browser: $(/usr/bin/chromium --version 2>/dev/null | head -1)"
