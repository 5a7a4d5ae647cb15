# Shared set-up for the scripts (sourced, not run).
# Each function is idempotent: it does its work once and is a quick check afterwards.

catsite_root() { cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd; }

# The local-only and deploy-only tools (scripts/lib/catsite_tools) are importable by every
# script that sources this file; they are never part of the catsite package or the Lambda zip.
export PYTHONPATH="$(catsite_root)/scripts/lib${PYTHONPATH:+:$PYTHONPATH}"

#: The Python that catsite runs on, here and on Lambda (zappa_settings.json's runtime).
CATSITE_PYTHON_VERSION=3.13

# Print the path of a Python 3.13 interpreter: $CATSITE_PYTHON if set, `python3.13` on PATH,
# `python3` when that is 3.13 (Debian 13), else the newest 3.13 that pyenv installed (whether or
# not it is pyenv's selected version). Says what to install when there is none.
catsite_python() {
  local v=$CATSITE_PYTHON_VERSION candidate
  local candidates=("${CATSITE_PYTHON:-}" "$(command -v "python$v" 2>/dev/null)" "$(command -v python3 2>/dev/null)")
  if command -v pyenv >/dev/null 2>&1; then
    # shellcheck disable=SC2207
    candidates+=($(ls -d "$(pyenv root)/versions/$v".*/bin/"python$v" 2>/dev/null | sort -V -r))
  fi
  for candidate in "${candidates[@]}"; do
    # A pyenv shim exists even when that version is not selected: run it to be sure.
    if [ -n "$candidate" ] && "$candidate" -c "import sys; sys.exit(sys.version_info[:2] != (${v/./, }))" 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  cat >&2 <<MSG
catsite needs Python $v (its Lambda runtime is python$v) and found none:
  not \$CATSITE_PYTHON, not python$v or python3 on PATH, not under pyenv.
Install one of:
  Debian 13:            its system python3 is $v (apt-get install python3 python3-venv)
  Debian/Ubuntu with it: apt-get install python$v python$v-venv
  anywhere:             pyenv install $v  (then the scripts find it under \$(pyenv root)/versions)
or point CATSITE_PYTHON at a python$v.
MSG
  return 1
}

# Create or update .venv from the pinned lock files, with one of two sets:
#   ensure_venv serve   what ./scripts/serve needs: requirements-serve.lock (the runtime
#                       dependencies and the local S3)
#   ensure_venv [dev]   everything: requirements-dev.lock (adds the test and deploy tools)
# scripts/lock makes requirements-serve.lock a subset of requirements-dev.lock at the same pins,
# so installing one after the other only adds packages, never changes a version. Each set has a
# stamp in the venv (a hash of its lock and pyproject.toml); a set is installed only when its
# stamp is missing or stale. A .venv on another Python is replaced.
#   ensure_venv ministack   the stricter local S3 in a virtualenv of its own, .venv-ministack
#                       (see ensure_ministack_venv)
ensure_venv() {
  local set=${1:-dev} lock
  case $set in
    serve) lock=requirements-serve.lock ;;
    dev) lock=requirements-dev.lock ;;
    ministack) ensure_ministack_venv; return ;;
    *) echo "ensure_venv: unknown set '$set' (serve, dev or ministack)" >&2; return 1 ;;
  esac
  _catsite_venv .venv || return 1
  local want
  want=$(_catsite_lock_hash "$lock")
  if [ "$(cat ".venv/.catsite-$set" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  _catsite_install .venv "$lock" -e . || return 1
  echo "$want" > ".venv/.catsite-$set"
  # Everything in the serve set is now installed at the same pins.
  [ "$set" = dev ] && _catsite_lock_hash requirements-serve.lock > .venv/.catsite-serve
  return 0
}

# ministack (the local S3 that enforces presigned-POST policies and conditional writes) pins a
# botocore of its own, older than the one catsite's boto3 needs, so it cannot share .venv: it gets
# .venv-ministack from requirements-ministack.lock (ministack and the boto3 its Lambda's functions
# import, at its botocore) and runs as its own process (catsite_tools.local.s3 and the rehearsal
# start it with that venv's Python). Safe to call from parallel test
# workers: the first one installs, the others wait on the lock and find the stamp.
ensure_ministack_venv() {
  local venv=.venv-ministack lock=requirements-ministack.lock want
  want=$(_catsite_lock_hash "$lock")
  [ "$(cat "$venv/.catsite-ministack" 2>/dev/null)" = "$want" ] && return 0
  (
    flock 9
    [ "$(cat "$venv/.catsite-ministack" 2>/dev/null)" = "$want" ] && exit 0
    _catsite_venv "$venv" || exit 1
    _catsite_install "$venv" "$lock" || exit 1
    echo "$want" > "$venv/.catsite-ministack"
  ) 9> "${TMPDIR:-/tmp}/catsite-ministack-venv.lock"
}

_catsite_lock_hash() { cat "$1" pyproject.toml | sha256sum | cut -d' ' -f1; }

# The virtualenv $1 on catsite's Python: created when missing, replaced when on another Python.
_catsite_venv() {
  local venv=$1 py
  if [ -x "$venv/bin/python" ] && ! "$venv/bin/python" -c \
      "import sys; sys.exit(sys.version_info[:2] != (${CATSITE_PYTHON_VERSION/./, }))" 2>/dev/null; then
    echo "replacing $venv: it is not on Python $CATSITE_PYTHON_VERSION"
    rm -rf "$venv"
  fi
  if [ ! -x "$venv/bin/python" ]; then
    py=$(catsite_python) || return 1
    echo "creating $venv with $py"
    "$py" -m venv "$venv" || return 1
  fi
}

# Install the lock file $2 into the virtualenv $1 (more pip arguments after it), its log there.
# A lock is complete (every dependency pinned), so pip need not resolve anything.
_catsite_install() {
  local venv=$1 lock=$2
  shift 2
  echo "installing $lock into $venv (log: $venv/install.log)"
  if ! "$venv/bin/python" -m pip install --disable-pip-version-check --no-deps -r "$lock" "$@" \
      > "$venv/install.log" 2>&1; then
    tail -n 30 "$venv/install.log" >&2
    return 1
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
