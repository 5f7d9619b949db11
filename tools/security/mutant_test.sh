#!/usr/bin/env bash
# slither-mutate's test command in `make mutate` (run inside a side's scratch copy, after the
# forge shim compiled the mutant's implementations into .check/out).
#
# Stage 1, the revm harness (seconds): the machines of this side deploy the mutant behind the
# proxy and compare every call with the reference model; most mutants die here.
# Stage 2, the product's forge suites (unit, fuzz, invariant; recompiling the tests costs tens of
# seconds with solcjs): only for mutants stage 1 let through.
# Each verdict is appended to $MUTANT_STAGE_LOG with the mutated line, for the report.
#
# Environment (set by mutate.sh): MUTANT_HARNESS (binary), MUTANT_MACHINES, MUTANT_ACTIONS,
# MUTANT_TESTS (forge --match-path glob), MUTANT_FILE, MUTANT_PRISTINE (the unmutated copy),
# MUTANT_STAGE_LOG.
set -uo pipefail

changed=$(diff "$MUTANT_PRISTINE" "$MUTANT_FILE" | sed -n 's/^> *//p' | head -1)
verdict() { printf '%s\t%s\t%s\n' "$MUTANT_FILE" "$1" "$changed" >>"$MUTANT_STAGE_LOG"; }

# shellcheck disable=SC2086 # the machine list is word-split on purpose
"$MUTANT_HARNESS" --out .check/out --actions "$MUTANT_ACTIONS" $MUTANT_MACHINES 2>>"$MUTANT_STAGE_LOG.harness"
case $? in
  0) ;;
  1) verdict harness; exit 1 ;;
  *) verdict error; exit 1 ;; # the report refuses a campaign with errors
esac

# slither-mutate's baseline run of each file (nothing mutated): stage 2 already passed on the
# unmutated sources once for this side (mutate.sh), and costs a full test build.
[[ -n $changed ]] || exit 0

forge test --match-path "$MUTANT_TESTS" --fail-fast >/dev/null 2>&1
status=$?
if [[ $status -ne 0 ]]; then verdict forge; exit 1; fi
verdict survived
exit 0
