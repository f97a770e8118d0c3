"""`load()`: the one way data enters the workbench, checked against its contract.

Order of work: read every line as text; dataset-level schema checks (missing, unexpected,
repeated columns); the contract's row rules through Great Expectations (on distinct values,
see `checks.gx_engine`); the identifier scan; the re-identification (k) check on the rows that
passed. Each input row ends up either accepted or quarantined with every reason, and the
report's counts say so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from dpup_eval.agreement.contract import Contract, contract_for
from dpup_eval.codes import (
    DUPLICATE_COLUMN,
    INVALID_DATE,
    INVALID_TYPE,
    K_ANONYMITY,
    MISSING_COLUMN,
    NO_ROWS,
    NO_ROWS_ACCEPTED,
    UNEXPECTED_COLUMN,
    UNSUPPORTED_TYPE,
)
from dpup_eval.intake import risk
from dpup_eval.intake.identifier_checks import HeldValues, header_problems, identifier_problems
from dpup_eval.intake.identifiers import redact_text, safe_labels
from dpup_eval.intake.reading import RawTable, dedupe_names, read_table
from dpup_eval.intake.report import CheckReport, ExpectationResult, Problem
from dpup_eval.intake.specs import build_specs
from dpup_eval.intake.values import ColumnValues, factorize

#: What can run the contract's row rules (`load(engine=...)`).
ENGINES = ("pandas", "duckdb")


@dataclass
class LoadResult:
    """Accepted data (typed, only the agreed fields), the report, and the quarantined rows."""

    data: pd.DataFrame
    report: CheckReport
    quarantine: pd.DataFrame
    contract: Contract

    def __iter__(self):  # allows `data, report, quarantine = load(...)`
        return iter((self.data, self.report, self.quarantine))


class Problems:
    """Collects problems and, per row position, the reasons that quarantine it."""

    def __init__(self, row_numbers: np.ndarray):
        self.row_numbers = row_numbers
        self.items: list[Problem] = []
        self.quarantine = np.zeros(len(row_numbers), dtype=bool)
        self.reasons: dict[int, list[str]] = defaultdict(list)

    def dataset(
        self, code: str, column: str | None, message: str, count: int = 1, rows: list[int] | None = None
    ) -> None:
        self.items.append(
            Problem(
                code=code,
                level="dataset",
                column=column,
                rows=rows or [],
                count=count,
                message=message,
                action="rejected",
            )
        )

    def rows(
        self, code: str, column: str | None, mask: np.ndarray, message: str,
        action: Literal["quarantined", "redacted", "rejected"] = "quarantined",
    ) -> None:
        positions = np.flatnonzero(mask)
        if not len(positions):
            return
        self.items.append(
            Problem(
                code=code,
                level="row",
                column=column,
                rows=self.row_numbers[positions].tolist(),
                count=len(positions),
                message=message,
                action=action,
            )
        )
        if action == "quarantined":
            self.quarantine |= mask
            label = f"{code} ({column})" if column else code
            for position in positions.tolist():
                self.reasons[position].append(label)


def load(
    path: str | Path,
    contract: Contract | str | Path,
    purpose: str,
    *,
    sheet: str | None = None,
    audit: bool = True,
    engine: str = "pandas",
) -> LoadResult:
    """Check `path` against the contract for `purpose` and return what may be used.

    `contract` is a loaded `Contract`, a contract file, or an agreement folder holding one
    contract per purpose. With `audit` (the default) the load is recorded in the audit log: who,
    the file's fingerprint, the fields passed on, for which purpose, when (never any value).
    `engine` runs the contract's row rules: "pandas" (Great Expectations on distinct values, very
    many distinct values vectorised) or "duckdb" (the same rules as SQL in embedded DuckDB).
    Raises `DataFileError`/`ContractError`/`UnknownPurposeError` when the
    check cannot run at all; every other problem is in the report.
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not '{engine}'")
    c = contract_for(contract, purpose)
    raw = read_table(path, sheet=sheet, expected=c.field_names)
    frame = raw.frame
    problems = Problems(raw.row_numbers)
    # Header cells are data too: names that hold an identifier are shown by position ("column 7").
    # Keyed by the header's internal names: a column the frame lacks (a Parquet list) keeps positions right.
    internal = dedupe_names(raw.header)
    shown = dict(zip(internal, safe_labels(raw.header, "column"), strict=False))
    if raw.header and not set(raw.header) & set(c.field_names):
        # Not one agreed name: the first line is most likely a record, so none of its cells is shown.
        shown = {name: f"column {i}" for i, name in enumerate(internal, start=1)}
        raw.notes.append("the first line has none of the agreed column names; it may be a record rather "
                         "than a header, so its cells are shown only by their position")
    if raw.notes:  # notes can quote the file (a sheet's name): no identifier may pass through them
        raw.notes = [str(note) for note in redact_text(pd.Series(raw.notes, dtype=object))[0]]
    header_problems(raw, shown, problems)
    _schema_problems(c, raw, shown, problems)

    present = [f for f in c.fields if f.name in frame.columns]
    text = {f.name: pa.array(frame[f.name].array) for f in present} if engine == "duckdb" else None
    values = {f.name: factorize(frame[f.name], f) for f in present}
    # The distinct values and codes now hold these columns; keep only free text and unagreed columns.
    frame = raw.frame = frame.drop(columns=[f.name for f in present if not f.is_free_text])
    expectations = _run_rules(c, values, len(frame), problems, text)
    del text
    redacted, rows_redacted, held_values = identifier_problems(c, frame, values, problems, shown)

    passing = ~problems.quarantine
    qi = c.quasi_identifiers
    if all(name in values for name in qi) and qi and passing.any():
        small = risk.small_group_rows([values[name].codes for name in qi], passing, c.min_group_size)
        if small.any():
            groups = risk.count_small_groups([values[name].codes for name in qi], passing, c.min_group_size)
            problems.dataset(
                K_ANONYMITY,
                None,
                K_ANONYMITY.message(groups=groups, people=int(small.sum()), k=c.min_group_size, fields=", ".join(qi)),
                count=int(small.sum()),
                rows=raw.row_numbers[small].tolist(),
            )
    _line_problems(raw, problems)

    accepted_dataset = not any(p.level == "dataset" for p in problems.items)
    data, quarantine = _split(c, raw, values, redacted, held_values, problems, accepted_dataset)
    replaced = sum(int(mask.sum()) for mask in held_values.masks.values())
    if replaced and len(quarantine):
        raw.notes.append(
            f"identifiers found outside free text were redacted in the quarantine file: {replaced} distinct "
            "value(s) are shown there as a marker such as [phone removed], never as the value"
        )
    if accepted_dataset and raw.rows_read and not len(data):
        accepted_dataset = False  # "ACCEPTED" with nothing accepted would be a lie
        problems.dataset(NO_ROWS_ACCEPTED, None, NO_ROWS_ACCEPTED.message(rows=f"{raw.rows_read:,}"),
                         count=raw.rows_read)
    report = CheckReport(
        file=Path(path).name,
        source_format=raw.source_format,
        contract=c.id,
        contract_version=c.version,
        purpose=c.purpose,
        recipient=c.recipient,
        min_group_size=c.min_group_size,
        accepted=accepted_dataset,
        rows_read=raw.rows_read,
        lines_read=raw.lines_read,
        blank_lines=len(raw.blank_lines),
        rows_accepted=len(data),
        rows_quarantined=len(quarantine),
        rows_redacted=rows_redacted,
        columns=list(data.columns),
        problems=problems.items,
        expectations=expectations,
        notes=raw.notes,
    )
    if (
        report.rows_accepted + report.rows_quarantined != report.rows_read
    ):  # pragma: no cover - a bug, never data
        raise AssertionError("rows were lost between reading and checking")
    if audit:
        from dpup_eval.audit import record_use

        record_use("load", purpose=c.purpose, dataset=Path(path), fields=report.columns,
                   details={"rows_read": report.rows_read, "rows_accepted": report.rows_accepted,
                            "accepted": report.accepted, "contract_version": c.version})
    return LoadResult(data=data, report=report, quarantine=quarantine, contract=c)


def _line_problems(raw: RawTable, problems: Problems) -> None:
    """Lines quarantined as they stand (malformed, bad quotes, NUL, encoding...): one problem per kind and reason."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for m in raw.malformed:
        groups[(m.code, m.detail)].append(m.row)
    for (code, detail), rows in groups.items():
        problems.items.append(
            Problem(code=code, level="row", column=None, rows=rows, count=len(rows), message=detail,
                    action="quarantined")
        )


def _schema_problems(c: Contract, raw: RawTable, shown: dict[str, str], problems: Problems) -> None:
    label_of = dict(zip(raw.header, shown.values(), strict=False))  # a repeated name keeps its first label
    for name, why in raw.unsupported.items():
        label = label_of[name]
        agreed_as = f"agreed as {c.field(name).logical_type}" if name in c.field_names else "not agreed"
        problems.dataset(UNSUPPORTED_TYPE, label, UNSUPPORTED_TYPE.message(label=label, why=why, agreed_as=agreed_as))
    for name in raw.duplicate_columns:
        label = label_of[name]
        problems.dataset(
            DUPLICATE_COLUMN,
            label,
            DUPLICATE_COLUMN.message(label=label),
            count=raw.header.count(name),
        )
    if "" in raw.header:
        problems.dataset(
            UNEXPECTED_COLUMN, None, UNEXPECTED_COLUMN.message(column="a column with no name in the header",
                                                               purpose=c.purpose)
        )
    agreed = set(c.field_names)
    for name in dict.fromkeys(h for h in raw.header if h):
        if name not in agreed:
            label = label_of[name]
            problems.dataset(
                UNEXPECTED_COLUMN,
                label,
                UNEXPECTED_COLUMN.message(column=f"'{label}'", purpose=c.purpose),
            )
    for f in c.fields:
        if f.name not in raw.frame.columns and f.name not in raw.unsupported:
            if f.required:
                problems.dataset(
                    MISSING_COLUMN, f.name, MISSING_COLUMN.message(field=f.name, plain_name=f.plain_name)
                )
            else:
                raw.notes.append(f"optional column '{f.name}' is not in the file; it is treated as blank")
                raw.frame[f.name] = pd.Series(
                    pd.NA,
                    index=raw.frame.index,
                    dtype=raw.frame.dtypes.iloc[0] if len(raw.frame.columns) else "string[pyarrow]",
                )
    if raw.rows_read == 0:
        problems.dataset(NO_ROWS, None, NO_ROWS.message(), count=0)


def _run_rules(
    c: Contract, values: dict[str, ColumnValues], rows: int, problems: Problems,
    text: dict[str, pa.ChunkedArray] | None = None,
) -> list[ExpectationResult]:
    """The contract's row rules: by GX on distinct values, or (given the text columns) by DuckDB."""
    specs = build_specs(c)
    if text is not None:
        from dpup_eval.intake import duckdb_engine

        outcomes = duckdb_engine.run_specs(specs, text, rows, c)
    else:
        from dpup_eval.intake import gx_engine  # Great Expectations is imported only when a check runs

        outcomes = gx_engine.run_specs(specs, values, rows) if rows else []
    results = []
    for outcome in outcomes:
        spec = outcome.spec
        where = spec.columns[0] if spec.scope != "rows" else " + ".join(spec.columns)
        problems.rows(spec.code, where, outcome.failing_rows, spec.description)
        results.append(
            ExpectationResult(
                check=spec.key,
                expectation=outcome.expectation,
                description=spec.description,
                success=outcome.success,
                failing_rows=int(outcome.failing_rows.sum()),
                engine=outcome.engine,
            )
        )
    # Pandas parsing must agree with the GX type rules; anything it could not parse is quarantined too.
    for name, column in values.items():
        unparsed = column.typed.isna().to_numpy() & column.raw.notna().to_numpy()
        mask = column.rows_where(np.flatnonzero(unparsed)) & ~problems.quarantine
        f = c.field(name)
        if mask.any() and f.logical_type in ("integer", "number", "date", "boolean"):
            problems.rows(
                INVALID_DATE if f.logical_type == "date" else INVALID_TYPE,
                name,
                mask,
                f"{name} could not be read as a {f.logical_type}",
            )
    return results


def _split(
    c: Contract,
    raw: RawTable,
    values: dict[str, ColumnValues],
    redacted: dict[str, pd.Series],
    held_values: HeldValues,
    problems: Problems,
    accepted_dataset: bool,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    keep = ~problems.quarantine if accepted_dataset else np.zeros(len(raw.row_numbers), dtype=bool)
    held = ~keep
    everything = bool(keep.all())
    columns, held_text = {}, {}
    for f in c.fields:
        if f.name not in values:
            continue
        column = values[f.name]
        if f.name in redacted:
            text = redacted[f.name]
            columns[f.name] = text if everything else text[keep]
            held_text[f.name] = text[held].to_numpy()
        else:
            columns[f.name] = column.typed_rows(keep)
            held_text[f.name] = held_values.raw(f.name, column).take(column.codes[held]).to_numpy()
    data = pd.DataFrame({k: v.reset_index(drop=True) for k, v in columns.items()})
    data.index = pd.Index(raw.row_numbers[keep], name="row")
    quarantined = pd.DataFrame(held_text, index=pd.Index(raw.row_numbers[held], name="row"))
    for name in quarantined.columns:
        quarantined[name] = quarantined[name].astype("string[pyarrow]")
    dataset_codes = sorted({p.code for p in problems.items if p.level == "dataset"})
    reasons = []
    for position in np.flatnonzero(held).tolist():
        own = problems.reasons.get(position, [])
        if not accepted_dataset:
            own = [*own, "dataset-rejected (" + ", ".join(dataset_codes) + ")"]
        reasons.append("; ".join(own))
    quarantined.insert(0, "reasons", pd.Series(reasons, index=quarantined.index, dtype="string[pyarrow]"))
    if raw.malformed:
        extra = pd.DataFrame(
            {
                "reasons": [
                    f"{m.code} ({m.detail})" + ("" if accepted_dataset else "; dataset-rejected")
                    for m in raw.malformed
                ]
            },
            index=pd.Index([m.row for m in raw.malformed], name="row"),
        ).astype("string[pyarrow]")
        quarantined = pd.concat([quarantined, extra]).sort_index()
    return data, quarantined
