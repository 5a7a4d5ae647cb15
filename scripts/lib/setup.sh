# Shared set-up for scripts/serve and scripts/test (sourced, not run).
# Each function is idempotent: it does its work once and is a quick check afterwards.

catsite_root() { cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd; }

# The local-only and deploy-only tools (scripts/lib/catsite_tools) are importable by every
# script that sources this file; they are never part of the catsite package or the Lambda zip.
export PYTHONPATH="$(catsite_root)/scripts/lib${PYTHONPATH:+:$PYTHONPATH}"

# Create or update .venv from the pinned lock files. Reinstalls only when the locks or
# pyproject.toml change (a hash of them is kept in the venv).
ensure_venv() {
  local py
  py=$(command -v python3.11 || command -v python3 || true)
  if [ -z "$py" ] || ! "$py" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    echo "catsite needs Python 3.11 (found: ${py:-none})" >&2
    return 1
  fi
  if [ ! -x .venv/bin/python ]; then
    echo "creating .venv"
    "$py" -m venv .venv
  fi
  local stamp=.venv/.catsite-installed want
  want=$(cat requirements.lock requirements-dev.lock pyproject.toml | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "installing pinned dependencies into .venv (log: .venv/install.log)"
    if ! { .venv/bin/python -m pip install --disable-pip-version-check -r requirements-dev.lock &&
           .venv/bin/python -m pip install --disable-pip-version-check --no-deps -e . ; } > .venv/install.log 2>&1; then
      tail -n 30 .venv/install.log >&2
      return 1
    fi
    echo "$want" > "$stamp"
  fi
}

# Debian's Chromium, for the browser tests (Playwright drives it; its own browser download
# does not work offline and is not needed).
ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then
    return 0
  fi
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing Chromium (Debian package)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
}
