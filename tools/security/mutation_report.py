#!/usr/bin/env python3
"""Writes docs/mutation-report.md from slither-mutate's verbose logs (one log per contract).

A mutant is killed when a test fails on it, survives when every test passes; mutants that do not
compile are not mutants and are only counted. Survivors listed in the equivalents file (same
behaviour as the original, so no test can kill them) are excluded from the adjusted score.

Usage: mutation_report.py <log dir> <equivalents file> <report.md> <elapsed seconds>
"""

import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;]*m")
MUTANT = re.compile(r"\[(?P<mutator>\w+)\] Line (?P<line>\d+): '(?P<old>.*)' ==> '(?P<new>.*)' --> (?P<status>UNCAUGHT|CAUGHT|COMPILATION FAILURE)")
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
        out[(fields[0], fields[1], m.group(1), m.group(2))] = fields[3]
    return out


def parse_log(path: Path) -> tuple[str, list[dict]]:
    target, mutants = path.stem, []
    for raw in path.read_text(errors="replace").splitlines():
        line = ANSI.sub("", raw)
        if m := TARGET.search(line):
            target = m.group("file")
        elif m := MUTANT.search(line):
            mutants.append(m.groupdict())
    return target, mutants


def main() -> int:
    log_dir, eq_path, report_path, elapsed = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
    equivalents = read_equivalents(eq_path)
    rows, survivor_sections = [], []
    totals = dict(compiled=0, killed=0, survived=0, equivalent=0, failed=0)
    for log in sorted(log_dir.glob("*.log")):
        file, mutants = parse_log(log)
        killed = [m for m in mutants if m["status"] == "CAUGHT"]
        survived = [m for m in mutants if m["status"] == "UNCAUGHT"]
        failed = [m for m in mutants if m["status"] == "COMPILATION FAILURE"]
        explained = [m for m in survived if (file, m["mutator"], m["old"], m["new"]) in equivalents]
        compiled = len(killed) + len(survived)
        real = compiled - len(explained)
        score = f"{100 * len(killed) / real:.1f} %" if real else "n/a"
        rows.append(f"| `{file}` | {compiled} | {len(killed)} | {len(survived)} | {len(explained)} | {score} | {len(failed)} |")
        for key, n in (("compiled", compiled), ("killed", len(killed)), ("survived", len(survived)),
                       ("equivalent", len(explained)), ("failed", len(failed))):
            totals[key] += n
        if survived:
            lines = [f"### `{file}`", "", "| line | mutator | mutant | verdict |", "|---|---|---|---|"]
            for m in survived:
                why = equivalents.get((file, m["mutator"], m["old"], m["new"]))
                verdict = f"equivalent: {why}" if why else "**survives: needs a test or an explanation**"
                change = f"`{m['old']}` → `{m['new']}`".replace("|", "\\|")
                lines.append(f"| {m['line']} | {m['mutator']} | {change} | {verdict} |")
            survivor_sections.append("\n".join(lines))

    real = totals["compiled"] - totals["equivalent"]
    score = f"{100 * totals['killed'] / real:.1f} %" if real else "n/a"
    version = subprocess.run([str(Path(".venv/bin/pip")), "show", "slither-analyzer"], capture_output=True, text=True).stdout
    version = next((l.split(": ", 1)[1] for l in version.splitlines() if l.startswith("Version:")), "?")
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    report = f"""# Mutation report

Written by `make mutate` ({when}, slither-mutate {version}, {elapsed // 60} min {elapsed % 60} s on this machine).
A mutant is *killed* when a test fails on it and *survives* when every test passes; *equivalent*
survivors behave exactly like the original (listed with the reason in
`docs/mutation-equivalents.txt`) and are left out of the score. Mutants that do not compile
are not counted as mutants. Score = killed / (compiled − equivalent).

| contract | mutants | killed | survived | equivalent | score | did not compile |
|---|---|---|---|---|---|---|
{chr(10).join(rows)}
| **total** | {totals['compiled']} | {totals['killed']} | {totals['survived']} | {totals['equivalent']} | **{score}** | {totals['failed']} |

slither-mutate's mutators: RR (function body replaced by a revert) and CR (statement commented
out) run first, and a line whose RR or CR mutant survives is not mutated further; then operator
replacements (AOR, ASOR, BOR, LOR, ROR, UOR), literals and initialisations (LIR, MVIE, MVIV),
conditions forced true/false (MIA: `if` around a statement, MWA: `while`), FHR (function header:
visibility, mutability) and SBR (Solidity-specific swaps such as `msg.sender`, `block.timestamp`).

## Survivors
{chr(10).join(survivor_sections) if survivor_sections else "None."}
"""
    report_path.write_text(report)
    print(f"mutate: {totals['compiled']} mutants, {totals['killed']} killed, {totals['survived']} survived "
          f"({totals['equivalent']} equivalent), score {score}; written to {report_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
