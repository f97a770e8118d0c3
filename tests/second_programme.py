"""A second programme, unlike the demo in every way that matters, written by code into a temporary folder.

"Work Ready incentive trial" (made up): the Harbour Employment Trust offers adults job training, and half
of them, chosen at random, are also offered a cash incentive for finishing it. Compared with Best foot
forward it has other purpose names (``outcomes_study``, ``monthly_return``), monthly periods, an
integer-coded trial arm (0 = control, 1 = offered the incentive), other participant roles, references of
another shape (``C00012``, ``H0042``, ``M0042``), no free text and no children (so no child descriptions).

Nothing generated here is committed: :func:`write_work_ready` writes the programme folder, its data files
(named like an export from a case system, not after the purposes) and the provider's key map.

Other developers: use :func:`write_work_ready` (or the ``work_ready`` fixture in ``conftest.py``) to run a
feature on a programme that is not the demo; add indicators to :data:`INDICATORS` (the arm comparisons,
for instance) and they are written with the rest.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

PROGRAMME = "Work Ready incentive trial"
PROVIDER = "Harbour Employment Trust"
MONTHS = ("2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06")
DISTRICTS = ("Northland", "Bay of Plenty", "Otago")
AGE_GROUPS = ("18-24", "25-39", "40-64")
ROLES = [
    {"id": "trial_participant", "name": "Trial participant (or their whānau)", "group": "family"},
    {"id": "trust_staff", "name": "Trust staff", "group": "provider"},
    {"id": "ministry_analyst", "name": "Ministry analyst", "group": "agency"},
    {"id": "employer", "name": "Local employer", "group": "other"},
    {"id": "community_rep", "name": "Community representative", "group": "other"},
]


def _custom(**values: Any) -> list[dict[str, Any]]:
    return [{"property": k, "value": v} for k, v in values.items()]


def _field(name: str, business: str, logical: str, role: str, why: str, adult: str, *, required: bool = True,
           **extra: Any) -> dict[str, Any]:
    """One field; no childDescription: no children take part in this programme."""
    prop = {"name": name, "businessName": business, "logicalType": logical, "required": required, **extra}
    prop["customProperties"] = _custom(role=role, why=why, adultDescription=adult)
    return prop


def _contract(purpose: str, recipient: str, recipient_plain: str, dataset: str, business: str,
              properties: list[dict[str, Any]], quality: list[dict[str, Any]] | None = None,
              schedule: str = "monthly") -> dict[str, Any]:
    return {
        "apiVersion": "v3.2.0", "kind": "DataContract", "id": f"work-ready-{purpose.replace('_', '-')}",
        "name": f"{PROGRAMME} - {purpose.replace('_', ' ')}", "version": "1.0.0", "status": "active",
        "tenant": PROVIDER,
        "customProperties": _custom(
            purpose=purpose,
            purposeStatement=f"To learn whether the training and the incentive help people into work ({purpose}).",
            recipient=recipient, recipientPlain=recipient_plain, provider=PROVIDER, programme=PROGRAMME,
            schedule=schedule,
            notUsedFor=["decisions about any one person", "checking anyone's benefit"],
            notSeenBy=["case managers", "other government agencies"],
            retention="Kept for five years after the trial ends, then deleted.",
            familyChoices="You can take part in the training without your information being used in the study.",
            legalBasis="The Privacy Act 2020 applies.",
            howToAsk="Ask the Trust's privacy officer; you only have to ask the Trust.",
            minGroupSize=5,
        ),
        "schema": [{"name": dataset, "physicalType": "file", "businessName": business, "properties": properties,
                    **({"quality": quality} if quality else {})}],
    }


def outcomes_contract() -> dict[str, Any]:
    props = [
        _field("client_code", "Client code", "string", "pseudonymous_key", "To count each person once.",
               "A made-up code for you.", unique=True, primaryKey=True,
               logicalTypeOptions={"pattern": "^C[0-9]{5}$"}),
        _field("household_code", "Household code", "string", "pseudonymous_key",
               "To keep people in one household together.", "A made-up code for your household.",
               logicalTypeOptions={"pattern": "^H[0-9]{4}$"}),
        _field("trial_arm", "Trial group", "integer", "service_delivery",
               "To compare the people offered the incentive with those who were not.",
               "Whether you were offered the incentive or not, chosen at random.",
               logicalTypeOptions={"minimum": 0, "maximum": 1},
               enum=[{"value": 0, "label": "control"}, {"value": 1, "label": "offered the incentive"}]),
        _field("age_group", "Age group", "string", "quasi_identifier", "To see whether the trial suits every age.",
               "Your age group.", enum=[{"value": v} for v in AGE_GROUPS]),
        _field("district", "District", "string", "quasi_identifier", "To see whether it works in every district.",
               "The district you live in.", enum=[{"value": v} for v in DISTRICTS]),
        _field("start_month", "Month started", "string", "period", "Results are looked at month by month.",
               "The month you started.", logicalTypeOptions={"pattern": "^20[0-9]{2}-(0[1-9]|1[0-2])$"}),
        _field("start_date", "Date started", "date", "programme_date", "To know how long people have been in work.",
               "The day you started."),
        _field("weekly_hours_before", "Hours of paid work a week, before", "integer", "outcome",
               "To see whether work went up.", "How many hours a week you worked before.",
               logicalTypeOptions={"minimum": 0, "maximum": 60}),
        _field("weekly_hours_after", "Hours of paid work a week, after", "integer", "outcome",
               "To see whether work went up.", "How many hours a week you worked six months later.",
               logicalTypeOptions={"minimum": 0, "maximum": 60}),
        _field("employed_at_six_months", "In paid work six months on", "boolean", "outcome",
               "The trial's main question.", "Whether you had a paid job six months after starting."),
        _field("training_sessions_attended", "Training sessions attended", "integer", "service_delivery",
               "To see whether people could get to the training.", "How many training sessions you came to.",
               logicalTypeOptions={"minimum": 0, "maximum": 12}),
    ]
    return _contract("outcomes_study", "Research and Evaluation Unit", "the team at the Ministry that studies "
                     "whether programmes work", "trial_clients", "People in the trial", props, schedule="once")


def monthly_contract() -> dict[str, Any]:
    props = [
        _field("household_code", "Household code", "string", "pseudonymous_key", "To count each household once.",
               "A made-up code for your household, not the one used for the study.", primaryKey=True,
               logicalTypeOptions={"pattern": "^M[0-9]{4}$"}),
        _field("return_month", "Month", "string", "period", "The Trust reports month by month.", "The month.",
               primaryKey=True, logicalTypeOptions={"pattern": "^20[0-9]{2}-(0[1-9]|1[0-2])$"}),
        _field("district", "District", "string", "quasi_identifier", "Totals by district.", "Your district.",
               enum=[{"value": v} for v in DISTRICTS]),
        _field("clients_enrolled", "People enrolled", "integer", "service_delivery", "To confirm delivery.",
               "How many people in your household take part.", logicalTypeOptions={"minimum": 1, "maximum": 6}),
        _field("sessions_delivered", "Sessions delivered", "integer", "service_delivery", "To confirm delivery.",
               "How many sessions the Trust ran for your household that month.",
               logicalTypeOptions={"minimum": 0, "maximum": 40}),
        _field("incentive_paid", "Incentive paid", "boolean", "service_delivery", "To account for the money.",
               "Whether an incentive was paid that month."),
    ]
    quality = [{"name": "one_row_per_household_month", "description": "Each household once a month.",
                "type": "library", "metric": "duplicateValues",
                "arguments": {"properties": ["household_code", "return_month"]}, "mustBe": 0}]
    return _contract("monthly_return", "Contract Monitoring Team", "the team at the Ministry that pays the Trust",
                     "household_months", "Households taking part, by month", props, quality)


GROUPINGS = ["district", "age_group", "trial_arm", "start_month"]
#: The programme's success measures; add to this list (e.g. arm comparisons) and it is written with the rest.
INDICATORS: list[dict[str, Any]] = [
    {"id": "in_work", "name": "In paid work six months on", "what_it_tells_us": "Whether people found work.",
     "people": "people in the trial", "kind": "proportion", "target": 0.5, "direction": "higher",
     "groupings": GROUPINGS,
     "definitions": [{"id": "employed", "label": "In paid work at six months", "phrase": "were in paid work",
                      "proposed_by": "ministry",
                      "success": [{"field": "employed_at_six_months", "op": "eq", "value": True}]}]},
    {"id": "more_hours", "name": "Worked more hours", "what_it_tells_us": "Whether paid work went up.",
     "people": "people in the trial", "kind": "improved", "target": 0.4, "direction": "higher",
     "groupings": GROUPINGS,
     "definitions": [{"id": "five_more", "label": "Five or more hours a week more", "phrase": "worked 5+ hours more",
                      "proposed_by": "trust", "pre": "weekly_hours_before", "post": "weekly_hours_after",
                      "threshold": 5},
                     {"id": "any_more", "label": "Any more hours", "phrase": "worked more hours",
                      "proposed_by": "participants", "pre": "weekly_hours_before", "post": "weekly_hours_after",
                      "threshold": 1}]},
    {"id": "training", "name": "Training sessions attended", "what_it_tells_us": "Whether people got to training.",
     "people": "people in the trial", "kind": "mean", "unit": "sessions", "direction": "higher",
     "groupings": ["district", "trial_arm"],
     "definitions": [{"id": "mean_sessions", "label": "Average sessions attended", "proposed_by": "trust",
                      "field": "training_sessions_attended"}]},
]

SETTINGS = {
    "name": PROGRAMME,
    "language": "en-NZ",
    "children_take_part": False,
    "workshop": {"purpose": "outcomes_study"},
    "roles": ROLES,
    "periods": {"grain": "month", "field": {"outcomes_study": "start_month", "monthly_return": "return_month"}},
}


@dataclass(frozen=True)
class WorkReady:
    """Where everything was written."""

    folder: Path  # the programme folder
    outcomes: Path  # data for outcomes_study
    monthly: Path  # data for monthly_return
    key_map: Path  # the Trust's key: its own household reference -> the reference sent per purpose


def write_programme(folder: Path) -> Path:
    """The programme folder: two contracts, the indicators and programme.yaml."""
    folder.mkdir(parents=True, exist_ok=True)
    dump = {"sort_keys": False, "allow_unicode": True}
    (folder / "outcomes_study.odcs.yaml").write_text(yaml.safe_dump(outcomes_contract(), **dump), "utf-8")
    (folder / "monthly_return.odcs.yaml").write_text(yaml.safe_dump(monthly_contract(), **dump), "utf-8")
    (folder / "indicators.yaml").write_text(
        yaml.safe_dump({"programme": PROGRAMME, "purpose": "outcomes_study", "indicators": INDICATORS}, **dump),
        "utf-8")
    (folder / "programme.yaml").write_text(yaml.safe_dump(SETTINGS, **dump), "utf-8")
    return folder


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_data(folder: Path, households: int = 480, seed: int = 11) -> tuple[Path, Path, Path]:
    """Made-up trial data (nobody in it is real): the study file, the monthly file and the key map."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    study_codes = rng.permutation(np.arange(1, 10_000))[:households]
    monthly_codes = rng.permutation(np.arange(1, 10_000))[:households]
    client_codes = iter(rng.permutation(np.arange(1, 100_000)))
    study, monthly, keys = [], [], []
    for h in range(households):
        district = DISTRICTS[rng.choice(3, p=[0.4, 0.35, 0.25])]
        month = int(rng.integers(len(MONTHS)))
        size = int(rng.choice([1, 2], p=[0.7, 0.3]))
        arm = int(rng.integers(2))  # households are randomised, so everyone in one shares the arm
        for _ in range(size):
            before = int(rng.choice([0, 0, 0, 5, 10, 15, 20]))
            gain = max(0, int(rng.normal(4 + 5 * arm, 5)))
            day = int(rng.integers(1, 28))
            study.append({
                "client_code": f"C{next(client_codes):05d}", "household_code": f"H{study_codes[h]:04d}",
                "trial_arm": arm, "age_group": AGE_GROUPS[rng.choice(3, p=[0.3, 0.45, 0.25])], "district": district,
                "start_month": MONTHS[month], "start_date": f"{MONTHS[month]}-{day:02d}",
                "weekly_hours_before": before, "weekly_hours_after": min(60, before + gain),
                "employed_at_six_months": "true" if rng.random() < 0.35 + 0.2 * arm else "false",
                "training_sessions_attended": int(rng.integers(0, 13)),
            })
        for m in range(month, min(len(MONTHS), month + 3)):
            monthly.append({
                "household_code": f"M{monthly_codes[h]:04d}", "return_month": MONTHS[m], "district": district,
                "clients_enrolled": size, "sessions_delivered": int(rng.integers(0, 9)),
                "incentive_paid": "true" if arm and m == month + 2 else "false",
            })
        mine = f"HET-{h + 1:05d}"
        keys.append({"provider_family_ref": mine, "purpose": "outcomes_study",
                     "family_ref": f"H{study_codes[h]:04d}"})
        keys.append({"provider_family_ref": mine, "purpose": "monthly_return",
                     "family_ref": f"M{monthly_codes[h]:04d}"})
    return (_write_csv(folder / "trial export 2025-06.csv", study),
            _write_csv(folder / "monthly_return_june.csv", monthly),
            _write_csv(folder / "trust key map.csv", keys))


def write_work_ready(root: Path) -> WorkReady:
    """The programme folder and its data under ``root`` (``root/programme``, ``root/data``)."""
    folder = write_programme(root / "programme")
    outcomes, monthly, key_map = write_data(root / "data")
    return WorkReady(folder, outcomes, monthly, key_map)
