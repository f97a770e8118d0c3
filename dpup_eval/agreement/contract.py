"""The data agreement as a typed model.

A contract file is an Open Data Contract Standard (ODCS) v3 document for one purpose. The DPUP
specifics (purpose, recipient, what the data will not be used for, each field's role and plain
descriptions) live in ODCS `customProperties`. `Contract.load` validates the file three ways
(ODCS JSON schema, the ODCS pydantic model, the DPUP requirements, see `dpup_eval.agreement.rules`) and
returns this model, which the rest of the workbench reads instead of raw YAML.

An `Agreement` is the folder of contracts for one programme, one per purpose; data is always
loaded *for* a purpose.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from dpup_eval.agreement.disclosure_rules import DisclosureRules
from dpup_eval.agreement.rules import parse_contract_file
from dpup_eval.errors import ContractError, ContractIssue, UnknownPurposeError
from dpup_eval.installation import shipped_dir

LogicalType = Literal["string", "integer", "number", "date", "boolean"]


def value_text(value: object) -> str:
    """A value as the contract writes it: ``True`` -> ``"true"``, ``1`` / ``1.0`` -> ``"1"``, text as is.

    One spelling for each value, so labels, agreed codes, groups of findings and filters all meet:
    the data's integer 0, a YAML ``value: 0`` and a group label "0" are the same code.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
        if isinstance(value, bool):
            return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


CONTRACT_SUFFIXES = (".odcs.yaml", ".odcs.yml")


class Field(BaseModel):
    """One agreed field, with what a check needs and what a family is told about it."""

    model_config = ConfigDict(frozen=True)

    name: str
    plain_name: str
    logical_type: LogicalType
    required: bool = False
    unique: bool = False
    primary_key: bool = False
    pattern: str | None = None
    minimum: int | float | dt.date | None = None
    maximum: int | float | dt.date | None = None
    max_length: int | None = None
    allowed: tuple[str, ...] | None = None
    labels: dict[str, str] = {}
    multi_value_separator: str | None = None
    precision: float | None = None  # findings publish its averages and medians rounded to this
    role: str
    why: str
    adult_description: str
    child_description: str
    place: str
    replaces: str | None = None  # the field this one replaced in an earlier version (customProperty)

    @property
    def is_free_text(self) -> bool:
        return self.role == "free_text"

    def label(self, value: object) -> str:
        """The plain label for a value ("control" for arm 0), falling back to the value as text.

        Works on integer and true/false codes as well as text: the value is first written the way
        the contract writes it (:func:`value_text`), so ``0``, ``"0"`` and ``0.0`` all find "control".
        """
        text = value_text(value)
        return self.labels.get(text, text)

    def typed_value(self, text: str) -> str | int | float | bool:
        """A value written as text (an agreed code, a tick box's value) as this field's type: ``"0"`` -> 0."""
        if self.logical_type == "boolean":
            lowered = text.strip().lower()
            if lowered not in ("true", "false"):
                raise ValueError(f"'{self.name}' is true or false, not '{text}'")
            return lowered == "true"
        if self.logical_type == "integer":
            return int(text)
        if self.logical_type == "number":
            return float(text)
        return text


class QualityRule(BaseModel):
    """A contract quality rule the checks run on every row.

    `field_order`: `left op right` must hold where both are present.
    `unique_together`: the combination of `fields` must not repeat.
    """

    model_config = ConfigDict(frozen=True)

    name: str
    description: str
    kind: Literal["field_order", "unique_together"]
    fields: tuple[str, ...]
    op: Literal["<", "<=", ">", ">="] | None = None
    place: str


class Contract(BaseModel):
    """One purpose's data agreement, validated."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    path: Path
    id: str
    name: str
    version: str
    purpose: str
    purpose_statement: str
    child_purpose_statement: str
    recipient: str
    recipient_plain: str
    provider: str
    programme: str
    schedule: str
    not_used_for: tuple[str, ...]
    not_seen_by: tuple[str, ...]
    retention: str
    retention_child: str
    family_choices: str
    legal_basis: str
    how_to_ask: str
    min_group_size: int = 5
    disclosure_control: dict[str, int] = {}
    dataset: str
    dataset_plain: str
    fields: tuple[Field, ...]
    rules: tuple[QualityRule, ...] = ()

    @classmethod
    def load(cls, path: str | Path, *, children: bool = True) -> Contract:
        """Read and validate one ODCS contract file; raises `ContractError` naming file and place.

        ``children``: whether children take part in the programme (each field then needs a
        description for children).
        """
        return cls.model_validate(parse_contract_file(Path(path), children=children))

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(f"'{name}' is not a field of the {self.purpose} contract ({self.path.name})")

    def has_field(self, name: str) -> bool:
        return any(f.name == name for f in self.fields)

    @property
    def quasi_identifiers(self) -> list[str]:
        return [f.name for f in self.fields if f.role == "quasi_identifier"]

    @property
    def key_fields(self) -> list[str]:
        return [f.name for f in self.fields if f.primary_key]

    def disclosure_rules(self) -> DisclosureRules:
        """The disclosure rules this agreement sets (never looser than the Stats NZ defaults)."""
        return DisclosureRules.from_mapping(self.disclosure_control or None)


class Agreement:
    """All the contracts for one programme, one per purpose (a folder, or a single file)."""

    def __init__(self, where: Path, contracts: list[Contract]):
        self.where = where
        self.contracts = {c.purpose: c for c in contracts}

    @classmethod
    def load(cls, path: str | Path) -> Agreement:
        """The contracts in a folder (a programme folder loads as a `Programme`), or one contract file."""
        where = Path(path)
        if where.is_dir():
            from dpup_eval.agreement.programme import Programme, is_programme_folder

            if is_programme_folder(where):
                return Programme.load(where)
            contracts, issues = cls.read_contracts(where)
            if issues:
                raise ContractError(issues)
            return cls(where, contracts)
        if where.is_file():
            return cls(where, [Contract.load(where)])
        raise ContractError([ContractIssue(str(where), "", "no such file or folder")])

    @staticmethod
    def read_contracts(folder: Path, *, children: bool = True) -> tuple[list[Contract], list[ContractIssue]]:
        """Every contract in ``folder`` and every problem in any of them (not just the first file's)."""
        files = sorted(p for p in folder.iterdir() if p.name.endswith(CONTRACT_SUFFIXES))
        if not files:
            return [], [ContractIssue(str(folder), "", "no contract files (*.odcs.yaml) in this folder")]
        contracts: list[Contract] = []
        issues: list[ContractIssue] = []
        seen: dict[str, Path] = {}
        for path in files:
            try:
                contract = Contract.load(path, children=children)
            except ContractError as error:
                issues += error.issues
                continue
            if contract.purpose in seen:
                issues.append(ContractIssue(str(path), "customProperties.purpose",
                                            f"purpose '{contract.purpose}' is also defined in "
                                            f"{seen[contract.purpose].name}; give each contract its own purpose"))
                continue
            seen[contract.purpose] = path
            contracts.append(contract)
        return contracts, issues

    @property
    def purposes(self) -> list[str]:
        return sorted(self.contracts)

    def for_purpose(self, purpose: str) -> Contract:
        try:
            return self.contracts[purpose]
        except KeyError:
            raise UnknownPurposeError(purpose, self.purposes, self.where) from None


def contract_for(contract: Contract | str | Path, purpose: str) -> Contract:
    """The contract for `purpose`, from a loaded contract, a contract file or an agreement folder."""
    if isinstance(contract, Contract):
        if contract.purpose != purpose:
            raise UnknownPurposeError(purpose, [contract.purpose], contract.path)
        return contract
    return Agreement.load(contract).for_purpose(purpose)


def default_contract_dir() -> Path:
    """The built-in Best foot forward agreement (in a source checkout or inside the installed package)."""
    return shipped_dir("data_contracts/best_foot_forward")
