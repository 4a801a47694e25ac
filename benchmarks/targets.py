"""The benchmarks' common parts: the repository's demo inputs, and the ending (the timed stages
against their targets, printed and saved as JSON)."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_DIR = ROOT / "data" / "demo"
SCENARIO_DIR = ROOT / "scenarios"


def report(rows: list[dict], path: Path) -> bool:
    """Print ``rows`` and write them to ``path``; True when every target is met.

    A row has a ``stage`` and a ``target`` (seconds, or None) and optionally ``seconds``
    (the median), ``min`` (the fastest of the repeats) and ``ratio``.
    """
    met = True
    print(f"{'stage':58} {'seconds':>9} {'min s':>7} {'ratio':>7} {'target':>9}  result")
    for row in rows:
        seconds, target = row.get("seconds"), row.get("target")
        passed = target is None or seconds <= target
        met &= passed
        cells = [f"{seconds:.2f}" if seconds is not None else "", f"{row['min']:.2f}" if row.get("min") else "",
                 f"{row['ratio']:.2f}×" if row.get("ratio") else "", f"≤ {target:g} s" if target else ""]
        verdict = "" if target is None else "pass" if passed else "MISS"
        print(f"{row['stage']:58} {cells[0]:>9} {cells[1]:>7} {cells[2]:>7} {cells[3]:>9}  {verdict}")
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")
    return met
