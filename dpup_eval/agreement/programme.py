"""A programme: one folder holding its agreement, its success measures and its workshop settings.

Why a folder and not a built-in: an agency funds dozens of programmes, each with its own purposes,
fields, people and rhythm. Everything the workbench does therefore takes the programme as a parameter,
and nothing in the package names a programme's fields. The folder holds:

- one ODCS contract per purpose (``*.odcs.yaml``), validated by :mod:`dpup_eval.agreement.rules`;
- its indicators (``indicators.yaml``, or ``<name>.indicators.yaml`` when several purposes have
  them), each file naming the purpose it measures;
- ``programme.yaml``, the settings people decide once: the programme's name, the language of its
  labels, whether children take part (a child's description of each field is then required, and
  notices and access packs come in a child version), the workshop's participant roles (ids with plain
  names and a role group), the purpose a workshop evaluates, and the period grain (month, quarter,
  year or none) with the field holding each record's period.

:meth:`Programme.load` reads everything and collects every problem (file, place, what to do) before
raising one :class:`~dpup_eval.errors.ContractError`, so a folder is settled in one sitting.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict

from dpup_eval.agreement.contract import Agreement, Contract
from dpup_eval.agreement.rules import IssueCollector, draft_issues, read_yaml_mapping
from dpup_eval.errors import ContractError, ContractIssue, DpupEvalError

__all__ = [
    "INDICATORS_FILE",
    "PERIOD_GRAINS",
    "ROLE_GROUPS",
    "SETTINGS_FILE",
    "ParticipantRole",
    "PeriodSettings",
    "Programme",
    "ProgrammeSettings",
    "is_programme_folder",
]

SETTINGS_FILE = "programme.yaml"
INDICATORS_FILE = "indicators.yaml"
INDICATORS_SUFFIX = ".indicators.yaml"
RoleGroup = Literal["family", "provider", "agency", "other"]
Grain = Literal["month", "quarter", "year", "none"]
ROLE_GROUPS: tuple[RoleGroup, ...] = get_args(RoleGroup)
PERIOD_GRAINS: tuple[Grain, ...] = get_args(Grain)
#: Field roles whose values can say when a record happened.
PERIOD_ROLES = ("period", "programme_date")
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_TOP_KEYS = ("name", "language", "children_take_part", "workshop", "roles", "periods")


class ParticipantRole(BaseModel):
    """How someone takes part in a workshop: an id for the record, plain words for people, a group."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    group: RoleGroup


class PeriodSettings(BaseModel):
    """The grain findings are shown by, and for each purpose the field that holds a record's period."""

    model_config = ConfigDict(frozen=True)

    grain: Grain
    fields: dict[str, str] = {}

    @property
    def word(self) -> str:
        """'month', 'quarter', 'year'; 'period' when there are none."""
        return "period" if self.grain == "none" else self.grain


class ProgrammeSettings(BaseModel):
    """What ``programme.yaml`` holds, validated."""

    model_config = ConfigDict(frozen=True)

    name: str
    language: str = "en-NZ"
    children_take_part: bool
    workshop_purpose: str | None = None
    roles: tuple[ParticipantRole, ...]
    periods: PeriodSettings

    def role(self, role_id: str) -> ParticipantRole:
        for role in self.roles:
            if role.id == role_id:
                return role
        raise KeyError(f"'{role_id}' is not a participant role of {self.name}")


def is_programme_folder(path: Path) -> bool:
    """Whether ``path`` is a folder holding ``programme.yaml``."""
    return Path(path).is_dir() and (Path(path) / SETTINGS_FILE).is_file()


def _text(raw: dict[str, Any], key: str, out: IssueCollector, place: str, what: str) -> str | None:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        out.add(f"{place}{key}" if place else key, f"give {what}")
        return None
    return value.strip()


def _roles(raw: Any, out: IssueCollector) -> list[ParticipantRole]:
    if not isinstance(raw, list) or not raw:
        out.add("roles", "list the ways people take part in a workshop: each with an id, a plain name and "
                         f"a group ({', '.join(ROLE_GROUPS)})")
        return []
    roles, seen = [], set()
    for i, entry in enumerate(raw):
        place = f"roles[{i}]"
        if not isinstance(entry, dict):
            out.add(place, "give the role as id, name and group")
            continue
        role_id = entry.get("id")
        ok = True
        if not isinstance(role_id, str) or not _ID_RE.match(role_id):
            out.add(f"{place}.id", f"'{role_id}' is not a usable id: lower case letters, digits and _ "
                                   "(e.g. family_member)")
            ok = False
        elif role_id in seen:
            out.add(f"{place}.id", f"role id '{role_id}' is listed twice; give each role its own id")
            ok = False
        name = _text(entry, "name", out, f"{place}.", "the role in plain words, as people will see it")
        group = next((g for g in ROLE_GROUPS if g == entry.get("group")), None)
        if group is None:
            out.add(f"{place}.group", f"the role group must be one of {', '.join(ROLE_GROUPS)} "
                                      f"(got {entry.get('group')!r})")
            ok = False
        if ok and name and isinstance(role_id, str) and group is not None:  # checked above; again for types
            seen.add(role_id)
            roles.append(ParticipantRole(id=role_id, name=name, group=group))
    return roles


def _periods(raw: Any, out: IssueCollector) -> PeriodSettings | None:
    if not isinstance(raw, dict):
        out.add("periods", f"say how findings are split in time: grain ({', '.join(PERIOD_GRAINS)}) and field")
        return None
    grain = raw.get("grain")
    if grain not in PERIOD_GRAINS:
        out.add("periods.grain", f"the period grain must be one of {', '.join(PERIOD_GRAINS)} (got {grain!r})")
        return None
    field = raw.get("field")
    fields: dict[str, str] = {}
    if grain == "none":
        if field:
            out.add("periods.field", "with grain none there are no periods: remove the field, or choose a grain")
        return PeriodSettings(grain="none")
    if isinstance(field, str) and field.strip():
        fields = {"*": field.strip()}
    elif isinstance(field, dict) and field and all(isinstance(v, str) and v for v in field.values()):
        fields = {str(k): v for k, v in field.items()}
    else:
        out.add("periods.field", "name the field holding each record's period (or, per purpose, "
                                 "purpose: field)")
        return None
    return PeriodSettings(grain=grain, fields=fields)


def read_settings(path: Path) -> tuple[ProgrammeSettings | None, list[ContractIssue]]:
    """``programme.yaml`` as settings, with every problem in it (settings are None when there are any)."""
    out = IssueCollector(str(path))
    if not path.exists():
        return None, [ContractIssue(str(path), "", f"no {SETTINGS_FILE}: write one (see README, 'Programmes') "
                                                    "or make the folder with `dpup-eval init`")]
    try:
        raw = read_yaml_mapping(path, "the programme's settings")
    except ContractError as error:
        return None, error.issues
    out.issues += draft_issues(str(path), raw)
    for key in raw:
        if key not in _TOP_KEYS:
            out.add(str(key), f"'{key}' is not a setting; the settings are {', '.join(_TOP_KEYS)}")
    name = _text(raw, "name", out, "", "the programme's name")
    language = raw.get("language", "en-NZ")
    if not isinstance(language, str) or not _LANGUAGE_RE.match(language):
        out.add("language", f"'{language}' is not a language tag such as en-NZ or mi")
    children = raw.get("children_take_part")
    if not isinstance(children, bool) and not (isinstance(children, str) and "TODO" in children):
        out.add("children_take_part", "say whether children take part: true or false (with true, every field "
                                      "needs a description for children, and notices come in a child version)")
    workshop = raw.get("workshop") or {}
    purpose = workshop.get("purpose") if isinstance(workshop, dict) else None
    if workshop and (not isinstance(workshop, dict) or (purpose is not None and not isinstance(purpose, str))):
        out.add("workshop", "give the workshop's settings as purpose: <the purpose it evaluates>")
        purpose = None
    roles = _roles(raw.get("roles"), out)
    periods = _periods(raw.get("periods"), out)
    if out.issues:
        return None, out.issues
    settings = ProgrammeSettings(
        name=name or "", language=language, children_take_part=children is True, workshop_purpose=purpose,
        roles=tuple(roles), periods=periods,  # type: ignore[arg-type]
    )
    return settings, []


class Programme(Agreement):
    """A programme folder: the agreement (one contract per purpose), indicators files and settings."""

    def __init__(self, folder: Path, contracts: list[Contract], settings: ProgrammeSettings,
                 indicator_files: dict[str, Path]):
        super().__init__(folder, contracts)
        self.folder = folder
        self.settings = settings
        self.indicator_files = indicator_files

    @classmethod
    def load(cls, path: str | Path) -> Programme:
        """Read and check the whole folder; raises one `ContractError` listing every problem found."""
        folder = Path(path)
        if not folder.is_dir():
            where = "no such folder" if not folder.exists() else "is a file; give the programme's folder"
            raise ContractError([ContractIssue(str(folder), "", where)])
        settings, issues = read_settings(folder / SETTINGS_FILE)
        children = settings.children_take_part if settings else True
        contracts, contract_issues = Agreement.read_contracts(folder, children=children)
        issues += contract_issues
        indicator_files, indicator_issues = _indicator_files(folder)
        issues += indicator_issues
        if settings is not None and not contract_issues:
            issues += _cross_checks(folder / SETTINGS_FILE, settings, contracts, indicator_files)
        if issues:
            # While the folder is being settled, list the indicators' open places too: one list, one sitting.
            for path in indicator_files.values():
                issues += draft_issues(str(path), yaml.safe_load(path.read_text(encoding="utf-8")))
            raise ContractError(issues)
        return cls(folder, contracts, settings, indicator_files)  # type: ignore[arg-type]

    @property
    def name(self) -> str:
        return self.settings.name

    @property
    def children_take_part(self) -> bool:
        return self.settings.children_take_part

    @property
    def language(self) -> str:
        return self.settings.language

    @property
    def roles(self) -> tuple[ParticipantRole, ...]:
        return self.settings.roles

    @property
    def grain(self) -> str:
        return self.settings.periods.grain

    def period_field(self, purpose: str) -> str | None:
        """The field holding a record's period for ``purpose`` (None when the grain is none)."""
        fields = self.settings.periods.fields
        name = fields.get(purpose) or fields.get("*")
        contract = self.for_purpose(purpose)
        return name if name and contract.has_field(name) else None

    def workshop_purpose(self) -> str:
        """The purpose a workshop evaluates: as the settings say, or the only one there is."""
        if self.settings.workshop_purpose:
            return self.settings.workshop_purpose
        if len(self.purposes) == 1:
            return self.purposes[0]
        raise DpupEvalError(
            f"{self.folder / SETTINGS_FILE}: workshop.purpose: say which purpose a workshop evaluates "
            f"(one of {', '.join(self.purposes)})"
        )

    def indicators_file(self, purpose: str) -> Path:
        """The indicators file for ``purpose``, settled (no TODO left); a clear error otherwise.

        Why here and not in `load`: checking a data file needs only the agreement, so draft indicators
        must not stop it; evaluating and workshops need the indicators, and ask for them through here.
        """
        try:
            path = self.indicator_files[purpose]
        except KeyError:
            raise DpupEvalError(
                f"{self.folder}: no indicators for the purpose '{purpose}': write {INDICATORS_FILE} with "
                f"'purpose: {purpose}' (see README, 'Success measures and findings')"
            ) from None
        issues = draft_issues(str(path), yaml.safe_load(path.read_text(encoding="utf-8")))
        if issues:
            raise ContractError(issues)
        return path


def _indicator_files(folder: Path) -> tuple[dict[str, Path], list[ContractIssue]]:
    """Each indicators file by the purpose it names (their TODOs matter only when they are used)."""
    found: dict[str, Path] = {}
    issues: list[ContractIssue] = []
    paths = sorted(p for p in folder.iterdir() if p.name == INDICATORS_FILE or p.name.endswith(INDICATORS_SUFFIX))
    for path in paths:
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            issues.append(ContractIssue(str(path), "", "is not readable YAML text"))
            continue
        if not isinstance(raw, dict) or not isinstance(raw.get("purpose"), str):
            issues.append(ContractIssue(str(path), "purpose", "name the purpose these indicators measure"))
            continue
        purpose = raw["purpose"]
        if purpose in found:
            issues.append(ContractIssue(str(path), "purpose", f"the purpose '{purpose}' already has its "
                                                              f"indicators in {found[purpose].name}"))
            continue
        found[purpose] = path
    return found, issues


def _cross_checks(file: Path, settings: ProgrammeSettings, contracts: list[Contract],
                  indicator_files: dict[str, Path]) -> list[ContractIssue]:
    """The settings against the contracts: the workshop's purpose and the period fields exist."""
    out = IssueCollector(str(file))
    by_purpose = {c.purpose: c for c in contracts}
    purposes = ", ".join(sorted(by_purpose))
    if settings.workshop_purpose and settings.workshop_purpose not in by_purpose:
        out.add("workshop.purpose", f"'{settings.workshop_purpose}' is not a purpose of this programme's "
                                    f"contracts ({purposes})")
    fields = settings.periods.fields
    for purpose, name in fields.items():
        place = "periods.field" if purpose == "*" else f"periods.field.{purpose}"
        if purpose != "*" and purpose not in by_purpose:
            out.add(place, f"'{purpose}' is not a purpose of this programme's contracts ({purposes})")
            continue
        holders = [c for c in contracts if (purpose == "*" or c.purpose == purpose) and c.has_field(name)]
        if not holders:
            out.add(place, f"no contract has a field '{name}'; name the field holding each record's period")
        for contract in holders:
            f = contract.field(name)
            if f.role not in PERIOD_ROLES or f.logical_type not in ("date", "string", "integer"):
                out.add(place, f"'{name}' in the {contract.purpose} contract is a {f.logical_type} with the role "
                               f"{f.role}; a period field has the role period (or programme_date for a date)")
    for purpose, path in indicator_files.items():
        if purpose not in by_purpose:
            issues = ContractIssue(str(path), "purpose", f"'{purpose}' is not a purpose of this programme's "
                                                         f"contracts ({purposes})")
            out.issues.append(issues)
    return out.issues

