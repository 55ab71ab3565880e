#!/usr/bin/env bash
# Create .venv with the pinned dependencies and the package installed in editable mode.
# Usage: scripts/setup.sh [--dev]     (--dev adds the test dependencies)
# Idempotent: re-running only installs what changed in the lock files.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
  echo "setup: Python 3.11 or newer is needed as '$PY' (set PYTHON=/path/to/python3.11)" >&2
  exit 2
fi
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv || { echo "setup: 'python3 -m venv' failed; on Debian run: apt-get install python3-venv" >&2; exit 2; }
fi

locks=(requirements.lock)
[ "${1:-}" = "--dev" ] && locks+=(requirements-dev.lock)
stamp=".venv/.installed-$(cat "${locks[@]}" pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "setup: installing pinned dependencies (${locks[*]}) into .venv"
  .venv/bin/python -m pip install --quiet --upgrade pip
  args=(); for f in "${locks[@]}"; do args+=(-r "$f"); done
  .venv/bin/python -m pip install --quiet "${args[@]}"
  .venv/bin/python -m pip install --quiet --no-deps -e .
  touch "$stamp"
fi

# WeasyPrint (the PDF route) needs the Pango system library; install it when we can, else say how.
# libharfbuzz-subset0 is optional for WeasyPrint's import, but without it every PDF logs a font-subsetting warning.
pkgs="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"
pdf_ok=1; .venv/bin/python -c 'import weasyprint' >/dev/null 2>&1 || pdf_ok=0
subset_ok=1; { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep -q 'libharfbuzz-subset\.so' || subset_ok=0
if [ "$pdf_ok" = 0 ] || [ "$subset_ok" = 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing system libraries for PDF output: $pkgs"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkgs >/dev/null
  elif [ "$pdf_ok" = 0 ]; then
    echo "setup: PDF output needs system libraries; run: sudo apt-get install $pkgs" >&2
    exit 2
  else
    echo "setup: optional: 'sudo apt-get install libharfbuzz-subset0' silences WeasyPrint's font-subsetting warning" >&2
  fi
fi
# The browser tests (--dev) drive Debian's Chromium with Playwright (never `playwright install`: no downloads).
if [ "${1:-}" = "--dev" ] && ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Chromium for the browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "setup: the browser tests need Chromium; run: sudo apt-get install chromium" >&2
    exit 2
  fi
fi
# The package's own bytecode: an editable install leaves analysis/ uncompiled, and where PYTHONDONTWRITEBYTECODE is
# set (as on this project's CI machines) every process then compiles every module it imports, again and again
# (about 0.1 s in analyze's forkserver preload alone). compileall only rewrites what changed.
.venv/bin/python -m compileall -q analysis >/dev/null
echo "setup: .venv ready ($(.venv/bin/python --version))"
