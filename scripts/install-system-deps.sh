#!/usr/bin/env bash
# Install the Debian packages the test suite needs when they are missing:
# chromium (browser tests), fonts-noto-cjk (Chinese in screenshots), postgresql (server
# binaries for the throwaway test cluster), redis-server (the shared rate-limit store the
# limiter tests start on a free port), Pango (WeasyPrint draws the calculation-sheet PDFs
# with it, in the app and in its tests). Fails loudly when it cannot install them.
# (No `grep -q` after a pipe: with pipefail, its early exit fails the writer with SIGPIPE.)
set -euo pipefail

# `install-system-deps.sh run`: only what the app itself needs (the PDFs' Pango and CJK font).
missing=()
fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || missing+=(fonts-noto-cjk)
ldconfig -p 2>/dev/null | grep "libpangoft2-1.0.so.0" >/dev/null || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
if [ "${1:-test}" != "run" ]; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null; then
  SUDO="sudo"
else
  echo "error: need root or sudo to install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" fontconfig
