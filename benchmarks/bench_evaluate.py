"""How long a workshop waits: re-evaluating one indicator, and the whole set, over 100,000 participants.

Run: ``.venv/bin/python benchmarks/bench_evaluate.py [--people 100000] [--repeat 7]``. The frame is
generated directly (vectorised) with the evaluation contract's columns and dtypes as ``load()`` gives
them; 10 indicators (the six in indicators.yaml plus four variants), overall plus 3 groupings by
4 quarters. Aims: one indicator under 50 ms, the whole set under 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

from dpup_eval.agreement.contract import Agreement, default_contract_dir
from dpup_eval.findings.evaluation import evaluate
from dpup_eval.findings.indicators import Indicator, load_indicators


def make_frame(people: int, seed: int = 7) -> pd.DataFrame:
    """Evaluation-contract columns with load()'s dtypes (categories, Int64, strings), made up."""
    rng = np.random.default_rng(seed)
    contract = Agreement.load(default_contract_dir()).for_purpose("evaluation")

    def category(name: str, p: list[float] | None = None) -> pd.Categorical:
        allowed = list(contract.field(name).allowed or ())
        return pd.Categorical.from_codes(rng.choice(len(allowed), people, p=p), categories=allowed)

    def ints(values: np.ndarray, missing: np.ndarray) -> pd.arrays.IntegerArray:
        return pd.arrays.IntegerArray(values.astype(np.int64), missing)

    parent = rng.random(people) < 0.45
    status = category("programme_status", [0.16, 0.58, 0.18, 0.08])
    offered = rng.integers(4, 14, people)
    attended = np.minimum(offered, rng.binomial(offered, 0.7))
    conf_pre = rng.integers(15, 40, people)
    well_pre = rng.integers(5, 30, people)
    goals = rng.integers(1, 6, people)
    completed = np.asarray(status == "completed")
    frame = pd.DataFrame({
        "participant_ref": pd.array([f"P-{i:08X}" for i in range(people)], dtype="string[pyarrow]"),
        "family_ref": pd.array([f"F-{i // 3:08X}" for i in range(people)], dtype="string[pyarrow]"),
        "participant_type": pd.Categorical.from_codes(np.where(parent, 0, 1), categories=["parent", "child"]),
        "age_band": category("age_band"),
        "region": category("region", [0.4, 0.2, 0.23, 0.17]),
        "enrolment_quarter": pd.array(rng.choice(["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"], people), dtype="string[pyarrow]"),
        "programme_status": status,
        "sessions_offered": ints(offered, np.zeros(people, bool)),
        "sessions_attended": ints(attended, np.zeros(people, bool)),
        "confidence_pre": ints(conf_pre, ~parent),
        "confidence_post": ints(np.clip(conf_pre + rng.integers(-4, 10, people), 10, 50), ~parent | ~completed),
        "wellbeing_pre": ints(well_pre, parent),
        "wellbeing_post": ints(np.clip(well_pre + rng.integers(-5, 8, people), 0, 40), parent | ~completed),
        "goals_set": ints(goals, ~parent),
        "goals_achieved": ints(np.minimum(goals, rng.integers(0, 6, people)), ~parent),
    })  # fmt: skip
    frame.index.name = "row"
    return frame


def ten_indicators() -> list[Indicator]:
    contract = Agreement.load(default_contract_dir()).for_purpose("evaluation")
    base = load_indicators(default_contract_dir() / "indicators.yaml", contract).indicators
    extra = [
        base[2].model_copy(update={"id": "confidence_change", "kind": "change", "unit": "points", "target": 3,
                                   "definitions": [base[2].definitions[0].model_copy(update={"threshold": None})]}),
        base[5].model_copy(update={"id": "mean_sessions", "kind": "mean"}),
        base[0].model_copy(update={"id": "finished_count", "kind": "count", "target": None}),
        base[3].model_copy(update={"id": "child_wellbeing_median", "kind": "median", "definitions": [
            base[3].definitions[0].model_copy(update={"pre": None, "post": None, "field": "wellbeing_post"})]}),
    ]  # fmt: skip
    return [*base, *extra]


def timed(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    contract = Agreement.load(default_contract_dir()).for_purpose("evaluation")
    data = make_frame(args.people)
    indicators = ten_indicators()
    by, period = ["region", "participant_type", "age_band"], "enrolment_quarter"
    one = indicators[2]
    moved = one.with_threshold("plus_two", 3)
    evaluate(data, [one], by=by, period=period, contract=contract)  # warm-up (imports, scipy)
    single = timed(lambda: evaluate(data, [moved], by=by, period=period, contract=contract), args.repeat)
    whole = timed(lambda: evaluate(data, indicators, by=by, period=period, contract=contract), args.repeat)
    findings = evaluate(data, indicators, by=by, period=period, contract=contract)
    print(
        f"{args.people:,} participants, {len(indicators)} indicators "
        f"({sum(len(i.definitions) for i in indicators)} definitions), overall + {len(by)} groupings x 4 quarters"
    )
    print(f"  one indicator re-evaluated (threshold moved): median {single * 1000:.1f} ms  (aim < 50 ms)")
    print(f"  whole set:                                    median {whole * 1000:.1f} ms  (aim < 1000 ms)")
    print(f"  findings: {len(findings)} ({sum(f.suppressed for f in findings.findings)} suppressed)")


if __name__ == "__main__":
    main()
