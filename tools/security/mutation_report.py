#!/usr/bin/env python3
"""Writes docs/mutation-report.md from slither-mutate's verbose logs (one log per contract).

A mutant is killed when a test fails on it, survives when every test passes; mutants that do not
compile are not mutants and are only counted. Survivors listed in the equivalents file (same
behaviour as the original, so no test can kill them) are excluded from the adjusted score.

The test command (tools/security/mutant_test.sh) records which stage killed each mutant in
`<name>.stages` next to the logs: the revm harness or the forge suites. A stage that errored
(e.g. a missing artifact) would count as a kill, so any error makes the report refuse.

Usage: mutation_report.py <log dir> <equivalents file> <report.md> <elapsed seconds> <mutators> <actions> <sample>
       mutation_report.py --unexplained <log dir> <equivalents file>
         lists the survivors not explained as equivalent: file, mutator, n (slither-mutate's
         numbering of that mutator's survivors in the file), tab-separated, for make mutate-recheck
"""

import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;]*m")
MUTANT = re.compile(
    r"\[(?P<mutator>\w+)\] Line (?P<line>\d+): '(?P<old>.*?)' ==> '(?P<new>.*?)' --> (?P<status>UNCAUGHT|CAUGHT|COMPILATION FAILURE)",
    re.S,
)
TARGET = re.compile(r"Starting mutation campaign in (?P<file>\S+)")


def read_equivalents(path: Path) -> dict[tuple[str, str, str, str], str]:
    """`file | mutator | 'old' ==> 'new' | why`, one survivor per line; `#` starts a comment."""
    out = {}
    if not path.exists():
        return out
    for n, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = [f.strip() for f in line.split(" | ", 3)]
        m = re.fullmatch(r"'(.*)' ==> '(.*)'", fields[2]) if len(fields) == 4 else None
        if not m or not fields[3]:
            sys.exit(f"{path}:{n}: expected `file | mutator | 'old' ==> 'new' | why`")
        out[(fields[0], fields[1], _flat(m.group(1)), _flat(m.group(2)))] = fields[3]
    return out


def _flat(text: str) -> str:
    """Whitespace collapsed: a mutated statement may span lines in the log."""
    return " ".join(text.split())


def parse_log(path: Path) -> tuple[str, list[dict]]:
    text = ANSI.sub("", path.read_text(errors="replace"))
    target = m.group("file") if (m := TARGET.search(text)) else path.stem
    mutants, survivors = [], {}
    for m in MUTANT.finditer(text):
        mutant = m.groupdict()
        mutant["old"], mutant["new"] = _flat(mutant["old"]), _flat(mutant["new"])
        if mutant["status"] == "UNCAUGHT":
            # slither-mutate numbers the survivors it saves per mutator, in this order:
            # <name>_<mutator>_<n>.sol, which make mutate-recheck re-tests.
            mutant["n"] = survivors[mutant["mutator"]] = survivors.get(mutant["mutator"], -1) + 1
        mutants.append(mutant)
    return target, mutants


def read_stages(path: Path) -> dict[str, int]:
    """Verdicts per stage from mutant_test.sh: file, stage, mutated line (tab-separated)."""
    counts = {"harness": 0, "forge": 0, "survived": 0, "error": 0}
    if path.exists():
        for line in path.read_text(errors="replace").splitlines():
            # A record starts with `contracts/...<tab>stage<tab>`; lines without tabs continue
            # the previous record's mutated text (older logs kept multi-line statements).
            if "\t" not in line:
                continue
            stage = line.split("\t")[1]
            counts[stage] = counts.get(stage, 0) + 1
    return counts


def read_recheck(path: Path) -> dict[tuple[str, str, int], str]:
    """`make mutate-recheck` verdicts: (file, mutator, n-th survivor of that mutator) -> killed|survived."""
    out = {}
    if path.exists():
        for line in path.read_text().splitlines():
            file, mutator, n, verdict = line.split("\t")
            out[(file, mutator, int(n))] = verdict
    return out


def unexplained(log_dir: Path, equivalents: dict) -> None:
    for log in sorted(log_dir.glob("*.log")):
        file, mutants = parse_log(log)
        for m in (m for m in mutants if m["status"] == "UNCAUGHT"):
            if (file, m["mutator"], m["old"], m["new"]) not in equivalents:
                print(f"{file}\t{m['mutator']}\t{m['n']}")


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--unexplained":
        unexplained(Path(sys.argv[2]), read_equivalents(Path(sys.argv[3])))
        return 0
    if len(sys.argv) != 8:
        sys.exit(__doc__)
    log_dir, eq_path, report_path, elapsed = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
    mutators, actions, sample = sys.argv[5] or "all", int(sys.argv[6]), float(sys.argv[7])
    equivalents = read_equivalents(eq_path)
    recheck = read_recheck(log_dir / "recheck.tsv")
    errors = []
    rows, survivor_sections = [], []
    totals = dict(compiled=0, killed=0, survived=0, equivalent=0, failed=0, by_harness=0, by_forge=0, by_type=0, sampled_out=0)
    for log in sorted(log_dir.glob("*.log")):
        file, mutants = parse_log(log)
        stages = read_stages(log.with_suffix(".stages"))
        if stages["error"]:
            errors.append(f"{file}: {stages['error']} mutants errored in the harness stage (see {log.with_suffix('.stages.harness')})")
        killed = [m for m in mutants if m["status"] == "CAUGHT"]
        survived = []
        for m in (m for m in mutants if m["status"] == "UNCAUGHT"):
            m["later"] = recheck.get((file, m["mutator"], m["n"])) == "killed"
            (killed if m["later"] else survived).append(m)
        failed = [m for m in mutants if m["status"] == "COMPILATION FAILURE"]
        explained = [m for m in survived if (file, m["mutator"], m["old"], m["new"]) in equivalents]
        compiled = len(killed) + len(survived)
        real = compiled - len(explained)
        score = f"{100 * len(killed) / real:.1f} %" if real else "n/a"
        by_type = stages.get("equivalent-by-type", 0)
        sampled_out = stages.get("sampled-out", 0)
        rows.append(f"| `{file}` | {compiled} | {len(killed)} | {stages['harness']} | {stages['forge']} | {len(survived)} "
                    f"| {len(explained)} | {score} | {len(failed)} | {by_type} | {sampled_out} |")
        for key, n in (("compiled", compiled), ("killed", len(killed)), ("survived", len(survived)),
                       ("equivalent", len(explained)), ("failed", len(failed)),
                       ("by_harness", stages["harness"]), ("by_forge", stages["forge"]), ("by_type", by_type), ("sampled_out", sampled_out)):
            totals[key] += n
        later = [m for m in killed if m.get("later")]
        if survived or later:
            lines = [f"### `{file}`", "", "| line | mutator | mutant | verdict |", "|---|---|---|---|"]
            for m in later:
                change = f"`{m['old']}` → `{m['new']}`".replace("|", "\\|")
                lines.append(f"| {m['line']} | {m['mutator']} | {change} | killed by a test added after the campaign (`make mutate-recheck`) |")
            for m in survived:
                why = equivalents.get((file, m["mutator"], m["old"], m["new"]))
                verdict = f"equivalent: {why}" if why else "**survives: needs a test or an explanation**"
                change = f"`{m['old']}` → `{m['new']}`".replace("|", "\\|")
                lines.append(f"| {m['line']} | {m['mutator']} | {change} | {verdict} |")
            survivor_sections.append("\n".join(lines))

    if errors:
        sys.exit("mutate: the campaign had test errors, no report written:\n" + "\n".join(errors))
    real = totals["compiled"] - totals["equivalent"]
    score = f"{100 * totals['killed'] / real:.1f} %" if real else "n/a"
    version = subprocess.run([str(Path(".venv/bin/pip")), "show", "slither-analyzer"], capture_output=True, text=True).stdout
    version = next((l.split(": ", 1)[1] for l in version.splitlines() if l.startswith("Version:")), "?")
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    report = f"""# Mutation report

Written by `make mutate` ({when}, slither-mutate {version}, {elapsed // 60} min {elapsed % 60} s on this machine;
mutators: {mutators}; sample: {sample:.0%} of the mutants, fixed by hash; harness stage: {actions} actions per machine).
Each mutant is compiled alone and tested in two stages: the revm harness (`harness-mutant`,
the product's machines on the mutant behind the proxy, compared call by call with the reference
model) and, for what it lets through, the product's forge suites (unit, fuzz, invariant).
A mutant is *killed* when a test fails on it and *survives* when every test passes; *equivalent*
survivors behave exactly like the original (listed with the reason in
`docs/mutation-equivalents.txt`) and are left out of the score. Mutants that do not compile
are not counted as mutants, nor are the relational mutants that are equivalent by type (an
unsigned value against 0: `x == 0` ≡ `x <= 0`, `x != 0` ≡ `x > 0`), which
`tools/security/slither_mutate.py` leaves out before testing. Score = killed / (compiled − equivalent).
Survivors that a test added after the campaign kills were re-tested by `make mutate-recheck`
(both stages, on the saved mutant) and count as killed; the by-harness/by-forge columns are the
campaign's own.

| contract | mutants | killed | by harness | by forge | survived | equivalent | score | did not compile | left out: equivalent by type | left out: not in sample |
|---|---|---|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}
| **total** | {totals['compiled']} | {totals['killed']} | {totals['by_harness']} | {totals['by_forge']} | {totals['survived']} | {totals['equivalent']} | **{score}** | {totals['failed']} | {totals['by_type']} | {totals['sampled_out']} |

slither-mutate's mutators: ROR (relational operator replaced by each other one), AOR
(arithmetic), LOR (logical), UOR (unary), BOR (bitwise), MIA (an `if` condition forced true
and false: a guard removed), MWA (the same for `while`); with `MUTATE_MUTATORS=all` also RR
(function body replaced by a revert) and CR (statement commented out), which then run first so
that a line whose RR or CR mutant survives is not mutated further, ASOR (assignment operators),
LIR, MVIE, MVIV (literals and initialisations), FHR (function header: visibility, mutability)
and SBR (Solidity-specific swaps such as `msg.sender`, `block.timestamp`).

## Survivors
{chr(10).join(survivor_sections) if survivor_sections else "None."}
"""
    report_path.write_text(report)
    print(f"mutate: {totals['compiled']} mutants, {totals['killed']} killed, {totals['survived']} survived "
          f"({totals['equivalent']} equivalent), score {score}; written to {report_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
