"""The demo data: valid for its contracts, realistic, safe to publish, deterministic, and (with messy) an
answer key whose every entry is a real problem and whose problems are the only ones in the files."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

import nhi as python_nhi
import numpy as np
import pandas as pd
import phonenumbers
import pytest
import yaml
from stdnum.nz import ird

from dpup_eval.demo.generator import (
    EVALUATION_COLUMNS,
    SERVICE_REPORTING_COLUMNS,
    DemoFiles,
    DemoOptions,
    generate_demo,
    write_demo_data,
)

CONTRACTS = Path(__file__).resolve().parents[1] / "data_contracts" / "best_foot_forward"
FILES = ("evaluation", "service_reporting")
SCHEMA_CODES = {
    "blank-required", "invalid-type", "out-of-range", "invalid-date", "pattern-mismatch",
    "unknown-category", "duplicate-key", "quality-rule",
}  # fmt: skip
IDENTIFIER_CODES = {f"identifier-{kind}" for kind in ("nhi", "ird", "phone", "email", "address", "dob")}
REQUIRED_EVALUATION_CODES = SCHEMA_CODES | IDENTIFIER_CODES | {"unexpected-column", "malformed-line"}
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"


# --- helpers: the contract, the files as text, a small independent checker --------------------------


def load_schema(name: str) -> dict:
    contract = yaml.safe_load((CONTRACTS / f"{name}.odcs.yaml").read_text(encoding="utf-8"))
    return contract["schema"][0]


def read_lines(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and data lines as the csv module reads them (every field as written)."""
    with path.open(encoding="utf-8", newline="") as handle:
        header, *lines = list(csv.reader(handle))
    return header, lines


def as_records(header: list[str], lines: list[list[str]]) -> list[dict[str, str]]:
    """One dict per data line; an empty one for a malformed line, so positions stay line numbers."""
    return [dict(zip(header, line, strict=True)) if len(line) == len(header) else {} for line in lines]


def read_frame(path: Path) -> pd.DataFrame:
    """The well-formed data lines as text (nothing parsed), indexed by line number from 1."""
    header, lines = read_lines(path)
    numbered = {number: line for number, line in enumerate(lines, start=1) if len(line) == len(header)}
    return pd.DataFrame(list(numbered.values()), index=list(numbered), columns=header, dtype=object)


# The contract's rules, each kind checked with plain pandas, independently of dpup_eval's checker. A key
# the contracts use that is not listed here fails `test_every_rule_the_contracts_declare_is_checked`, so
# a rule kind can never be silently ignored. Each check gives a mask of the rows breaking the rule.
PROPERTY_KEYS = {"name", "businessName", "description", "logicalType", "logicalTypeOptions", "physicalType",
                 "required", "unique", "primaryKey", "primaryKeyPosition", "enum", "customProperties",
                 "examples", "tags", "classification"}  # fmt: skip
OPTION_KEYS = {"minimum", "maximum", "pattern", "maxLength", "minLength", "format"}
TYPES = {"string", "integer", "number", "boolean", "date"}
QUALITY_KINDS = {"field_order", "duplicateValues", "text"}
NUMBER_TEXT = r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?"


def _custom(prop: dict, name: str) -> object:
    return next((c["value"] for c in prop.get("customProperties", []) if c["property"] == name), None)


def typed(column: pd.Series, kind: str) -> pd.Series:
    """Text as the type the contract declares; what does not read as that type becomes missing."""
    text = column.str.strip()
    if kind == "integer":
        return pd.to_numeric(text.where(text.str.fullmatch(r"[-+]?\d+")), errors="coerce")
    if kind == "number":
        numbers = pd.to_numeric(text.where(text.str.fullmatch(NUMBER_TEXT)), errors="coerce")
        return numbers.where(np.isfinite(numbers))
    if kind == "boolean":
        return text.str.lower().map({"true": True, "false": False})
    if kind == "date":
        return pd.to_datetime(text.where(text.str.fullmatch(r"\d{4}-\d{2}-\d{2}")), format="%Y-%m-%d",
                              errors="coerce")  # fmt: skip
    return column


def _bound(value: object, kind: str) -> object:
    return pd.Timestamp(str(value)) if kind == "date" else value


def field_breaks(column: pd.Series, prop: dict) -> dict[str, pd.Series]:
    """Masks of the rows breaking each rule of one field, by problem code."""
    kind, options = prop.get("logicalType", "string"), prop.get("logicalTypeOptions", {})
    blank = column == ""
    value = typed(column, kind)
    present = ~blank
    masks = {"blank-required": blank if prop.get("required") else blank & False}
    unreadable = present & value.isna()
    masks["invalid-date" if kind == "date" else "invalid-type"] = unreadable
    readable = present & ~unreadable
    out_of_range = pd.Series(False, index=column.index)
    if "minimum" in options:
        out_of_range |= readable & (value < _bound(options["minimum"], kind)).fillna(False).astype(bool)
    if "maximum" in options:
        out_of_range |= readable & (value > _bound(options["maximum"], kind)).fillna(False).astype(bool)
    if "maxLength" in options:
        out_of_range |= present & (column.str.len() > options["maxLength"])
    if "minLength" in options:
        out_of_range |= present & (column.str.len() < options["minLength"])
    masks["out-of-range"] = out_of_range
    if "pattern" in options:
        masks["pattern-mismatch"] = present & ~column.str.contains(options["pattern"], regex=True)
    if "enum" in prop:
        allowed = {str(item["value"]) for item in prop["enum"]}
        separator = _custom(prop, "multiValueSeparator")
        parts = column.str.split(separator, regex=False) if separator else column.map(lambda v: [v])
        masks["unknown-category"] = present & parts.map(
            lambda ps: not set(ps) <= allowed or len(set(ps)) != len(ps)
        )
    return masks


def contract_breaks(frame: pd.DataFrame, schema: dict) -> set[tuple[str, str, int]]:
    """(code, column, line) for every way the lines break the contract's declared rules."""
    found: set[tuple[str, str, int]] = set()
    props = {p["name"]: p for p in schema["properties"]}
    for name, prop in props.items():
        column = frame[name] if name in frame else pd.Series("", index=frame.index)
        for code, mask in field_breaks(column.astype(object), prop).items():
            found |= {(code, name, int(line)) for line in frame.index[mask.to_numpy(dtype=bool)]}
    keys = sorted((p for p in props.values() if p.get("primaryKey")), key=lambda p: p["primaryKeyPosition"])
    together = [[p["name"] for p in keys]] if keys else []
    together += [[p["name"]] for p in props.values() if p.get("unique")]
    for rule in schema.get("quality", []):
        kind = rule.get("implementation", {}).get("rule") or rule.get("metric")
        if kind == "duplicateValues":
            together.append(list(rule["arguments"]["properties"]))
        elif kind == "field_order":
            left, right = rule["implementation"]["left"], rule["implementation"]["right"]
            a = typed(frame[left], props[left].get("logicalType", "string"))
            b = typed(frame[right], props[right].get("logicalType", "string"))
            broken = {"<=": a > b, ">=": a < b, "<": a >= b, ">": a <= b}[rule["implementation"]["op"]]
            broken = broken.fillna(False).astype(bool) & a.notna() & b.notna()
            found |= {("quality-rule", left, int(line)) for line in frame.index[broken.to_numpy()]}
    for columns in together:
        repeated = frame.duplicated(subset=columns, keep=False)
        found |= {("duplicate-key", " + ".join(columns), int(line)) for line in frame.index[repeated.to_numpy()]}
    return found


def identifier_findings(records: list[dict[str, str]]) -> set[tuple[str, str, int]]:
    """NZ identifiers in the feedback column, each confirmed the way a careful scanner would."""
    found = set()
    for line, record in enumerate(records, start=1):
        story = record.get("feedback", "")
        for nhi in re.findall(r"\b[A-HJ-NP-Z]{3}\d{4}\b", story):
            if nhi_valid(nhi):
                found.add(("identifier-nhi", "feedback", line))
        for number in re.findall(r"\b\d{2,3}[- ]?\d{3}[- ]?\d{3}\b", story):
            if ird.is_valid(number):
                found.add(("identifier-ird", "feedback", line))
        if any(True for _ in phonenumbers.PhoneNumberMatcher(story, "NZ")):
            found.add(("identifier-phone", "feedback", line))
        if re.search(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", story):
            found.add(("identifier-email", "feedback", line))
        if re.search(
            r"\b\d+[A-Za-z]? [A-ZĀĒĪŌŪ]\w+ (Street|Road|Avenue|Crescent|Place|Drive|Lane|Terrace)\b", story
        ):
            found.add(("identifier-address", "feedback", line))
        if re.search(rf"\b\d{{1,2}} ({MONTHS}) (19|20)\d\d\b|\b\d{{1,2}}/\d{{1,2}}/\d{{4}}\b", story):
            found.add(("identifier-dob", "feedback", line))
    return found


def nhi_valid(nhi: str) -> bool:
    """The Ministry of Health's NHI validation routine, as the maintained python-nhi implements it."""
    return python_nhi.is_nhi(nhi, allow_test_values=True)


def manifest_findings(problems: list[dict], file: str, codes: set[str]) -> set[tuple[str, str, int]]:
    return {
        (p["code"], p["column"], row)
        for p in problems
        if p["file"] == file and p["code"] in codes
        for row in p["rows"]
    }


# --- the independent checks can fail, on every rule kind -------------------------------------------


def test_every_rule_the_contracts_declare_is_checked() -> None:
    """A contract key or rule kind the checks above do not know fails here instead of being ignored."""
    for path in sorted(CONTRACTS.glob("*.odcs.yaml")):
        for schema in yaml.safe_load(path.read_text(encoding="utf-8"))["schema"]:
            for prop in schema["properties"]:
                assert set(prop) <= PROPERTY_KEYS, (path.name, prop["name"], set(prop) - PROPERTY_KEYS)
                assert prop.get("logicalType", "string") in TYPES, (path.name, prop["name"])
                options = set(prop.get("logicalTypeOptions", {}))
                assert options <= OPTION_KEYS, (path.name, prop["name"], options - OPTION_KEYS)
            for rule in schema.get("quality", []):
                kind = rule.get("implementation", {}).get("rule") or rule.get("metric") or rule.get("type")
                assert kind in QUALITY_KINDS, (path.name, rule.get("name"), kind)


def _prop(name: str, kind: str, required: bool = False, **options: object) -> dict:
    return {"name": name, "logicalType": kind, "required": required, "logicalTypeOptions": options}


RULE_KINDS_SCHEMA = {
    "properties": [
        {**_prop("ref", "string", True, pattern="^R-[0-9]{2}$", maxLength=4), "primaryKey": True,
         "primaryKeyPosition": 1},
        _prop("score", "number", minimum=0.5, maximum=9.5),
        _prop("consented", "boolean", True),
        _prop("started", "date", True, minimum="2024-01-01", maximum="2025-12-31"),
        _prop("ended", "date"),
        _prop("visits", "integer", minimum=0, maximum=12),
        _prop("note", "string", minLength=2),
        {"name": "groups", "logicalType": "string", "enum": [{"value": "a"}, {"value": "b"}],
         "customProperties": [{"property": "multiValueSeparator", "value": ";"}]},
    ],
    "quality": [{"type": "custom", "engine": "dpup_eval",
                 "implementation": {"rule": "field_order", "left": "ended", "op": ">=", "right": "started"}}],
}  # fmt: skip
RULE_KINDS_ROWS = [
    # ref,   score,  consented, started,      ended,        visits, note, groups     line: what is wrong
    ["R-01", "0.5",  "true",    "2024-01-01", "2025-12-31", "0",    "ok", "a"],    # 1: nothing (edges)
    ["R-02", "9.5",  "FALSE",   "2025-12-31", "",           "12",   "",   "a;b"],  # 2: nothing (edges)
    ["R-03", "9.51", "false",   "2024-02-01", "",           "3",    "",   ""],     # 3: number over maximum
    ["R-04", "0.49", "true",    "2024-02-01", "",           "3",    "",   ""],     # 4: number under minimum
    ["R-05", "1,5",  "true",    "2024-02-01", "",           "3",    "",   ""],     # 5: not a number
    ["R-06", "inf",  "true",    "2024-02-01", "",           "3",    "",   ""],     # 6: not a finite number
    ["R-07", "2",    "maybe",   "2024-02-01", "",           "3",    "",   ""],     # 7: not a boolean
    ["R-08", "2",    "",        "2024-02-01", "",           "3",    "",   ""],     # 8: boolean required
    ["R-09", "2",    "true",    "2026-01-01", "",           "3",    "",   ""],     # 9: date after maximum
    ["R-10", "2",    "true",    "2023-12-31", "",           "3",    "",   ""],     # 10: date before minimum
    ["R-11", "2",    "true",    "2024-02-30", "",           "3",    "",   ""],     # 11: no such date
    ["R-12", "2",    "true",    "2024-02-01", "2024-01-31", "3",    "",   ""],     # 12: ended before started
    ["R-13", "2",    "true",    "2024-02-01", "",           "13",   "",   ""],     # 13: integer over maximum
    ["R-14", "2",    "true",    "2024-02-01", "",           "2.5",  "",   ""],     # 14: not an integer
    ["R-15", "2",    "true",    "2024-02-01", "",           "3",    "x",  ""],     # 15: text too short
    ["R-16", "2",    "true",    "2024-02-01", "",           "3",    "",   "a;c"],  # 16: unknown category
    ["R-16", "2",    "true",    "2024-02-01", "",           "3",    "",   "a;a"],  # 17: key again, repeat
    ["R-1",  "2",    "true",    "2024-02-01", "",           "3",    "",   ""],     # 18: pattern
    ["R-190", "2",   "true",    "2024-02-01", "",           "3",    "",   ""],     # 19: pattern, too long
]  # fmt: skip


def test_the_independent_checks_find_every_kind_of_broken_rule() -> None:
    """Counted by hand from the rows above: number, boolean and date bounds included."""
    header = [p["name"] for p in RULE_KINDS_SCHEMA["properties"]]
    frame = pd.DataFrame(RULE_KINDS_ROWS, columns=header, index=range(1, len(RULE_KINDS_ROWS) + 1))
    assert contract_breaks(frame, RULE_KINDS_SCHEMA) == {
        ("out-of-range", "score", 3), ("out-of-range", "score", 4),
        ("invalid-type", "score", 5), ("invalid-type", "score", 6),
        ("invalid-type", "consented", 7), ("blank-required", "consented", 8),
        ("out-of-range", "started", 9), ("out-of-range", "started", 10), ("invalid-date", "started", 11),
        ("quality-rule", "ended", 12),
        ("out-of-range", "visits", 13), ("invalid-type", "visits", 14),
        ("out-of-range", "note", 15),
        ("unknown-category", "groups", 16), ("unknown-category", "groups", 17),
        ("duplicate-key", "ref", 16), ("duplicate-key", "ref", 17),
        ("pattern-mismatch", "ref", 18), ("pattern-mismatch", "ref", 19), ("out-of-range", "ref", 19),
    }  # fmt: skip


# --- fixtures ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    return write_demo_data(tmp_path_factory.mktemp("clean"))


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    return write_demo_data(tmp_path_factory.mktemp("messy"), DemoOptions(messy=True))


@pytest.fixture(scope="module")
def manifest(messy: DemoFiles) -> dict:
    assert messy.manifest is not None
    return json.loads(messy.manifest.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def evaluation(clean: DemoFiles) -> pd.DataFrame:
    return pd.read_csv(clean.evaluation, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def service(clean: DemoFiles) -> pd.DataFrame:
    return pd.read_csv(clean.service_reporting, dtype=str, keep_default_na=False)


def numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(frame[column].replace("", None)).astype("Int64")


# --- the clean files --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_columns_are_the_contract_properties_in_order(clean: DemoFiles, name: str) -> None:
    header, _ = read_lines(getattr(clean, name))
    expected = [p["name"] for p in load_schema(name)["properties"]]
    assert header == expected
    assert (
        tuple(expected)
        == {"evaluation": EVALUATION_COLUMNS, "service_reporting": SERVICE_REPORTING_COLUMNS}[name]
    )


@pytest.mark.parametrize("name", FILES)
def test_every_value_is_valid_for_the_contract(clean: DemoFiles, name: str) -> None:
    header, lines = read_lines(getattr(clean, name))
    assert all(len(line) == len(header) for line in lines)
    assert contract_breaks(read_frame(getattr(clean, name)), load_schema(name)) == set()


@pytest.mark.parametrize(
    "options",
    [
        DemoOptions(families=1, quarters=1, seed=1),
        DemoOptions(families=7, quarters=12, seed=5, first_quarter="2024-Q1"),
        DemoOptions(families=40, quarters=2, seed=9, first_quarter="2026-Q4"),
    ],
    ids=["one-family", "twelve-quarters-from-2024", "across-new-year"],
)
def test_other_options_give_valid_files_too(tmp_path: Path, options: DemoOptions) -> None:
    files = write_demo_data(tmp_path, options)
    for name in FILES:
        header, lines = read_lines(getattr(files, name))
        assert lines and all(len(line) == len(header) for line in lines), name
        assert contract_breaks(read_frame(getattr(files, name)), load_schema(name)) == set()
    quarters = set(pd.read_csv(files.service_reporting, dtype=str)["quarter"])
    assert len(quarters) <= options.quarters


@pytest.mark.parametrize("name", FILES)
def test_text_format(clean: DemoFiles, name: str) -> None:
    raw = getattr(clean, name).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in raw and raw.endswith(b"\n")
    text = raw.decode("utf-8")
    assert not re.search(r"(^|,)(nan|NaN|NA|<NA>|None|NaT)(,|$)", text, re.MULTILINE)
    assert not re.search(r"\d\.0(,|$)", text, re.MULTILINE)  # integers never written as floats
    assert not re.search(r"\d{4}-\d{2}-\d{2}[ T]\d", text)  # dates without times


def test_writer_gives_the_same_bytes_as_pandas(clean: DemoFiles) -> None:
    for name, frame in zip(FILES, generate_demo(DemoOptions()), strict=True):
        expected = frame.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d").encode("utf-8")
        assert getattr(clean, name).read_bytes() == expected, name


def test_frames_have_useful_types() -> None:
    evaluation, service = generate_demo(DemoOptions(families=20))
    assert str(evaluation["sessions_offered"].dtype) == "Int64"
    assert str(evaluation["enrolment_date"].dtype).startswith("datetime64")
    assert evaluation["exit_date"].isna().any() or (evaluation["programme_status"] != "enrolled").all()
    assert str(service["parents_enrolled"].dtype) == "Int64"
    assert pd.api.types.is_string_dtype(evaluation["feedback"])


def test_groups_are_big_enough_with_the_default_options(
    evaluation: pd.DataFrame, service: pd.DataFrame
) -> None:
    people = evaluation.groupby(["participant_type", "age_band", "region"]).size()
    assert people.min() >= 5, people[people < 5]
    families = service.groupby(["region", "household_type"])["family_ref"].nunique()
    assert families.min() >= 5, families[families < 5]
    assert len(people) >= 20  # age bands were not merged away


def test_families_one_or_two_parents_and_one_to_three_children(evaluation: pd.DataFrame) -> None:
    counts = evaluation.groupby(["family_ref", "participant_type"]).size().unstack(fill_value=0)
    assert set(counts["parent"]) == {1, 2}
    assert set(counts["child"]) == {1, 2, 3}
    assert evaluation["participant_ref"].is_unique
    per_family = evaluation.groupby("family_ref")
    for column in ("region", "enrolment_date", "exit_date", "programme_status", "sessions_offered"):
        assert (per_family[column].nunique() == 1).all(), column


def test_dates_statuses_and_sessions_are_consistent(evaluation: pd.DataFrame) -> None:
    enrol = pd.to_datetime(evaluation["enrolment_date"])
    quarter = enrol.dt.year.astype(str) + "-Q" + enrol.dt.quarter.astype(str)
    assert (quarter == evaluation["enrolment_quarter"]).all()
    assert sorted(set(quarter)) == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    blank_exit = evaluation["exit_date"] == ""
    assert (blank_exit == (evaluation["programme_status"] == "enrolled")).all()
    assert set(evaluation["programme_status"]) == {"enrolled", "completed", "withdrew", "moved"}
    exit_ = pd.to_datetime(evaluation["exit_date"].replace("", None))
    assert (exit_.dropna() <= pd.Timestamp("2025-12-31")).all()
    weeks = (exit_ - enrol).dt.days[evaluation["programme_status"] == "completed"] / 7
    assert weeks.between(9, 14).all() and weeks.mean() > 10
    assert (enrol.dt.day_of_week < 4).all() and not (enrol.dt.strftime("%m-%d") == "01-01").any()
    offered, attended = numbers(evaluation, "sessions_offered"), numbers(evaluation, "sessions_attended")
    assert offered.max() <= 13 and (attended <= offered).all()
    assert attended.nunique() > 8 and (attended < offered).mean() > 0.3


def test_scores_belong_to_the_right_people(evaluation: pd.DataFrame) -> None:
    parent = evaluation["participant_type"] == "parent"
    for column in ("wellbeing_pre", "wellbeing_post"):
        assert (evaluation.loc[parent, column] == "").all()
    for column in ("confidence_pre", "confidence_post", "goals_set", "goals_achieved"):
        assert (evaluation.loc[~parent, column] == "").all()
    has_post = (evaluation["confidence_post"] != "") | (evaluation["wellbeing_post"] != "")
    assert set(evaluation.loc[has_post, "programme_status"]) <= {"completed", "withdrew", "moved"}
    completed = evaluation["programme_status"] == "completed"
    assert has_post[completed].mean() > 0.85
    goals = numbers(evaluation, "goals_set")
    assert set(goals.dropna()) <= {1, 2, 3, 4, 5}


def test_outcomes_look_like_a_modest_programme_effect(tmp_path: Path) -> None:
    evaluation, _ = generate_demo(DemoOptions(families=3000, seed=7))
    parent = evaluation["participant_type"] == "parent"
    pre, post = evaluation["confidence_pre"], evaluation["confidence_post"]
    assert 29 < pre[parent].mean() < 31 and 5 < pre[parent].std() < 7
    change = (post - pre).dropna()
    assert 2 < change.mean() < 4 and 3.5 < change.std() < 5.5
    rate = evaluation["sessions_attended"] / evaluation["sessions_offered"]
    keen = change[rate[change.index] >= 0.8].mean()
    assert keen > change[rate[change.index] < 0.6].mean()  # grows a little with attendance
    well = (evaluation["wellbeing_post"] - evaluation["wellbeing_pre"]).dropna()
    assert 1 < well.mean() < 3 and (well < 0).mean() > 0.15


def test_ethnic_groups_are_a_realistic_mix(tmp_path: Path) -> None:
    evaluation, _ = generate_demo(DemoOptions(families=3000, seed=11))
    groups = evaluation["ethnic_groups"].str.split(";")
    share = {
        g: groups.apply(lambda gs, g=g: g in gs).mean()
        for g in ("European", "Māori", "Pacific Peoples", "Asian")
    }
    assert 0.38 < share["European"] < 0.55 and 0.28 < share["Māori"] < 0.42
    assert 0.14 < share["Pacific Peoples"] < 0.26 and 0.06 < share["Asian"] < 0.15
    assert 0.1 < (groups.str.len() > 1).mean() < 0.4
    assert 0.005 < (evaluation["ethnic_groups"] == "Not stated").mean() < 0.06
    family_first = evaluation.groupby("family_ref")["ethnic_groups"].transform("first")
    assert (evaluation["ethnic_groups"] == family_first).mean() > 0.6  # whānau mostly share


def test_feedback_is_varied_plain_and_free_of_identifiers(evaluation: pd.DataFrame) -> None:
    stories = evaluation["feedback"]
    parent = evaluation["participant_type"] == "parent"
    assert 0.35 < (stories[parent] != "").mean() < 0.65
    assert 0.03 < (stories[~parent] != "").mean() < 0.4
    told = stories[stories != ""]
    assert told.nunique() > 0.6 * len(told)
    assert told.str.len().max() <= 600
    assert not told.str.contains(r"\d|@|\b(?:Street|Road|Avenue)\b", regex=True).any()
    assert told.str.contains("whānau").any() and told.str.contains("kōrero").any()
    records = evaluation.to_dict("records")
    assert identifier_findings(records) == set()


def test_the_two_files_describe_the_same_whanau_but_cannot_be_joined(
    evaluation: pd.DataFrame, service: pd.DataFrame
) -> None:
    evaluation_ids = {ref[2:] for ref in evaluation["family_ref"]}
    service_ids = {ref[2:] for ref in service["family_ref"]}
    assert len(evaluation_ids) == len(service_ids) == 300
    assert not evaluation_ids & service_ids
    assert not {ref[2:] for ref in evaluation["participant_ref"]} & (evaluation_ids | service_ids)
    families = evaluation.groupby("family_ref").agg(
        region=("region", "first"),
        parents=("participant_type", lambda t: (t == "parent").sum()),
        children=("participant_type", lambda t: (t == "child").sum()),
        offered=("sessions_offered", lambda s: int(s.iloc[0])),
        status=("programme_status", "first"),
        quarter=("enrolment_quarter", "first"),
    )
    first_rows = service.sort_values("quarter").groupby("family_ref").first()
    by = ["region", "parents", "children", "quarter"]
    service_families = first_rows.assign(
        parents=first_rows["parents_enrolled"].astype(int),
        children=first_rows["children_enrolled"].astype(int),
    )
    assert families.groupby(by).size().equals(service_families.groupby(by).size())
    household = service["household_type"].map({"one_parent": 1, "two_parents": 2})
    assert (household == service["parents_enrolled"].astype(int)).all()
    assert families["offered"].sum() == service["sessions_offered"].astype(int).sum()
    ended = Counter(service["status"])
    assert ended["completed"] == (families["status"] == "completed").sum()
    assert ended["withdrew"] == families["status"].isin(["withdrew", "moved"]).sum()
    assert service.groupby(["family_ref", "quarter"]).size().max() == 1
    assert numbers(service, "sessions_offered").max() <= 13


def test_same_options_same_bytes_different_seed_different_bytes(tmp_path: Path) -> None:
    options = DemoOptions(families=60, messy=True)
    first = write_demo_data(tmp_path / "a", options)
    second = write_demo_data(tmp_path / "b", options)
    other = write_demo_data(tmp_path / "c", DemoOptions(families=60, messy=True, seed=2027))
    for name in ("evaluation", "service_reporting", "manifest"):
        assert getattr(first, name).read_bytes() == getattr(second, name).read_bytes(), name
        assert getattr(first, name).read_bytes() != getattr(other, name).read_bytes(), name


def test_progress_is_reported_and_outdir_created(tmp_path: Path) -> None:
    messages: list[str] = []
    files = write_demo_data(tmp_path / "new" / "dir", DemoOptions(families=25, messy=True), messages.append)
    assert files.evaluation.parent == tmp_path / "new" / "dir"
    assert messages[0].startswith("generating")
    assert any("evaluation.csv" in m for m in messages) and any(
        "service_reporting.csv" in m for m in messages
    )
    assert any("manifest.json" in m for m in messages)
    assert write_demo_data(tmp_path / "plain", DemoOptions(families=5)).manifest is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"families": 0}, "families must be at least 1"),
        ({"families": 2.5}, "families must be a whole number"),
        ({"families": True}, "families must be a whole number"),
        ({"quarters": 0}, "quarters must be between 1 and 12"),
        ({"quarters": 13}, "quarters must be between 1 and 12"),
        ({"seed": -1}, "seed must be zero or more"),
        ({"first_quarter": "2025Q1"}, "first_quarter must look like 2025-Q1"),
        ({"first_quarter": "2025-Q5"}, "first_quarter must look like 2025-Q1"),
        ({"first_quarter": "2023-Q4"}, "between 2024-Q1 and 2090-Q4"),
        ({"messy": True, "families": 19}, "at least 20 families"),
    ],
)
def test_options_are_checked_up_front(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        DemoOptions(**kwargs)


# --- the messy files --------------------------------------------------------------------------------


def test_manifest_lists_every_required_problem(manifest: dict) -> None:
    assert manifest["seed"] == 2026
    assert manifest["files"] == {"evaluation": "evaluation.csv", "service_reporting": "service_reporting.csv"}
    codes = Counter(p["code"] for p in manifest["problems"] if p["file"] == "evaluation")
    assert set(codes) >= REQUIRED_EVALUATION_CODES
    assert codes["out-of-range"] >= 2 and codes["unknown-category"] >= 2
    columns = {p["column"] for p in manifest["problems"] if p["code"] in {"out-of-range", "unknown-category"}}
    assert {"region", "participant_type"} <= columns
    service_codes = Counter(p["code"] for p in manifest["problems"] if p["file"] == "service_reporting")
    assert service_codes == Counter({"duplicate-key": 1, "out-of-range": 1})
    for problem in manifest["problems"]:
        assert set(problem) >= {"file", "code", "column", "rows", "description"}


def test_no_row_carries_two_planted_problems(manifest: dict) -> None:
    for file in FILES:
        rows = [row for p in manifest["problems"] if p["file"] == file for row in p["rows"]]
        assert len(rows) == len(set(rows)), file


@pytest.mark.parametrize("name", FILES)
def test_schema_problems_are_exactly_the_planted_ones(messy: DemoFiles, manifest: dict, name: str) -> None:
    # The malformed line is judged on its own (below), not field by field: read_frame leaves it out.
    found = contract_breaks(read_frame(getattr(messy, name)), load_schema(name))
    assert found == manifest_findings(manifest["problems"], name, SCHEMA_CODES)


def test_identifiers_are_exactly_the_planted_ones(messy: DemoFiles, manifest: dict) -> None:
    header, lines = read_lines(messy.evaluation)
    records = as_records(header, lines)
    assert identifier_findings(records) == manifest_findings(
        manifest["problems"], "evaluation", IDENTIFIER_CODES
    )
    for problem in manifest["problems"]:
        if problem["code"] in IDENTIFIER_CODES:
            (row,) = problem["rows"]
            assert problem["value"] in records[row - 1]["feedback"]
            assert len(records[row - 1]["feedback"]) <= 600


def test_planted_identifiers_are_real_looking(manifest: dict) -> None:
    values = {p["code"]: p["value"] for p in manifest["problems"] if p["code"] in IDENTIFIER_CODES}
    assert nhi_valid(values["identifier-nhi"])
    assert ird.is_valid(values["identifier-ird"])
    mobile = phonenumbers.parse(values["identifier-phone"], "NZ")
    assert phonenumbers.is_valid_number(mobile) and values["identifier-phone"].startswith("02")
    assert re.fullmatch(
        r"\d+ [A-ZĀĒĪŌŪ]\w+ (Street|Road|Avenue|Crescent|Place)", values["identifier-address"]
    )
    assert re.fullmatch(rf"\d{{1,2}} ({MONTHS}) 20\d\d", values["identifier-dob"])


def test_unexpected_column_holds_phone_numbers_on_every_row(messy: DemoFiles, manifest: dict) -> None:
    header, lines = read_lines(messy.evaluation)
    assert header == [*EVALUATION_COLUMNS, "home_phone"]
    (problem,) = [p for p in manifest["problems"] if p["code"] == "unexpected-column"]
    assert problem["column"] == "home_phone" and problem["rows"] == []
    phones = [line[header.index("home_phone")] for line in lines if len(line) == len(header)]
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(p, "NZ")) for p in phones)
    assert len(set(phones)) > 0.9 * len(phones)


def test_malformed_line_has_an_extra_field_and_is_the_only_one(messy: DemoFiles, manifest: dict) -> None:
    header, lines = read_lines(messy.evaluation)
    (problem,) = [p for p in manifest["problems"] if p["code"] == "malformed-line"]
    assert problem["column"] is None
    assert [i for i, line in enumerate(lines, start=1) if len(line) != len(header)] == problem["rows"]
    assert len(lines[problem["rows"][0] - 1]) == len(header) + 1
    raw = messy.evaluation.read_text(encoding="utf-8").split("\n")
    assert problem["value"] in raw[problem["rows"][0]]  # written unquoted, on the right line


def test_duplicates_share_their_keys(messy: DemoFiles, manifest: dict) -> None:
    for problem in (p for p in manifest["problems"] if p["code"] == "duplicate-key"):
        header, lines = read_lines(getattr(messy, problem["file"]))
        records = as_records(header, lines)
        first, second = (records[row - 1] for row in problem["rows"])
        if problem["file"] == "evaluation":
            assert first["participant_ref"] == second["participant_ref"]
        else:
            assert (first["family_ref"], first["quarter"]) == (second["family_ref"], second["quarter"])


def test_messy_rows_are_the_clean_rows_plus_the_copies(clean: DemoFiles, messy: DemoFiles) -> None:
    for name in FILES:
        _, clean_lines = read_lines(getattr(clean, name))
        _, messy_lines = read_lines(getattr(messy, name))
        assert len(messy_lines) == len(clean_lines) + 1


def test_without_the_planted_rows_groups_stay_big_enough(messy: DemoFiles, manifest: dict) -> None:
    planted = {row for p in manifest["problems"] if p["file"] == "evaluation" for row in p["rows"]}
    header, lines = read_lines(messy.evaluation)
    kept = [r for i, r in enumerate(as_records(header, lines), start=1) if i not in planted and r]
    assert min(Counter((r["participant_type"], r["age_band"], r["region"]) for r in kept).values()) >= 5
