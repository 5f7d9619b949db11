#!/usr/bin/env bash
# Installs the Debian packages the backend's tests run against, when absent: the PostgreSQL
# server (the indexer and API tests run on it as well as on SQLite) and ipfs-cid (`ipfs_cid`,
# the reference our CIDs are compared with). Idempotent and quiet when both are there.
set -euo pipefail

missing=()
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
command -v ipfs_cid >/dev/null || missing+=(ipfs-cid)
((${#missing[@]} == 0)) && exit 0

echo "system-packages: installing ${missing[*]} from Debian's packages"
sudo=()
((EUID == 0)) || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
# An out-of-date package index is the usual cause of a failed install on a fresh machine.
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" \
  || { "${sudo[@]}" apt-get update -q && "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"; }
