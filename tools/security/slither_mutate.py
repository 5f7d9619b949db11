#!/usr/bin/env python3
"""slither-mutate with a faster compile check, for `make mutate` (tools/security/mutate.sh).

slither-mutate checks that each mutant compiles by running crytic-compile on the project: a
full `forge build` with build info, parsed back into Python (~7 s for the collateral pool with
solcjs). Stage 1 of the test command only needs this side's deployable implementations, so the
check compiles exactly those, without the optimizer and without build info (~2.5 s), into
.check/out where tools/security/mutant_test.sh reads them. A mutant that fails this compile is
reported as not compiling, as before.

It also leaves out the relational mutants that are equivalent by type: an unsigned value
compared with the literal 0, where `x == 0` and `x <= 0` (or `x != 0` and `x > 0`) are the
same predicate. No test can kill them, and each would cost a full forge run (stage 2) to prove
it. Each one left out is recorded in $MUTANT_STAGE_LOG as `equivalent-by-type`, and the report
counts them apart.

With MUTANT_SAMPLE below 1, it tests a fixed sample of the mutants: each one is kept when the
hash of (file, mutator, line, old text, new text) falls below the rate, so every run and every
machine draws the same sample, and a survivor explained once stays explained. Each mutant
left out is recorded as `sampled-out`.

Environment: MUTANT_FORGE (forge binary), MUTANT_DEPLOYABLES (space-separated source files),
MUTANT_STAGE_LOG, MUTANT_SAMPLE (0 < rate <= 1, default 1). Arguments: those of slither-mutate.
"""

import hashlib
import os
import subprocess
import sys

from slither.core.solidity_types import ElementaryType
from slither.slithir.operations import Binary, BinaryType
from slither.slithir.variables import Constant
from slither.tools.mutator import __main__ as slither_mutate
from slither.tools.mutator.mutators import ROR, all_mutators
from slither.tools.mutator.utils import testing_generated_mutant

# For an unsigned x: with x on the left, == 0 is <= 0 and != 0 is > 0; with 0 on the left,
# 0 == x is 0 >= x and 0 != x is 0 < x.
SAME_PREDICATE = {
    "left": [{BinaryType.EQUAL, BinaryType.LESS_EQUAL}, {BinaryType.NOT_EQUAL, BinaryType.GREATER}],
    "right": [{BinaryType.EQUAL, BinaryType.GREATER_EQUAL}, {BinaryType.NOT_EQUAL, BinaryType.LESS}],
}


def compile_deployables(_file_path: str, _mappings: str | None) -> bool:
    env = dict(os.environ, FOUNDRY_OPTIMIZER="false", FOUNDRY_DENY="never")
    command = [os.environ["MUTANT_FORGE"], "build", *os.environ["MUTANT_DEPLOYABLES"].split(),
               "--force", "--out", ".check/out", "--cache-path", ".check/cache"]
    return subprocess.run(command, env=env, capture_output=True, check=False).returncode == 0


def _is_unsigned(variable) -> bool:
    return isinstance(variable.type, ElementaryType) and variable.type.name.startswith("uint")


def _is_zero(variable) -> bool:
    return isinstance(variable, Constant) and variable.value == 0


def _equivalent_patches(mutator) -> list[tuple[int, int, str]]:
    """(start, end, new text) of each ROR patch that only renames an unsigned-versus-zero test,
    computed from the IR as slither's ROR builds its patches."""
    found = []
    for function in mutator.contract.functions_and_modifiers_declared:
        if not mutator.should_mutate_function(function):
            continue
        for node in function.nodes:
            if not mutator.should_mutate_node(node):
                continue
            for ir in node.irs:
                if not isinstance(ir, Binary) or ir.type not in ROR.relational_operators:
                    continue
                if _is_unsigned(ir.variable_left) and _is_zero(ir.variable_right):
                    side = "left"
                elif _is_zero(ir.variable_left) and _is_unsigned(ir.variable_right):
                    side = "right"
                else:
                    continue
                start = ir.expression.source_mapping.start
                end = start + ir.expression.source_mapping.length
                text = node.source_mapping.content
                # ROR rewrites the first occurrence of the operator in the whole statement; keep
                # the filter to patches where that occurrence is this comparison's own operator.
                at = text.find(ir.type.value)
                own = node.source_mapping.start + at
                if at < 0 or not start <= own < end or text[at + len(ir.type.value)] == "=":
                    continue
                before, after = text.split(ir.type.value)[0], text.split(ir.type.value)[1]
                for group in SAME_PREDICATE[side]:
                    if ir.type in group:
                        for op in group - {ir.type}:
                            found.append((start, end, f"{before}{op.value}{after}"))
    return found


def _record(file: str, stage: str, patch: dict) -> None:
    log = os.environ.get("MUTANT_STAGE_LOG")
    if log:
        with open(log, "a", encoding="utf8") as out:
            mutant = " ".join(patch["new_string"].split())  # one record per line
            out.write(f"{os.path.relpath(file)}\t{stage}\tline {patch['line_number']}: {mutant}\n")


def _in_sample(file: str, mutator: str, patch: dict, rate: float) -> bool:
    key = "|".join((os.path.relpath(file), mutator, str(patch["line_number"]), patch["old_string"], patch["new_string"]))
    return int.from_bytes(hashlib.sha256(key.encode("utf8")).digest()[:8], "big") < rate * 2**64


def _filtered(generate):
    def mutate(self) -> dict:
        result = generate(self)
        skip = set(_equivalent_patches(self)) if self.NAME == "ROR" else set()
        rate = float(os.environ.get("MUTANT_SAMPLE", "1"))
        if not 0 < rate <= 1:
            sys.exit(f"MUTANT_SAMPLE={rate}: expected a rate in (0, 1]")
        for file, patches in result.get("patches", {}).items():
            kept = []
            for patch in patches:
                if (patch["start"], patch["end"], patch["new_string"]) in skip:
                    _record(file, "equivalent-by-type", patch)
                elif rate < 1 and not _in_sample(file, self.NAME, patch, rate):
                    _record(file, "sampled-out", patch)
                else:
                    kept.append(patch)
            patches[:] = kept
        return result

    return mutate


# Looked up on their module or class at each call.
testing_generated_mutant.compile_generated_mutant = compile_deployables
for name in dir(all_mutators):
    mutator = getattr(all_mutators, name)
    if isinstance(mutator, type) and hasattr(mutator, "NAME") and "_mutate" in vars(mutator):
        mutator._mutate = _filtered(mutator._mutate)

if __name__ == "__main__":
    sys.exit(slither_mutate.main())
