"""The generic journey on both programmes: the demo and the second programme (`second_programme.py`).

Loading, findings, disclosure, notices, access packs and the use register, each run on both programmes
(the `programme_case` fixture); the workshop scenario in the browser is in `test_workshop_browser.py`.
Expected values come from the programme's own files (its settings, contracts and data), never from the
code under test.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from dpup_eval.agreement.programme import Programme
from dpup_eval.cli.app import app
from dpup_eval.errors import DpupEvalError
from dpup_eval.findings.charts import trend_chart
from dpup_eval.findings.evaluation import evaluate_file
from dpup_eval.intake.loading import load
from dpup_eval.rights.access_pack import compile_access, write_access_pack
from dpup_eval.rights.notices import build_notice, readability
from dpup_eval.rights.references import reference_patterns
from dpup_eval.rights.requests import KeyMap, Register
from dpup_eval.rights.uses import UseRegister, UseRegisterError

if TYPE_CHECKING:
    from conftest import ProgrammeCase

GRAIN_LABEL = {"month": r"^\d{4}-\d{2}$", "quarter": r"^\d{4}-Q[1-4]$", "year": r"^\d{4}$"}


def _settings(case: ProgrammeCase) -> dict:
    return yaml.safe_load((case.folder / "programme.yaml").read_text(encoding="utf-8"))


def test_the_programme_loads_with_its_settings(programme_case: ProgrammeCase) -> None:
    raw = _settings(programme_case)
    programme = Programme.load(programme_case.folder)
    assert programme.name == raw["name"]
    assert programme.purposes == sorted(programme_case.data)
    assert [r.id for r in programme.roles] == [r["id"] for r in raw["roles"]]
    assert programme.grain == raw["periods"]["grain"]
    assert programme.children_take_part is raw["children_take_part"]
    assert programme.workshop_purpose() == programme_case.workshop_purpose
    for purpose in programme.purposes:
        assert programme.period_field(purpose) == raw["periods"]["field"][purpose]


@pytest.mark.parametrize("through", ["library", "command"])
def test_each_purpose_s_file_is_accepted_and_every_row_accounted_for(
    programme_case: ProgrammeCase, through: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    programme = Programme.load(programme_case.folder)
    for purpose, file in programme_case.data.items():
        lines = len(file.read_text(encoding="utf-8").splitlines()) - 1  # data lines after the header
        if through == "library":
            report = load(file, programme.for_purpose(purpose), purpose).report
            assert report.accepted and report.rows_read == report.rows_accepted == lines
        else:
            monkeypatch.chdir(programme_case.folder)  # the programme is found in the current folder
            result = CliRunner().invoke(app, ["check", str(file), "--purpose", purpose])
            assert result.exit_code == 0, result.output
            assert f"rows read {lines:,} = accepted {lines:,} + quarantined 0" in result.output


def test_findings_come_by_the_programme_s_own_periods(programme_case: ProgrammeCase) -> None:
    programme = Programme.load(programme_case.folder)
    purpose = programme_case.workshop_purpose
    period = programme.period_field(purpose)
    findings = evaluate_file(programme_case.data[purpose], programme.for_purpose(purpose), purpose,
                             programme.indicators_file(purpose), period=period, period_grain=programme.grain)
    data = pd.read_csv(programme_case.data[purpose], dtype=str)
    assert findings.periods == sorted(data[period].unique())
    assert all(re.match(GRAIN_LABEL[programme.grain], p) for p in findings.periods)
    overall = [f for f in findings.findings if f.period is None]
    assert overall and {f.period_label for f in overall} == {f"All {programme.grain}s"}
    other_grains = {"month", "quarter", "year"} - {programme.grain}
    for f in findings.findings:
        assert not any(re.search(rf"\b(all|the) {g}s?\b", f.sentence, re.I) for g in other_grains), f.sentence
        if f.versus_previous is not None:
            assert f.versus_previous.versus_label == f"the {programme.grain} before"
    # Periods are rows of names on the chart: plotly read "2025-01" as a date and drew a time axis of
    # "00:00:00.005, Jan 1, 1970" (seen on the findings page of a programme counted by month).
    shown = next(f for f in findings.findings if f.period is not None and not f.suppressed)
    chart = trend_chart(findings, shown.indicator, shown.definition)
    assert chart.layout.yaxis.type == "category"


def test_published_numbers_respect_disclosure_control(programme_case: ProgrammeCase) -> None:
    programme = Programme.load(programme_case.folder)
    purpose = programme_case.workshop_purpose
    contract = programme.for_purpose(purpose)
    findings = evaluate_file(programme_case.data[purpose], contract, purpose, programme.indicators_file(purpose),
                             period=programme.period_field(purpose), period_grain=programme.grain)
    rules = findings.rules
    assert any(not f.suppressed for f in findings.findings)
    for f in findings.findings:
        if f.suppressed:
            assert (f.estimate, f.ci_low, f.ci_high, f.n) == (None, None, None, None) and f.reason
            continue
        assert f.n is not None and f.n % rules["rounding_base"] == 0
        floor = rules["minimum_for_mean"] if f.kind in ("mean", "median", "change") else rules["minimum_count"]
        assert f.n >= floor, (f.indicator, f.group, f.period, f.n)
    text = findings.to_json()
    keys = [f.name for f in contract.fields if f.role == "pseudonymous_key"]
    data = pd.read_csv(programme_case.data[purpose], dtype=str)
    assert not any(ref in text for key in keys for ref in data[key].dropna().unique()[:200])


def test_notices_follow_whether_children_take_part(programme_case: ProgrammeCase) -> None:
    programme = Programme.load(programme_case.folder)
    adult = build_notice(programme, "adult")
    assert adult.programme == programme.for_purpose(programme.purposes[0]).programme
    html = adult.to_html()
    assert f'lang="{programme.language}"' in html
    for purpose in programme.purposes:
        assert programme.for_purpose(purpose).recipient in html
    assert readability(adult).meets_target, readability(adult).describe()
    if programme.children_take_part:
        assert "About your information" in build_notice(programme, "child").to_html()
    else:
        with pytest.raises(DpupEvalError, match="no children take part"):
            build_notice(programme, "child")


def test_access_pack_labels_people_by_the_contract_s_quasi_identifiers(
    programme_case: ProgrammeCase, tmp_path: Path
) -> None:
    programme = Programme.load(programme_case.folder)
    register = Register(tmp_path / "requests.sqlite", audit=tmp_path / "audit.jsonl")
    keys = KeyMap.load(programme_case.key_map)
    request = register.new_request(programme_case.provider_ref, date(2025, 11, 3), key_map=keys)
    pack = compile_access(register, request.id, programme, keys, programme_case.data)
    assert pack.found and pack.people
    purpose = programme_case.workshop_purpose
    contract = programme.for_purpose(purpose)
    family_key = next(f.name for f in contract.fields if f.role == "pseudonymous_key" and not f.unique)
    rows = pd.read_csv(programme_case.data[purpose], dtype=str)
    rows = rows[rows[family_key] == keys.refs(programme_case.provider_ref)[purpose]]
    quasi = [f for f in contract.fields if f.role == "quasi_identifier" and f.allowed and not f.multi_value_separator]
    expected = {", ".join(f.label(row[f.name]) for f in quasi) for _, row in rows.iterrows()}
    assert {p.label for p in pack.people} <= expected and len(pack.people) == len(rows)
    written = write_access_pack(pack, tmp_path / "pack")
    audiences = {"adult", "child"} if programme.children_take_part else {"adult"}
    assert {p.name.rsplit("-", 1)[1].removesuffix(".html") for p in written} == audiences
    assert len(written) == len(pack.people) * len(audiences)
    assert all(f'lang="{programme.language}"' in p.read_text(encoding="utf-8") for p in written)


def test_use_register_refuses_every_reference_shape_of_the_programme(
    programme_case: ProgrammeCase, tmp_path: Path
) -> None:
    programme = Programme.load(programme_case.folder)
    references = reference_patterns(programme)
    uses = UseRegister(tmp_path / "uses.sqlite")
    entry = {"used_on": date(2025, 9, 1), "kind": "report", "what": "Annual report", "references": references}
    uses.add(summary="Counts by district and month; nobody named.", **entry)
    checked = 0
    for purpose, file in programme_case.data.items():
        data = pd.read_csv(file, dtype=str)
        for f in programme.for_purpose(purpose).fields:
            if f.role != "pseudonymous_key":
                continue
            ref = data[f.name].dropna().iloc[0]
            for summary in (f"About {ref}.", f"({ref}) did well", f"see {ref.lower()}, page 2"):
                with pytest.raises(UseRegisterError, match="reference"):
                    uses.add(summary=summary, **entry)
            checked += 1
    assert checked == sum(f.role == "pseudonymous_key" for p in programme.purposes for f in
                          programme.for_purpose(p).fields)
    assert [u.summary for u in uses.list()] == ["Counts by district and month; nobody named."]


def test_why_a_reference_of_another_shape_is_refused_too(work_ready, tmp_path: Path) -> None:
    """Issue 9: the register blocked only the demo's `[PFS]-...` shape, so this went through."""
    references = reference_patterns(Programme.load(work_ready.folder))
    with pytest.raises(UseRegisterError, match="client_code"):
        UseRegister(tmp_path / "uses.sqlite").add(used_on=date(2025, 9, 1), kind="report", what="Case note",
                                                  summary="child C00012 did well", references=references)


def test_a_workshop_on_the_programme_s_data_with_its_roles_and_periods(
    programme_case: ProgrammeCase, tmp_path: Path
) -> None:
    """Without a browser: the server's preparation, a page's session, joining, the findings panel, the report."""
    from dpup_eval.workshop.report import workshop_report_html
    from dpup_eval.workshop.server import WorkshopConfig, prepare_workshop
    from dpup_eval.workshop.session import open_session
    from dpup_eval.workshop.widgets_findings import FindingsPanel
    from dpup_eval.workshop.widgets_join import JoinPanel

    raw = _settings(programme_case)
    data = programme_case.data[programme_case.workshop_purpose]
    renamed = tmp_path / "export from the case system.csv"  # any file name
    renamed.write_bytes(data.read_bytes())
    config = WorkshopConfig.resolve(renamed, programme_case.folder, folder=tmp_path / "w", port=8990)
    assert config.purpose == programme_case.workshop_purpose  # the programme's workshop purpose
    prepared = prepare_workshop(config, say=lambda _: None)
    session = open_session({**config.kernel_env(), "DPUP_WORKSHOP_ID": str(prepared["workshop_id"])})
    try:
        contract = session.contract
        keys = {f.name for f in contract.fields if f.role in ("pseudonymous_key", "free_text")}
        assert keys and not keys & set(session.data.columns)  # no references, no one's own words
        assert [(r.id, r.name) for r in session.workshop.roles] == [(r["id"], r["name"]) for r in raw["roles"]]
        join = JoinPanel(session)
        assert [label for label, _ in join.role.options] == [r["name"] for r in raw["roles"]]
        last = raw["roles"][-1]
        join.name.value, join.role.value = "Sam", last["id"]
        join.on_join()
        assert session.participant is not None and session.participant.role == last["id"]
        assert f"({last['name']})" in join.joined.value
        panel = FindingsPanel(session)
        grain = raw["periods"]["grain"]
        assert [label for label, _ in panel.view.options][0] == f"By {grain}"
        page = workshop_report_html(session, panel.findings)
        assert f'lang="{raw["language"]}"' in page and last["name"] in page
        assert "By quarter" not in page or grain == "quarter"
    finally:
        session.store.close()
