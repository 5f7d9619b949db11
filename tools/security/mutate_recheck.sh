#!/usr/bin/env bash
# `make mutate-recheck`: re-tests the survivors of the last `make mutate` campaign against the
# current tests (after a test was added to kill them), in the campaign's scratch copies, and
# rewrites docs/mutation-report.md with the new verdicts. Minutes instead of a new campaign.
#
# slither-mutate saved each survivor as a whole mutated source, .mutate/<side>/survivors/<name>/
# <name>/<name>_<MUTATOR>_<n>.sol, n counting that mutator's survivors in the log's order. Each
# survivor not explained in docs/mutation-equivalents.txt is copied over the source, compiled and
# run through both stages as in the campaign; the verdict goes to .mutate/logs/recheck.tsv
# (file, mutator, n, killed|survived).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
state=$root/.mutate
[[ -f $state/campaign.env ]] || { echo "mutate-recheck: no campaign in .mutate/ (run make mutate first)" >&2; exit 1; }
# shellcheck source=/dev/null
source "$state/campaign.env"

recheck=$state/logs/recheck.tsv
: >"$recheck"
refreshed=" "
# Only the survivors not explained as equivalent: re-testing those would prove nothing new.
while IFS=$'\t' read -r file mutator n; do
  name=$(basename "$file" .sol)
  side=$(ls -d "$state"/*/survivors/"$name" 2>/dev/null | head -1)
  side=${side#"$state"/}
  side=${side%%/*}
  mutant=$state/$side/survivors/$name/$name/${name}_${mutator}_$n.sol
  [[ -f $mutant ]] || { echo "mutate-recheck: $mutant is missing" >&2; exit 1; }
  work=$state/$side/work
  if [[ $refreshed != *" $side "* ]]; then
    # The tests as they are now (the point of a recheck), as the campaign copied them.
    rm -rf "$work/test"
    git ls-files -z --cached --others --exclude-standard -- test | tar --null -T - -cf - | tar -xf - -C "$work"
    rm -rf "$work/test/gas" "$work/test/script" "$work/test/broken"
    refreshed+="$side "
  fi
  cp "$mutant" "$work/$file"
  verdict=survived
  (
    cd "$work"
    export PATH="$(dirname "$FORGE_BIN"):$PATH" FOUNDRY_PROFILE=mutate MUTANT_HARNESS="$HARNESS" \
      MUTANT_MACHINES="$(eval "echo \$MACHINES_$side")" MUTANT_ACTIONS="$ACTIONS" \
      MUTANT_TESTS="$(eval "echo \$TESTS_$side")" MUTANT_FILE="$file" \
      MUTANT_PRISTINE="$state/$side/pristine/$name.sol" MUTANT_STAGE_LOG="$state/logs/recheck.stages"
    # shellcheck disable=SC2046 # one argument per file
    FOUNDRY_OPTIMIZER=false FOUNDRY_DENY=never "$FORGE_BIN" build $(eval "echo \$DEPLOYABLES_$side") \
      --force --out .check/out --cache-path .check/cache >/dev/null 2>&1 || exit 0 # did compile in the campaign
    "$root/tools/security/mutant_test.sh"
  ) || verdict=killed
  cp "$state/$side/pristine/$name.sol" "$work/$file"
  printf '%s\t%s\t%s\t%s\n' "$file" "$mutator" "$n" "$verdict" | tee -a "$recheck"
done < <(python3 tools/security/mutation_report.py --unexplained "$state/logs" docs/mutation-equivalents.txt)

python3 tools/security/mutation_report.py "$state/logs" docs/mutation-equivalents.txt docs/mutation-report.md \
  "$ELAPSED" "$MUTATORS" "$ACTIONS" "$SAMPLE"
