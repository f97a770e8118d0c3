"""Print the identifier scanner's recall and false-positive rate per kind on the test corpus.

The corpus (`tests/identifier_corpus.py`) holds identifiers written the way people write them in notes
and stories, and near-misses that must not be flagged. Run: `.venv/bin/python benchmarks/identifier_recall.py`
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def main() -> None:
    from identifier_corpus import corpus, later_name_cases, name_span_precision, score, table
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


if __name__ == "__main__":
    main()
