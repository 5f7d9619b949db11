#!/usr/bin/env python3
"""The slither gate of `make lint`: fails on any high or medium finding in contracts/ (mocks
excluded) that docs/slither-triage.txt does not list, and on triage lines that no longer match
a finding (so the file never vouches for code that has changed).

A finding is named by its detector and slither's description with the source locations removed,
so moving code does not invalidate a triage line but changing the flagged code does.

Usage: slither_gate.py <slither --json report> <triage file>
"""

import json
import re
import sys
from collections import Counter
from pathlib import Path

GATED_IMPACTS = ("High", "Medium")
SCOPE = re.compile(r"^contracts/(?!mocks/)")
VERDICTS = ("false positive", "accepted risk", "fixed")
LOCATION = re.compile(r" \([^()\s]+\.sol#\d+(?:-\d+)?\)")


def finding_key(result: dict) -> str:
    """Detector, then the description's first line and its top-level items, without locations."""
    lines = result["description"].rstrip("\n").split("\n")
    parts = [lines[0]] + [line.strip() for line in lines[1:] if line.startswith("\t- ")]
    return LOCATION.sub("", " ".join(parts)).strip()


def in_scope(result: dict) -> bool:
    return any(
        SCOPE.match(el.get("source_mapping", {}).get("filename_relative", ""))
        for el in result.get("elements", [])[:1]
    )


def read_triage(path: Path) -> dict[tuple[str, str], str]:
    """`check | finding | verdict | why`, one finding per line; `#` starts a comment line."""
    triage = {}
    for n, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = [f.strip() for f in line.split(" | ", 3)]
        if len(fields) != 4 or not fields[3]:
            sys.exit(f"{path}:{n}: expected `check | finding | verdict | why`")
        check, finding, verdict, _why = fields
        if verdict not in VERDICTS:
            sys.exit(f"{path}:{n}: verdict must be one of {', '.join(VERDICTS)}, not '{verdict}'")
        triage[(check, finding)] = verdict
    return triage


def main() -> int:
    report_path, triage_path = Path(sys.argv[1]), Path(sys.argv[2])
    report = json.loads(report_path.read_text())
    if not report.get("success"):
        print(f"slither gate: slither failed: {report.get('error')}", file=sys.stderr)
        return 1
    results = [r for r in report.get("results", {}).get("detectors", []) if in_scope(r)]
    triage = read_triage(triage_path)

    gated = [r for r in results if r["impact"] in GATED_IMPACTS]
    untriaged = [r for r in gated if (r["check"], finding_key(r)) not in triage]
    seen = {(r["check"], finding_key(r)) for r in gated}
    stale = [key for key in triage if key not in seen]

    by_impact = Counter(r["impact"] for r in results)
    summary = ", ".join(f"{by_impact[i]} {i.lower()}" for i in ("High", "Medium", "Low", "Informational"))
    print(f"slither gate: contracts/ (mocks excluded): {summary}; {len(gated) - len(untriaged)} triaged")

    for r in untriaged:
        print(f"\nUNTRIAGED {r['impact']} {r['check']} at {r['first_markdown_element']}", file=sys.stderr)
        print(r["description"].rstrip(), file=sys.stderr)
        print(f"  fix it, or add to {triage_path}:\n  {r['check']} | {finding_key(r)} | <verdict> | <why>", file=sys.stderr)
    for check, finding in stale:
        print(f"\nSTALE triage line (slither no longer reports it; remove it): {check} | {finding}", file=sys.stderr)
    if untriaged or stale:
        print(f"\nslither gate: {len(untriaged)} untriaged, {len(stale)} stale", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
