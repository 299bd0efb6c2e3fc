#!/usr/bin/env bash
# Install what the project needs, once: Debian packages (as root), the Python virtualenv and
# the front-end libraries the service serves itself (from the npm registry, by the lockfile).
# Safe to run again: it only installs what is missing or changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
VENV=${VENV:-.venv}
# --test: also what the tests need (poppler-utils, to read the printed brief; pgbouncer)
FOR_TESTS=${1:-}

missing=()
[[ -x /usr/lib/postgresql/15/bin/postgres ]] || missing+=(postgresql-15)
[[ -f /usr/share/postgresql/15/extension/postgis.control ]] || missing+=(postgresql-15-postgis-3)
command -v runuser >/dev/null || missing+=(util-linux)
command -v ogr2ogr >/dev/null || missing+=(gdal-bin)
command -v "$PYTHON" >/dev/null || missing+=(python3.11 python3.11-venv)
command -v npm >/dev/null || missing+=(npm)
# Chromium prints the brief to PDF (assetmap brief), and drives the browser tests
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
if [[ $FOR_TESTS == --test ]]; then
  # pdftotext and pdftoppm read the printed brief back
  command -v pdftotext >/dev/null || missing+=(poppler-utils)
  # the service behind a transaction-pooling PgBouncer (tests/test_pooler.py)
  [[ -x /usr/sbin/pgbouncer ]] || missing+=(pgbouncer)
fi

if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "error: missing Debian packages: ${missing[*]}" >&2
    echo "As root run: apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The virtualenv, reinstalled when pyproject.toml changes.
stamp="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [[ ! -f $stamp ]]; then
  [[ -x $VENV/bin/python ]] || "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[test]'
  rm -f "$VENV"/.installed-*
  touch "$stamp"
fi

# Leaflet and its plugins, as package-lock.json pins them: reinstalled when the lock changes.
web_stamp="node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)"
if [[ ! -f $web_stamp ]]; then
  npm ci --no-audit --no-fund --loglevel=error
  touch "$web_stamp"
fi
