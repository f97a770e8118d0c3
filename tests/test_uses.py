"""The use register: what the information was used for, listed and exported for the Board."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from dpup_eval.agreement.contract import Agreement
from dpup_eval.rights.references import ReferencePattern, reference_patterns
from dpup_eval.rights.uses import UseRegister, UseRegisterError, uses_csv, uses_html, uses_text

PAYLOAD = "<script>alert('x')</script>"


class Uses:
    """The register with the demo programme's reference patterns filled in (as the command line does)."""

    def __init__(self, register: UseRegister, references: list[ReferencePattern]):
        self.register, self.references = register, references

    def add(self, **entry: object):
        return self.register.add(references=self.references, **entry)  # type: ignore[arg-type]

    def __getattr__(self, name: str) -> object:
        return getattr(self.register, name)


@pytest.fixture
def uses(tmp_path: Path, agreement: Agreement) -> Uses:
    return Uses(UseRegister(tmp_path / "uses.sqlite"), reference_patterns(agreement))


def test_add_list_and_filter(uses: Uses) -> None:
    first = uses.add(used_on=date(2025, 9, 1), kind="advice", what="Advice on extending the programme",
                     summary="Whānau who came to most sessions reported more confidence.", purpose="evaluation",
                     data_used=["confidence_pre", "confidence_post"], findings=["Confidence rose by 4 points"],
                     recorded_by="Agency evaluation team")
    uses.add(used_on=date(2025, 10, 1), kind="funding", what="Quarterly payment confirmed",
             summary="Sessions were delivered as agreed.", purpose="service_reporting")
    assert [u.id for u in uses.list()] == [2, first.id]  # newest first
    assert [u.what for u in uses.list(purpose="evaluation")] == ["Advice on extending the programme"]
    assert [u.id for u in uses.list(since=date(2025, 9, 15))] == [2]
    assert uses.get(first.id).findings == ["Confidence rose by 4 points"]
    text = uses_text(uses.list())
    assert "Advice on extending" in text and "findings: Confidence rose" in text
    assert uses_text([]) == "No uses recorded."


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"kind": "gossip"}, "kind must be one of"),
    ({"what": "  "}, "say what"),
    ({"summary": "About whānau F-1A2B3C4D"}, "reference"),
])
def test_bad_entries_are_refused(uses: Uses, kwargs: dict[str, str], match: str) -> None:
    entry = {"used_on": date(2025, 9, 1), "kind": "report", "what": "Annual report", "summary": "Counts by region."}
    with pytest.raises(UseRegisterError, match=match):
        uses.add(**(entry | kwargs))  # type: ignore[arg-type]
    with pytest.raises(UseRegisterError, match="no use number"):
        uses.get(7)


def test_exports_escape_what_people_typed(uses: Uses) -> None:
    uses.add(used_on=date(2025, 9, 1), kind="report", what=f"Board paper {PAYLOAD}", summary=f"Te reo: whānau {PAYLOAD}",
             findings=[PAYLOAD], data_used=["region"])
    page = uses_html(uses.list(), provider="A provider", programme="A programme")
    assert "<script" not in page and page.count("&lt;script&gt;") == 3
    assert "whānau" in page and "@media print" in page and "http" not in page
    rows = list(csv.DictReader(io.StringIO(uses_csv(uses.list()))))
    assert rows[0]["what"] == f"Board paper {PAYLOAD}" and rows[0]["data_used"] == "region"
    assert "No uses have been recorded yet." in uses_html([], provider="A provider", programme="A programme")
