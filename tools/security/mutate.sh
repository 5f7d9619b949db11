#!/usr/bin/env bash
# `make mutate`: slither-mutate over the core contracts, then docs/mutation-report.md.
#
# Runs in a scratch copy (.mutate/work): slither-mutate writes each mutant into the source file
# it tests, and an interrupted run must never leave a mutant in the real contracts/. The copy
# holds what the forge unit, fuzz and invariant tests need (no gas benchmarks, no deploy
# scripts, no broken variants: they assert nothing a mutant could break, and each would be
# recompiled for every mutant).
#
# Each contract is tested by its product's suites only (MUTATE_TARGETS below), fail-fast.
#
# Environment: MUTATE_TARGETS="<file>:<test glob> ..." to run a subset (default: all core
# contracts), MUTATE_TIMEOUT seconds per mutant (default: twice the baseline run).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

platform="$(uname -s | tr '[:upper:]' '[:lower:]')-$(uname -m | sed -e 's/x86_64/amd64/' -e 's/aarch64/arm64/')"
forge_bin=$root/node_modules/@foundry-rs/forge-$platform/bin/forge

collateral_tests='{test/collateral/*.t.sol,test/invariant/Collateral*.t.sol}'
counterparty_tests='{test/counterparty/*.t.sol,test/invariant/Counterparty*.t.sol}'
default_targets="
contracts/libraries/PoolMath.sol:$collateral_tests
contracts/libraries/MathLib.sol:$collateral_tests
contracts/libraries/OracleLib.sol:$collateral_tests
contracts/collateral/ERC20CollateralPool.sol:$collateral_tests
contracts/libraries/CollateralTransfer.sol:$counterparty_tests
contracts/counterparty/CounterpartyPoolBase.sol:$counterparty_tests
contracts/counterparty/CounterpartyPool.sol:$counterparty_tests
contracts/counterparty/AdminCounterpartyPool.sol:$counterparty_tests
"
targets=${MUTATE_TARGETS:-$default_targets}

state=$root/.mutate
work=$state/work
logs=$state/logs
rm -rf "$work" "$logs"
mkdir -p "$work" "$logs"

echo "mutate: copying the working tree into $work"
git ls-files -z --cached --others --exclude-standard -- contracts test foundry.toml tools/solc package.json \
  | tar --null -T - -cf - | tar -xf - -C "$work"
rm -rf "$work/test/gas" "$work/test/script" "$work/test/broken"
ln -s "$root/node_modules" "$work/node_modules"
mkdir -p "$work/lib"
cp -P lib/forge-std lib/openzeppelin-contracts lib/openzeppelin-contracts-upgradeable "$work/lib/"

# crytic-compile compiles each mutant (`forge clean`, then `forge build --build-info <file>`)
# before the tests run; the shim keeps that from costing a full rebuild of the tests:
# - `clean` does nothing: it would throw away forge's incremental cache of the tests;
# - the compile check builds into .check/ with its own cache, always afresh (--force), and
#   hands crytic-compile only that build's info: a mutant that does not compile leaves none,
#   so it counts as "did not compile" instead of being "caught" by the failing test build.
mkdir -p "$work/.bin"
cat > "$work/.bin/forge" <<EOF
#!/usr/bin/env bash
[[ "\${1:-}" == clean ]] && exit 0
if [[ "\${1:-}" == build && " \$* " == *" --build-info "* ]]; then
  rm -rf out/build-info
  "$forge_bin" "\$@" --force --out .check/out --cache-path .check/cache || exit
  mkdir -p out && mv .check/out/build-info out/build-info
  exit 0
fi
exec "$forge_bin" "\$@"
EOF
chmod +x "$work/.bin/forge"
export PATH="$work/.bin:$PATH" FOUNDRY_SOLC="$work/tools/solc/solc" FOUNDRY_OFFLINE=true FOUNDRY_PROFILE=mutate

started=$(date +%s)
set -f # the test globs are forge's, not the shell's
for entry in $targets; do
  file=${entry%%:*}
  tests=${entry#*:}
  name=$(basename "$file" .sol)
  echo "mutate: $file (tests: $tests), log in .mutate/logs/$name.log"
  timeout_args=()
  [[ -n ${MUTATE_TIMEOUT:-} ]] && timeout_args=(--timeout "$MUTATE_TIMEOUT")
  (
    cd "$work"
    "$root/.venv/bin/slither-mutate" "$file" \
      --test-cmd "forge test --match-path '$tests'" \
      --output-dir "$state/survivors/$name" --skip-clean -v "${timeout_args[@]}" 2>&1
  ) | tee "$logs/$name.log" | grep --line-buffered -E 'UNCAUGHT|mutants:|Test suite|Done mutating|ERROR|rror' || true
done
elapsed=$(($(date +%s) - started))
echo "mutate: campaign took $((elapsed / 60)) min $((elapsed % 60)) s"

python3 tools/security/mutation_report.py "$logs" docs/mutation-equivalents.txt docs/mutation-report.md "$elapsed"
