"""Reading and validating one contract file into the plain data `Contract` is built from.

Three layers, every problem collected (not just the first): the ODCS JSON schema shipped with
the `open-data-contract-standard` package (it gives places such as `schema[0].properties[3]`),
the package's pydantic model, and the DPUP requirements this workbench relies on (a purpose, a
recipient, what the data will not be used for; for each field its role and plain descriptions).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from dpup_eval.agreement.disclosure_rules import DisclosureRules
from dpup_eval.errors import ContractError, ContractIssue

ROLES = (
    "pseudonymous_key",
    "quasi_identifier",
    "demographic",
    "outcome",
    "service_delivery",
    "programme_date",
    "period",
    "free_text",
)
SUPPORTED_TYPES = ("string", "integer", "number", "date", "boolean")
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
PURPOSE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
ORDER_OPS = ("<", "<=", ">", ">=")
REQUIRED_TEXT = ("purpose", "purposeStatement", "recipient", "schedule", "retention")
REQUIRED_LISTS = ("notUsedFor", "notSeenBy")
FIELD_TEXT = ("why", "adultDescription", "childDescription")
DEFAULT_K = 5
#: The role `contract draft` gives a column that looks identifying; no contract may keep it.
SUSPECTED = "suspected_identifier"
#: What each role means and allows, for people settling a contract (`dpup-eval contract roles`).
ROLE_MEANINGS: dict[str, str] = {
    "pseudonymous_key": "A made-up reference for a person or whānau (never a real identifier). Needs a "
    "pattern (logicalTypeOptions.pattern) so that references can be kept out of reports, registers and "
    "the workshop. Used to link records and answer access requests; never shown in findings.",
    "quasi_identifier": "Something that, with other such fields, could pick a person out (age band, "
    "region...). Group sizes over these are checked against k (minGroupSize); findings may be grouped by "
    "them; access packs label each person with them.",
    "demographic": "Something about who people are that is not a quasi-identifier (e.g. a list of "
    "ethnic groups). Findings may be grouped by it.",
    "outcome": "What the programme hopes to change (scores, whether goals were met, where people are up "
    "to). Indicators count and compare it; findings may be grouped by it.",
    "service_delivery": "What the service did (sessions offered and attended, referral source). "
    "Indicators may use it; findings may be grouped by it.",
    "programme_date": "A date in the programme (enrolment, exit). Used in rules (exit not before "
    "enrolment) and, with a period grain, as the period of a record.",
    "period": "The period a record belongs to (2025-Q1, 2025-03, 2025). Findings are shown by it.",
    "free_text": "People's own words. Scanned for identifiers (redacted when found); never sent to the "
    "workshop pages, never used in findings.",
}


def place_of(path: Iterable[Any]) -> str:
    """`['schema', 0, 'properties', 3]` -> `schema[0].properties[3]`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _import_jsonschema() -> Any:
    """Import jsonschema without building the RFC 3987 grammar (~1.4 s here).

    jsonschema registers an optional "iri" format checker when `rfc3987_syntax` imports, and that
    import compiles a large grammar. Contracts never use format checking, and the workshop must
    start fast, so the optional import is made to fail once; `rfc3987_syntax` itself stays
    importable for anything else that wants it.
    """
    import sys

    if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
        import jsonschema

        return jsonschema
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]
    try:
        import jsonschema
    finally:
        del sys.modules["rfc3987_syntax"]
    return jsonschema


@functools.cache
def _odcs_validator() -> Any:
    jsonschema = _import_jsonschema()

    text = resources.files("open_data_contract_standard").joinpath("schema.json").read_text("utf-8")
    return jsonschema.Draft201909Validator(json.loads(text))


def read_yaml_mapping(path: Path, what: str = "a contract") -> dict[str, Any]:
    """A YAML file that must hold a mapping; `ContractError` (file, line and column) when it cannot be read."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContractError([ContractIssue(file, "", "no such file")]) from None
    except IsADirectoryError:
        raise ContractError([ContractIssue(file, "", f"is a folder; give {what} file")]) from None
    except UnicodeDecodeError as exc:
        raise ContractError([ContractIssue(file, f"byte {exc.start}", "is not UTF-8 text")]) from None
    try:
        # libyaml's parser when present (as in PyPI's wheels): the same documents and errors, ~8x faster.
        doc = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "is not valid YAML"
        raise ContractError([ContractIssue(file, where, f"invalid YAML: {problem}")]) from None
    if not isinstance(doc, dict):
        raise ContractError(
            [ContractIssue(file, "", f"is not {what}: expected a YAML mapping at the top")]
        )
    return doc


#: Schema checks made in this process, by file name and the document's content (at most ``_CHECKED_LIMIT``).
#: The workshop's fork server checks the agreement once (kernel_forks._warm) and every page kernel forked
#: from it finds the answer here: before, each page build imported jsonschema and the ODCS model and
#: checked the same contracts again.
_CHECKED: dict[tuple[str, str], list[ContractIssue]] = {}
_CHECKED_LIMIT = 256


def _schema_issues(file: str, doc: dict[str, Any]) -> list[ContractIssue]:
    key = (file, hashlib.sha256(repr(doc).encode("utf-8")).hexdigest())  # a YAML mapping: repr is its content
    if key not in _CHECKED:
        if len(_CHECKED) >= _CHECKED_LIMIT:
            _CHECKED.clear()
        _CHECKED[key] = _check_schema(file, doc)
    return list(_CHECKED[key])


def _check_schema(file: str, doc: dict[str, Any]) -> list[ContractIssue]:
    issues: dict[str, ContractIssue] = {}
    for error in sorted(_odcs_validator().iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        place = place_of(error.absolute_path)
        issues.setdefault(place, ContractIssue(file, place or "(top)", f"ODCS: {error.message}"))
    if issues:
        return list(issues.values())
    from open_data_contract_standard.model import OpenDataContractStandard
    from pydantic import ValidationError

    try:
        OpenDataContractStandard.model_validate(doc)
    except ValidationError as exc:
        return [ContractIssue(file, place_of(e["loc"]), f"ODCS: {e['msg']}") for e in exc.errors()]
    return []


def _custom(props: list[dict[str, Any]] | None) -> dict[str, Any]:
    return {p["property"]: p.get("value") for p in props or [] if isinstance(p, dict) and "property" in p}


class IssueCollector:
    """Problems of one file, collected (not raised one by one)."""

    def __init__(self, file: str):
        self.file = file
        self.issues: list[ContractIssue] = []

    def add(self, place: str, message: str) -> None:
        self.issues.append(ContractIssue(self.file, place, message))


def _parse_bound(value: Any, logical_type: str, place: str, out: IssueCollector) -> Any:
    if value is None:
        return None
    if logical_type == "date":
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            out.add(place, f"'{value}' is not a date in YYYY-MM-DD form")
            return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        out.add(place, "must be a number")
        return None
    return value


def _code_text(value: Any, logical: str) -> str | None:
    """One agreed code as the contract writes it (see `contract.value_text`), or None if it does not fit."""
    if logical == "string":
        return None if value is None else str(value)
    if logical == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            return None
        return str(value)
    if logical == "boolean":
        return ("true" if value else "false") if isinstance(value, bool) else None
    return None


def _coded_values(
    entries: Any, logical: str, place: str, out: IssueCollector
) -> tuple[tuple[str, ...] | None, dict[str, str]]:
    """The agreed values and their labels: text categories, integer codes (0 = control) or true/false.

    Codes are kept as text written one way ("0", "true") so that labels, checks and findings meet.
    """
    if not entries:
        return None, {}
    if logical not in ("string", "integer", "boolean"):
        out.add(place, f"agreed values (enum) are for text, whole-number or true/false fields, not a {logical}")
        return None, {}
    allowed: list[str] = []
    labels: dict[str, str] = {}
    for i, item in enumerate(entries):
        value = item.get("value") if isinstance(item, dict) else None
        text = _code_text(value, logical)
        if text is None:
            kind = {"integer": "a whole number", "boolean": "true or false (no quotes)"}.get(logical, "a value")
            out.add(f"{place}[{i}].value", f"each agreed value of a {logical} field must be {kind}, not {value!r}")
            continue
        if text in allowed:
            out.add(f"{place}[{i}].value", f"'{text}' is listed twice")
            continue
        allowed.append(text)
        if isinstance(item, dict) and item.get("label"):
            labels[text] = str(item["label"])
    return tuple(allowed), labels


def _field(prop: dict[str, Any], place: str, out: IssueCollector, texts: tuple[str, ...]) -> dict[str, Any] | None:
    name = prop.get("name", "")
    if not NAME_RE.match(str(name)):
        out.add(f"{place}.name", f"'{name}' is not a usable field name (letters, digits and _)")
    logical = prop.get("logicalType", "string")
    if logical not in SUPPORTED_TYPES:
        out.add(
            f"{place}.logicalType", f"'{logical}' is not supported; use one of {', '.join(SUPPORTED_TYPES)}"
        )
        return None
    custom = _custom(prop.get("customProperties"))
    role = custom.get("role")
    if role == SUSPECTED:
        out.add(
            f"{place}.customProperties",
            f"field '{name}' looks like it identifies people: remove it from the contract and from the data "
            f"sent, or, if it cannot identify anyone, give it one of the roles {', '.join(ROLES)}",
        )
    elif role not in ROLES:
        out.add(
            f"{place}.customProperties",
            f"field '{name}' needs a role: one of {', '.join(ROLES)}" + (f" (got '{role}')" if role else ""),
        )
    for key in texts:
        if not isinstance(custom.get(key), str) or not custom[key].strip():
            out.add(f"{place}.customProperties", f"field '{name}' needs '{key}' (plain words for families)")
    options = prop.get("logicalTypeOptions") or {}
    for unsupported in ("exclusiveMinimum", "exclusiveMaximum", "multipleOf"):
        if unsupported in options:
            out.add(f"{place}.logicalTypeOptions.{unsupported}", "not supported; use minimum/maximum")
    pattern = options.get("pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            out.add(f"{place}.logicalTypeOptions.pattern", f"not a valid regular expression: {exc}")
            pattern = None
    elif role == "pseudonymous_key":
        out.add(
            f"{place}.logicalTypeOptions",
            f"field '{name}' is a pseudonymous key and needs a pattern (e.g. pattern: '^C[0-9]{{5}}$'), so that "
            "its references can be kept out of reports, registers and the workshop",
        )
    allowed, labels = _coded_values(prop.get("enum"), logical, f"{place}.enum", out)
    separator = custom.get("multiValueSeparator")
    if separator is not None and (
        not allowed or not isinstance(separator, str) or not separator or logical != "string"
    ):
        out.add(f"{place}.customProperties", "multiValueSeparator needs a non-empty separator and an enum, on a text field")
    precision = custom.get("publishPrecision")
    if precision is not None and (
        isinstance(precision, bool) or not isinstance(precision, int | float) or not precision > 0
    ):
        out.add(f"{place}.customProperties", "publishPrecision must be a positive number, e.g. 0.1")
        precision = None
    return {
        "name": name,
        "plain_name": prop.get("businessName") or str(name).replace("_", " "),
        "logical_type": logical,
        "required": bool(prop.get("required", False)),
        "unique": bool(prop.get("unique", False)),
        "primary_key": bool(prop.get("primaryKey", False)),
        "pattern": pattern,
        "minimum": _parse_bound(options.get("minimum"), logical, f"{place}.logicalTypeOptions.minimum", out),
        "maximum": _parse_bound(options.get("maximum"), logical, f"{place}.logicalTypeOptions.maximum", out),
        "max_length": options.get("maxLength"),
        "allowed": allowed,
        "labels": labels,
        "multi_value_separator": separator,
        "precision": float(precision) if precision is not None else None,
        "role": role if role in ROLES else "free_text",
        "why": custom.get("why") or "",
        "adult_description": custom.get("adultDescription") or "",
        "child_description": custom.get("childDescription") or "",
        "place": place,
        "replaces": custom.get("replaces") if isinstance(custom.get("replaces"), str) else None,
    }


def _rules(
    entries: list[dict[str, Any]], place: str, names: set[str], owner: str | None, out: IssueCollector
) -> list[dict[str, Any]]:
    rules = []
    for i, entry in enumerate(entries):
        where = f"{place}.quality[{i}]"
        name = entry.get("name") or entry.get("id") or f"rule_{i + 1}"
        kind = entry.get("type", "library")
        if kind == "text":
            continue  # documentation for people; nothing to run
        description = entry.get("description") or name
        if kind == "custom":
            impl = entry.get("implementation")
            if (
                entry.get("engine") != "dpup_eval"
                or not isinstance(impl, dict)
                or impl.get("rule") != "field_order"
            ):
                out.add(
                    where,
                    "custom rules must use engine 'dpup_eval' with implementation {rule: field_order, left, op, right}",
                )
                continue
            left, right, op = impl.get("left"), impl.get("right"), impl.get("op")
            for side in (left, right):
                if side not in names:
                    out.add(f"{where}.implementation", f"'{side}' is not a field of this dataset")
            if op not in ORDER_OPS:
                out.add(f"{where}.implementation.op", f"'{op}' is not one of {', '.join(ORDER_OPS)}")
            rules.append(
                {
                    "name": name,
                    "description": description,
                    "kind": "field_order",
                    "fields": (left, right),
                    "op": op,
                    "place": where,
                }
            )
        elif entry.get("metric") == "duplicateValues":
            fields = (entry.get("arguments") or {}).get("properties") or ([owner] if owner else [])
            if entry.get("mustBe") != 0:
                out.add(where, "duplicateValues is supported with mustBe: 0")
            missing = [f for f in fields if f not in names]
            if not fields or missing:
                out.add(
                    f"{where}.arguments",
                    f"duplicateValues needs existing properties (missing: {missing or 'all'})",
                )
                continue
            rules.append(
                {
                    "name": name,
                    "description": description,
                    "kind": "unique_together",
                    "fields": tuple(fields),
                    "place": where,
                }
            )
        else:
            out.add(
                where,
                f"quality rule '{name}' is not supported; use duplicateValues, a dpup_eval field_order rule, or type: text",
            )
    return rules


def _dpup(file: str, path: Path, doc: dict[str, Any], children: bool) -> dict[str, Any]:
    out = IssueCollector(file)
    texts = FIELD_TEXT if children else tuple(k for k in FIELD_TEXT if k != "childDescription")
    custom = _custom(doc.get("customProperties"))
    for key in REQUIRED_TEXT:
        if not isinstance(custom.get(key), str) or not custom[key].strip():
            out.add("customProperties", f"DPUP needs '{key}' (say it in plain words)")
    for key in REQUIRED_LISTS:
        value = custom.get(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            out.add("customProperties", f"DPUP needs '{key}': a list of plain statements")
    purpose = custom.get("purpose")
    if isinstance(purpose, str) and not PURPOSE_RE.match(purpose):
        out.add("customProperties", f"purpose '{purpose}' must be lower case letters, digits and _")
    k = custom.get("minGroupSize", DEFAULT_K)
    if isinstance(k, bool) or not isinstance(k, int) or k < 2:
        out.add("customProperties", f"minGroupSize must be a whole number of at least 2 (got {k!r})")
    disclosure = custom.get("disclosureControl") or {}
    if not isinstance(disclosure, dict) or not all(isinstance(v, int) for v in disclosure.values()):
        out.add(
            "customProperties",
            "disclosureControl must map roundingBase/minimumCount/minimumForMean to whole numbers",
        )
        disclosure = {}
    objects = doc.get("schema") or []
    if len(objects) != 1:
        out.add("schema", f"a contract describes exactly one dataset for its purpose (found {len(objects)})")
    fields: list[dict[str, Any]] = []
    rules: list[dict[str, Any]] = []
    dataset = objects[0] if objects else {}
    props = dataset.get("properties") or []
    if objects and not props:
        out.add("schema[0].properties", "the dataset has no fields")
    names: set[str] = set()
    for i, prop in enumerate(props):
        parsed = _field(prop, f"schema[0].properties[{i}]", out, texts)
        if parsed is None:
            continue
        if parsed["name"] in names:
            out.add(f"schema[0].properties[{i}].name", f"field '{parsed['name']}' is listed twice")
        names.add(parsed["name"])
        fields.append(parsed)
    for i, prop in enumerate(props):
        rules += _rules(prop.get("quality") or [], f"schema[0].properties[{i}]", names, prop.get("name"), out)
    rules += _rules(dataset.get("quality") or [], "schema[0]", names, None, out)
    if out.issues:
        raise ContractError(out.issues)
    disclosure_checked = _check_disclosure(file, disclosure)
    return {
        "path": path,
        "id": doc["id"],
        "name": doc.get("name") or doc["id"],
        "version": str(doc.get("version", "")),
        "purpose": purpose,
        "purpose_statement": custom["purposeStatement"].strip(),
        "child_purpose_statement": (
            custom.get("childPurposeStatement") or custom["purposeStatement"]
        ).strip(),
        "recipient": custom["recipient"],
        "recipient_plain": custom.get("recipientPlain") or custom["recipient"],
        "provider": custom.get("provider") or doc.get("tenant") or "the provider",
        "programme": custom.get("programme") or doc.get("dataProduct") or doc.get("name") or doc["id"],
        "schedule": custom["schedule"],
        "not_used_for": tuple(custom["notUsedFor"]),
        "not_seen_by": tuple(custom["notSeenBy"]),
        "retention": custom["retention"],
        "retention_child": custom.get("retentionChild") or custom["retention"],
        "family_choices": (custom.get("familyChoices") or "").strip(),
        "legal_basis": (custom.get("legalBasis") or "").strip(),
        "how_to_ask": (custom.get("howToAsk") or "").strip(),
        "min_group_size": k,
        "disclosure_control": disclosure_checked,
        "dataset": dataset.get("name", ""),
        "dataset_plain": dataset.get("businessName") or dataset.get("name", ""),
        "fields": fields,
        "rules": rules,
    }


def _check_disclosure(file: str, disclosure: dict[str, int]) -> dict[str, int]:
    """A contract may tighten the Stats NZ defaults but never loosen them."""
    if not disclosure:
        return {}
    try:
        DisclosureRules.from_mapping(disclosure)
    except ValueError as exc:
        raise ContractError([ContractIssue(file, "customProperties.disclosureControl", str(exc))]) from None
    return dict(disclosure)


def draft_issues(file: str, doc: Any) -> list[ContractIssue]:
    """Every place a draft still needs a decision: TODO text anywhere, and `status: draft`.

    Why refuse a draft: `contract draft` and `dpup-eval init` write TODOs where people must say what a
    field is for and who will not see it; data accepted against such a file would have been agreed by
    nobody. (A field's TODO role is reported where roles are checked, with the roles to choose from.)
    """
    issues: list[ContractIssue] = []
    if isinstance(doc, dict) and str(doc.get("status", "")).strip().lower() == "draft":
        issues.append(ContractIssue(file, "status", "the contract is still a draft: settle every place listed "
                                                    "here with the people it concerns, then set status: active"))

    def walk(node: Any, path: list[Any], about: str) -> None:
        if isinstance(node, dict):
            if node.get("property") == "role":
                return  # an unsettled role is reported with the roles to choose from
            if isinstance(node.get("property"), str):
                about = f"{about} {node['property']}".strip()
            elif isinstance(node.get("name"), str) and path[-2:-1] == ["properties"]:
                about = f"field '{node['name']}'"
            elif isinstance(node.get("id"), str) and path[-2:-1] == ["indicators"]:
                about = f"indicator '{node['id']}'"
            elif isinstance(node.get("id"), str) and path[-2:-1] == ["definitions"]:
                about = f"{about}, definition '{node['id']}'"
            for key, value in node.items():
                walk(value, [*path, key], about)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, [*path, i], about)
        elif isinstance(node, str) and "TODO" in node:
            todo = node.strip().splitlines()[0][:120]
            where = f"{about}: " if about else ""
            issues.append(ContractIssue(file, place_of(path), f"{where}still to settle: replace '{todo}' with the "
                                                              "agreed words"))

    walk(doc, [], "")
    return issues


def parse_contract_file(path: Path, *, children: bool = True) -> dict[str, Any]:
    """Everything `Contract` needs, or `ContractError` listing every problem found (drafts included)."""
    file = str(path)
    doc = read_yaml_mapping(path)
    drafts = draft_issues(file, doc)
    issues = _schema_issues(file, doc)
    if issues:
        raise ContractError(drafts + issues)
    try:
        parsed = _dpup(file, path, doc, children)
    except ContractError as error:
        raise ContractError(drafts + error.issues) from None
    if drafts:
        raise ContractError(drafts)
    return parsed
