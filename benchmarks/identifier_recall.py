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
    from identifier_corpus import corpus, score, table
    from test_identifier_corpus import demo_stories

    cases = corpus(demo_stories())
    started = time.perf_counter()
    scores = score(cases)
    elapsed = time.perf_counter() - started
    print(table(scores))
    print(f"\n{len(cases)} texts scanned in {elapsed:.2f} s (including loading the name lists once)")
    for kind, s in scores.items():
        for case in s.missed:
            print(f"missed    {kind:8} {case.form}")
        for case in s.false_alarms:
            print(f"flagged   {kind:8} {case.form}")


if __name__ == "__main__":
    main()
