#!/usr/bin/env python3
"""Per-contract line and branch coverage from forge's lcov, with the uncovered lines listed, and
whether each contract meets the target (95 % of lines and branches).

Usage: coverage_summary.py <lcov.info> [target percent]
"""

import sys
from collections import defaultdict
from pathlib import Path


def parse(path: Path) -> dict[str, dict]:
    files: dict[str, dict] = {}
    current = None
    for line in path.read_text().splitlines():
        if line.startswith("SF:"):
            current = files.setdefault(line[3:], {"lines": {}, "branches": {}})
        elif current is None:
            continue
        elif line.startswith("DA:"):
            n, hits = line[3:].split(",")[:2]
            current["lines"][int(n)] = current["lines"].get(int(n), 0) + int(hits)
        elif line.startswith("BRDA:"):
            n, block, branch, taken = line[5:].split(",")
            key = (int(n), block, branch)
            hit = taken not in ("-", "0")
            current["branches"][key] = current["branches"].get(key, False) or hit
        elif line == "end_of_record":
            current = None
    return files


def pct(hit: int, total: int) -> float:
    return 100.0 * hit / total if total else 100.0


def main() -> int:
    files = parse(Path(sys.argv[1]))
    target = float(sys.argv[2]) if len(sys.argv) > 2 else 95.0
    print(f"{'contract':<52} {'lines':>16} {'branches':>16}")
    below, uncovered = [], defaultdict(list)
    totals = [0, 0, 0, 0]
    for name in sorted(files):
        lines, branches = files[name]["lines"], files[name]["branches"]
        lh, lt = sum(1 for h in lines.values() if h), len(lines)
        bh, bt = sum(1 for h in branches.values() if h), len(branches)
        totals = [totals[0] + lh, totals[1] + lt, totals[2] + bh, totals[3] + bt]
        mark = "" if pct(lh, lt) >= target and pct(bh, bt) >= target else "  < target"
        if mark:
            below.append(name)
        print(f"{name:<52} {pct(lh, lt):6.1f} % {lh:>3}/{lt:<3} {pct(bh, bt):6.1f} % {bh:>3}/{bt:<3}{mark}")
        uncovered[name] = sorted({n for n, h in lines.items() if not h} | {n for (n, _, _), h in branches.items() if not h})
    print(f"{'total':<52} {pct(totals[0], totals[1]):6.1f} % {totals[0]:>3}/{totals[1]:<3} "
          f"{pct(totals[2], totals[3]):6.1f} % {totals[2]:>3}/{totals[3]:<3}")
    for name, lines in uncovered.items():
        if lines:
            print(f"uncovered in {name}: lines {', '.join(map(str, lines))}")
    if below:
        print(f"below the {target:.0f} % target: {', '.join(below)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
