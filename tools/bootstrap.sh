#!/usr/bin/env bash
# Installs the pinned toolchain from the npm registry and links lib/ into node_modules/.
# Idempotent: `npm ci` runs only when package-lock.json differs from the one last installed,
# so a second `make test` installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=.bootstrap-stamp
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
platform="$(uname -s | tr '[:upper:]' '[:lower:]')-$(uname -m | sed -e 's/x86_64/amd64/' -e 's/aarch64/arm64/')"
# The stamp alone is not enough: node_modules can be emptied behind its back (an `npm ci` run
# through a symlinked node_modules, a manual clean), so the installed binaries are checked too.
installed() {
  local tool
  for tool in forge anvil cast; do
    [[ -x "node_modules/@foundry-rs/${tool}-${platform}/bin/${tool}" ]] || return 1
  done
}
if [[ -f $stamp && "$(cat "$stamp")" == "$lock_hash" ]] && installed; then
  echo "bootstrap: npm toolchain up to date (package-lock.json unchanged)"
else
  echo "bootstrap: installing the npm toolchain (npm ci)"
  # The @foundry-rs install scripts are not needed: the binaries come as optional dependencies.
  npm ci --no-audit --no-fund --ignore-scripts
  echo "$lock_hash" > "$stamp"
fi

# The binaries arrive as platform packages; without them the shims would silently do nothing.
for tool in forge anvil cast; do
  bin="node_modules/@foundry-rs/${tool}-${platform}/bin/${tool}"
  [[ -x $bin ]] || { echo "bootstrap: $bin is missing; is ${platform} supported by @foundry-rs/${tool}?" >&2; exit 1; }
done

link() { # link <lib name> <node_modules path>
  local target="../node_modules/$2"
  [[ -d "node_modules/$2" ]] || { echo "bootstrap: node_modules/$2 is missing" >&2; exit 1; }
  [[ "$(readlink "lib/$1" 2>/dev/null)" == "$target" ]] || ln -sfn "$target" "lib/$1"
}
link forge-std @layerzerolabs/toolbox-foundry/lib/forge-std
link openzeppelin-contracts @openzeppelin/contracts
link openzeppelin-contracts-upgradeable @openzeppelin/contracts-upgradeable

# PostgreSQL and ipfs-cid from Debian's packages for the backend's tests.
tools/system-packages.sh
