"""The vectorised rules (intake/value_checks.py) answer exactly as Great Expectations does.

Columns with very many distinct values and keys are checked vectorised instead of by GX. GX is the
oracle here: the same specs on the same values go through GX (`many=None`) and through the
vectorised path (`many=0`), and every rule's failing rows and success must be the same. The edge
cases are picked where the two could differ (partial regex matches, nulls, lengths in characters,
bounds, impossible dates, keys with blanks), and a few answers are also checked by hand.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from dpup_eval.agreement.contract import Contract, contract_for, default_contract_dir
from dpup_eval.intake import gx_engine
from dpup_eval.intake.reading import read_table
from dpup_eval.intake.specs import CheckSpec, build_specs
from dpup_eval.intake.values import ColumnValues, factorize

TEXT = pd.ArrowDtype(pa.string())


def _values(frame: pd.DataFrame, contract: Contract) -> dict[str, ColumnValues]:
    return {f.name: factorize(frame[f.name], f) for f in contract.fields if f.name in frame.columns}


def _both(specs: list[CheckSpec], values: dict[str, ColumnValues], rows: int):
    by_gx = gx_engine.run_specs(specs, values, rows, many=None)
    vectorised = gx_engine.run_specs(specs, values, rows, many=0)
    assert {o.engine for o in by_gx} == {"great_expectations"}
    assert {o.engine for o in vectorised} == {"vectorised"}
    assert [o.spec.key for o in by_gx] == [o.spec.key for o in vectorised]
    return by_gx, vectorised


def _assert_same(by_gx, vectorised) -> None:
    for a, b in zip(by_gx, vectorised, strict=True):
        assert a.expectation == b.expectation, a.spec.key
        assert a.success == b.success, a.spec.key
        assert np.array_equal(a.failing_rows, b.failing_rows), (
            a.spec.key, np.flatnonzero(a.failing_rows).tolist(), np.flatnonzero(b.failing_rows).tolist())


@pytest.mark.parametrize("purpose", ["evaluation", "service_reporting"])
def test_vectorised_rules_answer_as_gx_on_the_messy_demo(messy_dir: Path, purpose: str) -> None:
    contract = contract_for(default_contract_dir(), purpose)
    frame = read_table(messy_dir / f"{purpose}.csv", expected=contract.field_names).frame
    values = _values(frame, contract)
    by_gx, vectorised = _both(build_specs(contract), values, len(frame))
    _assert_same(by_gx, vectorised)
    assert sum(not o.success for o in by_gx) >= 2  # the messy files break rules: not a vacuous match


EDGES = {
    # Matches, a partial match GX's search accepts, blank, a lower-case near miss, a repeat (key).
    "participant_ref": ["P-0000000A", "xP-0000000B", None, "p-0000000c", "P-0000000A", "P-0000000D",
                        "P-0000000E", "P-0000000F", "P-00000010", "P-00000011"],
    "family_ref": ["F-0000000A", "F-0000000A", "F-0000000B", None, "F-0000000C", "F-0000000C ",
                   "F-0000000D", "F-0000000E", "F-0000000F", "F-00000010"],
    # A category, its wrong case, blank, and an unknown one.
    "region": ["Auckland", "auckland", None, "Otago", "Waikato", "Wellington", "Canterbury", "Auckland",
               "Waikato", "Waikato"],
    "ethnic_groups": ["Māori", "Māori;Asian", "Maori", "Asian;;European", None, "European", "Asian",
                      "Not stated", "Pacific Peoples", "Other ethnicity"],
    # Real dates, an impossible one, no zero padding (strptime accepts it), a date before the minimum.
    "enrolment_date": ["2025-01-05", "2025-02-30", "2025-1-5", "2023-12-31", None, "2024-01-01", "2025-03-01",
                       "2025-13-01", "20250105", "2025-06-30"],
    "exit_date": ["2025-01-04", "2025-03-01", None, "2024-01-01", "2025-01-01", "2023-12-31", None,
                  "2025-02-01", "2025-07-01", "2025-06-30"],
    # Whole numbers at and beyond the bounds, a decimal whole number, not a number, blank.
    "sessions_offered": ["40", "41", "0", "-1", "12.0", "twelve", None, "10", "10", "5"],
    "sessions_attended": ["41", "40", "1", "0", "12", "3", "2", "11", None, "5"],
    # Lengths in characters: macrons count once.
    "feedback": ["ā" * 600, "ā" * 601, "a" * 600, "a" * 601, None, "", "ok", "fine", "good", "great"],
}


def test_vectorised_rules_answer_as_gx_on_edge_cases() -> None:
    contract = contract_for(default_contract_dir(), "evaluation")
    frame = pd.DataFrame({name: pd.Series(cells, dtype=TEXT) for name, cells in EDGES.items()})
    values = _values(frame, contract)
    specs = [s for s in build_specs(contract) if all(c in frame.columns for c in s.columns)]
    by_gx, vectorised = _both(specs, values, len(frame))
    _assert_same(by_gx, vectorised)
    failing = {o.spec.key: np.flatnonzero(o.failing_rows).tolist() for o in vectorised}
    # By hand, from the values above (rows counted from 0):
    assert failing["participant_ref.pattern"] == [1, 3]  # the pattern is anchored ("^P-"): "xP-" fails
    assert failing["participant_ref.required"] == [2]
    assert failing["participant_ref.unique"] == [0, 4]
    assert failing["region.allowed"] == [1, 3]
    assert failing["enrolment_date.type"] == [1, 7, 8]
    assert failing["enrolment_date.range"] == [3]
    assert failing["sessions_offered.range"] == [1, 3]
    assert failing["sessions_offered.type"] == [5]
    assert failing["rule.attended_within_offered"] == [0, 2, 3, 7]  # a blank on either side is skipped
    assert failing["feedback.length"] == [1, 3]


def test_compound_keys_with_blanks_answer_as_gx() -> None:
    """Keys over two columns: rows blank in every key column are skipped, otherwise a blank is a value."""
    contract = contract_for(default_contract_dir(), "evaluation")
    frame = pd.DataFrame({
        "family_ref": pd.Series(["F-1", "F-1", None, None, "F-2", None, "F-3"], dtype=TEXT),
        "region": pd.Series(["Auckland", "Auckland", "Waikato", "Waikato", None, None, None], dtype=TEXT),
    })
    values = _values(frame, contract)
    spec = CheckSpec("family_ref + region.unique", "duplicate-key", "unique", ("family_ref", "region"), "rows",
                     "family_ref + region must not repeat")
    by_gx, vectorised = _both([spec], values, len(frame))
    _assert_same(by_gx, vectorised)
    assert np.flatnonzero(vectorised[0].failing_rows).tolist() == [0, 1, 2, 3]  # row 5 is blank in both: skipped
