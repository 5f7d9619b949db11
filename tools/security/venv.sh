#!/usr/bin/env bash
# Installs the pinned Python security tools (slither, slither-mutate) into the project-local
# .venv/ from PyPI. Idempotent like tools/bootstrap.sh: the venv is rebuilt only when
# tools/security/requirements.txt differs from the one it was built from.
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=.venv
requirements=tools/security/requirements.txt
stamp=$venv/.requirements-stamp
want=$(sha256sum "$requirements" | cut -d' ' -f1)
if [[ -f $stamp && "$(cat "$stamp")" == "$want" && -x $venv/bin/slither ]]; then
  echo "venv: slither up to date ($requirements unchanged)"
  exit 0
fi

echo "venv: installing the pinned security tools into $venv/ ($requirements)"
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$requirements"
# Every dependency is pinned in the file: a resolver that had to add or change one means the
# pins no longer describe what is installed.
"$venv/bin/pip" check
if ! diff <(grep -v '^#' "$requirements") <("$venv/bin/pip" freeze); then
  echo "venv: installed set differs from $requirements (diff above): re-pin it" >&2
  exit 1
fi
echo "$want" > "$stamp"
