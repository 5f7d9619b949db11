#!/usr/bin/env bash
# `make mutate`: slither-mutate over the core contracts, then docs/mutation-report.md.
#
# Cost model (2 cores, solcjs): compiling a mutated pool alone takes ~2.5 s without the
# optimizer, recompiling the 18 collateral test files that import it ~40 s. So each mutant is
# compiled alone (tools/security/slither_mutate.py) and tested in two stages (tools/security/mutant_test.sh): the revm harness on the
# freshly compiled implementation first (seconds, kills most mutants), the product's forge
# suites only for what it lets through. The two products run side by side, one per core, each
# in its own scratch copy (.mutate/<side>/work): slither-mutate writes each mutant into the
# source file it tests, and an interrupted run must never leave a mutant in the real contracts/.
#
# Environment:
#   MUTATE_SIDES     "collateral counterparty" (default) or one of them
#   MUTATE_FILES     restrict to these contract files (space-separated, default: all core ones)
#   MUTATE_MUTATORS  slither-mutate mutators (default below; "all" for every mutator)
#   MUTATE_SAMPLE    share of the mutants tested, a fixed hash-based sample (default below; 1 for all)
#   MUTATE_ACTIONS   harness actions per machine and mutant (default 20000)
#   MUTATE_TIMEOUT   seconds per mutant (default 900)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

platform="$(uname -s | tr '[:upper:]' '[:lower:]')-$(uname -m | sed -e 's/x86_64/amd64/' -e 's/aarch64/arm64/')"
forge_bin=$root/node_modules/@foundry-rs/forge-$platform/bin/forge

# The default (docs/decisions.md, "Mutation testing") is sized for about an hour: the mutators
# that ask whether the tests check values, boundaries and guards (relational, arithmetic, unary
# and logical operators; conditions forced true or false, which removes a check). The other
# mutators (RR, CR: revert a function, delete a line; ASOR: assignment operators; FHR, SBR, MVIE)
# run with MUTATE_MUTATORS=all in the scheduled workflow (~4,600 mutants, several hours).
default_mutators=ROR,AOR,MIA,LOR,UOR,MWA
mutators=${MUTATE_MUTATORS:-$default_mutators}
[[ $mutators == all ]] && mutators=""
actions=${MUTATE_ACTIONS:-20000}
# Sized by measurement (docs/decisions.md): a mutant the harness kills costs ~5 s, one it lets
# through ~100 s of forge; 1,786 default mutants would take ~4.5 h, a quarter of them ~1 h.
sample=${MUTATE_SAMPLE:-0.25}
timeout=${MUTATE_TIMEOUT:-900}

side_files() {
  case $1 in
    collateral) echo contracts/libraries/PoolMath.sol contracts/libraries/MathLib.sol \
      contracts/libraries/OracleLib.sol contracts/collateral/ERC20CollateralPool.sol ;;
    counterparty) echo contracts/libraries/CollateralTransfer.sol contracts/counterparty/CounterpartyPool.sol \
      contracts/counterparty/AdminCounterpartyPool.sol contracts/counterparty/CounterpartyPoolBase.sol ;;
    *) echo "mutate: unknown side '$1' (collateral, counterparty)" >&2; return 1 ;;
  esac
}
side_deployables() {
  case $1 in
    collateral) echo contracts/collateral/ERC20CollateralPool.sol ;;
    counterparty) echo contracts/counterparty/CounterpartyPool.sol contracts/counterparty/AdminCounterpartyPool.sol ;;
  esac
}
side_machines() {
  case $1 in
    collateral) echo collateral ;;
    counterparty) echo counterparty admin-counterparty ;;
  esac
}
side_tests() {
  case $1 in
    collateral) echo '{test/collateral/*.t.sol,test/invariant/Collateral*.t.sol}' ;;
    counterparty) echo '{test/counterparty/*.t.sol,test/invariant/Counterparty*.t.sol}' ;;
  esac
}

state=$root/.mutate
rm -rf "$state"
mkdir -p "$state/logs"

echo "mutate: building the harness's mutant runner"
${CARGO:-cargo} build --locked -q -p invariant-harness --bin harness-mutant
# A copy: a cargo build during the campaign must not swap the binary under it.
mkdir -p "$state/bin"
cp "$root/target/debug/harness-mutant" "$state/bin/"
harness=$state/bin/harness-mutant

# Prepares .mutate/<side>/work: sources, tests (no gas benchmarks, deploy scripts or broken
# variants: they assert nothing a mutant could break), libraries and the build slither analyses
# (.analysis/, with build info).
prepare() {
  local side=$1 work=$state/$1/work
  mkdir -p "$work" "$state/$side/pristine"
  git ls-files -z --cached --others --exclude-standard -- contracts test foundry.toml tools/solc package.json \
    | tar --null -T - -cf - | tar -xf - -C "$work"
  rm -rf "$work/test/gas" "$work/test/script" "$work/test/broken"
  ln -s "$root/node_modules" "$work/node_modules"
  mkdir -p "$work/lib"
  cp -P lib/forge-std lib/openzeppelin-contracts lib/openzeppelin-contracts-upgradeable "$work/lib/"
  # shellcheck disable=SC2046 # one argument per file
  (cd "$work" && FOUNDRY_PROFILE=mutate "$forge_bin" build $(side_deployables "$side") --build-info \
    --out .analysis/out --cache-path .analysis/cache >/dev/null)
}

# Stage 1's implementations from the unmutated sources: slither-mutate's baseline run tests
# whatever .check/out holds, and after a file's campaign that is its last mutant.
compile_unmutated() {
  # shellcheck disable=SC2046 # one argument per file
  (cd "$state/$1/work" && FOUNDRY_OPTIMIZER=false FOUNDRY_DENY=never "$forge_bin" build $(side_deployables "$1") \
    --force --out .check/out --cache-path .check/cache >/dev/null)
}

# Both stages on the unmutated sources, once per side (the per-file baselines of slither-mutate
# skip stage 2): a red baseline would make every mutant look killed.
baseline() {
  local side=$1
  echo "mutate[$side]: baseline (harness, then the forge suites: builds the test cache)"
  compile_unmutated "$side"
  # shellcheck disable=SC2046 # one argument per machine
  (cd "$state/$side/work" && "$harness" --out .check/out --actions "$actions" $(side_machines "$side") \
    && FOUNDRY_PROFILE=mutate "$forge_bin" test --match-path "$(side_tests "$side")" --fail-fast) \
    >"$state/logs/$side.baseline.txt" 2>&1 \
    || { echo "mutate[$side]: the unmutated sources fail, see .mutate/logs/$side.baseline.txt" >&2; return 1; }
}

run_side() {
  local side=$1 work=$state/$1/work file name
  local -a extra=(--timeout "$timeout")
  [[ -n $mutators ]] && extra+=(--mutators-to-run "$mutators")
  for file in $(side_files "$side"); do
    if [[ -n ${MUTATE_FILES:-} && " $MUTATE_FILES " != *" $file "* ]]; then continue; fi
    name=$(basename "$file" .sol)
    cp "$work/$file" "$state/$side/pristine/$name.sol"
    compile_unmutated "$side"
    echo "mutate[$side]: $file, log in .mutate/logs/$name.log"
    (
      cd "$work"
      # crytic-compile (slither's analysis of the unmutated file) calls `forge` by name.
      export PATH="$(dirname "$forge_bin"):$PATH" FOUNDRY_PROFILE=mutate \
        MUTANT_FORGE="$forge_bin" MUTANT_DEPLOYABLES="$(side_deployables "$side")" MUTANT_HARNESS="$harness" MUTANT_MACHINES="$(side_machines "$side")" MUTANT_ACTIONS="$actions" \
        MUTANT_TESTS="$(side_tests "$side")" MUTANT_FILE="$file" MUTANT_PRISTINE="$state/$side/pristine/$name.sol" \
        MUTANT_STAGE_LOG="$state/logs/$name.stages" MUTANT_SAMPLE="$sample"
      "$root/.venv/bin/python" "$root/tools/security/slither_mutate.py" "$file" \
        --test-cmd "$root/tools/security/mutant_test.sh" --output-dir "$state/$side/survivors/$name" -v \
        --ignore-compile --foundry-out-directory .analysis/out "${extra[@]}" 2>&1
    ) | tee "$state/logs/$name.log" \
      | grep --line-buffered -E 'UNCAUGHT|Test suite|Done mutating|ERROR|rror' | sed -u "s/^/mutate[$side]: /" || true
  done
}

sides=${MUTATE_SIDES:-collateral counterparty}
for side in $sides; do side_files "$side" >/dev/null; done
started=$(date +%s)
export FOUNDRY_SOLC="${FOUNDRY_SOLC:-$root/tools/solc/solc}" FOUNDRY_OFFLINE=true
pids=()
for side in $sides; do
  echo "mutate[$side]: preparing .mutate/$side/work"
  (prepare "$side" && baseline "$side" && run_side "$side") &
  pids+=($!)
done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
elapsed=$(($(date +%s) - started))
echo "mutate: campaign took $((elapsed / 60)) min $((elapsed % 60)) s"
[[ $failed -eq 0 ]] || { echo "mutate: a side failed, see .mutate/logs" >&2; exit 1; }

# What `make mutate-recheck` needs to re-test the survivors the way this campaign tested them.
{
  printf 'FORGE_BIN=%q\nHARNESS=%q\nACTIONS=%q\nMUTATORS=%q\nSAMPLE=%q\nELAPSED=%q\n' \
    "$forge_bin" "$harness" "$actions" "$mutators" "$sample" "$elapsed"
  for side in collateral counterparty; do
    printf 'MACHINES_%s=%q\nTESTS_%s=%q\nDEPLOYABLES_%s=%q\n' "$side" "$(side_machines "$side")" \
      "$side" "$(side_tests "$side")" "$side" "$(side_deployables "$side")"
  done
} >"$state/campaign.env"

python3 tools/security/mutation_report.py "$state/logs" docs/mutation-equivalents.txt docs/mutation-report.md \
  "$elapsed" "$mutators" "$actions" "$sample"
