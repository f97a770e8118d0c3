"""Print the identifier scanner's recall and false-positive rate per kind, on the tuning corpus and on the
held-out sets.

The corpus (`tests/identifier_corpus.py`) holds identifiers written the way people write them in notes
and stories, and near-misses that must not be flagged; the rules were tuned on it. The held-out sets
(`tests/identifier_heldout.py`: A and B; `tests/identifier_heldout_c.py`: C) were written afterwards by
other procedures and each scored once before any change for it; that first score is printed beside today's.
Run: `.venv/bin/python benchmarks/identifier_recall.py`
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def main() -> None:
    from identifier_corpus import corpus, later_name_cases, name_span_precision, score, table
    from identifier_heldout import FIRST_SCORE, FIRST_SCORE_B, heldout, heldout_b
    from identifier_heldout_c import FIRST_SCORE_C, heldout_c
    from test_identifier_corpus import demo_stories

    cases = corpus(demo_stories())
    started = time.perf_counter()
    scores = score(cases)
    elapsed = time.perf_counter() - started
    print(table(scores))
    print(f"\n{len(cases)} texts scanned in {elapsed:.2f} s (including loading the name lists once)")
    correct, total = name_span_precision(cases)
    print(f"names: {correct} of {total} name spans found cover a real name (precision {correct / total:.1%})")
    later = score(later_name_cases())["name"]
    print(f"names in sentences written after the rules were tuned: {later.caught} of {later.positives} removed, "
          f"{later.flagged} of {later.negatives} near-misses flagged (first scored 23 of 25 and 0 of 25)")
    for kind, s in scores.items():
        for case in s.missed:
            print(f"missed    {kind:8} {case.form}")
        for case in s.false_alarms:
            print(f"flagged   {kind:8} {case.form}")
    _held_table("Held-out set A: first score (before any change) and today's (changed for A since)",
                FIRST_SCORE, score(heldout()))
    _held_table("Held-out set B (written after the changes for A; changed for it since): first score and today's",
                FIRST_SCORE_B, score(heldout_b()))
    _held_table("Held-out set C (pasted tables, text shorthand, te reo and Pacific forms; changed for it since): first score and today's",
                FIRST_SCORE_C, score(heldout_c()))


def _held_table(title: str, first: dict, held: dict) -> None:
    print(f"\n{title}")
    print("| kind | first: caught | recall | flagged | false-positive rate | today: caught | recall | flagged "
          "| false-positive rate |")
    print("|---|---|---|---|---|---|---|---|---|")
    for kind, s in held.items():
        (caught, positives), (flagged, negatives) = first[kind]
        print(f"| {kind} | {caught} of {positives} | {caught / positives:.1%} | {flagged} of {negatives} "
              f"| {flagged / negatives:.1%} | {s.caught} of {s.positives} | {s.recall:.1%} | {s.flagged} of "
              f"{s.negatives} | {s.false_positive_rate:.1%} |")
    first_caught = sum(v[0][0] for v in first.values())
    first_positives = sum(v[0][1] for v in first.values())
    first_flagged = sum(v[1][0] for v in first.values())
    first_negatives = sum(v[1][1] for v in first.values())
    print(f"| all | {first_caught} of {first_positives} | {first_caught / first_positives:.1%} | {first_flagged} of "
          f"{first_negatives} | {first_flagged / first_negatives:.1%} | {sum(s.caught for s in held.values())} of "
          f"{sum(s.positives for s in held.values())} | | {sum(s.flagged for s in held.values())} of "
          f"{sum(s.negatives for s in held.values())} | |")
    for kind, s in held.items():
        for case in s.missed:
            print(f"held-out missed  {kind:8} {case.form}")
        for case in s.false_alarms:
            print(f"held-out flagged {kind:8} {case.form}")


if __name__ == "__main__":
    main()
