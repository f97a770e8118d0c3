"""The contract's check specs as DuckDB SQL: `load(..., engine="duckdb")`.

The same specs `gx_engine` hands to Great Expectations, each written as one SQL condition that is
true on a failing row, evaluated by embedded DuckDB over the file's text columns as Arrow (no copy
into pandas for the checks). Parsing mirrors `values.parse_values` (numbers that are whole below
2**53, real dates in YYYY-MM-DD, true/false words), missing values pass every rule but "not blank",
and regexes are searched as GX's pandas engine does (both use RE2 on Arrow strings).
`tests/test_duckdb_engine.py` checks that a load through this engine gives the same report as GX's.

This is also how the specs reach a database: the same SQL runs where the data lives (DuckDB here;
GX's SQL data sources for PostgreSQL or Spark are the route for an agency-wide source).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pyarrow as pa

from dpup_eval.agreement.contract import Contract
from dpup_eval.agreement.field_values import FALSE_TEXT, TRUE_TEXT
from dpup_eval.errors import DpupEvalError
from dpup_eval.intake.gx_engine import ExpectationOutcome
from dpup_eval.intake.specs import CheckSpec, to_expectation

POSITION = "__position"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _name(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _text_list(values: Any) -> str:
    return ", ".join(_quote(str(v)) for v in values)


def typed_sql(column: str, kind: str) -> str:
    """SQL for a text column parsed as `values.parse_values` parses it (NULL when it does not parse)."""
    c = _name(column)
    if kind in ("integer", "number"):
        number = f"TRY_CAST({c} AS DOUBLE)"
        if kind == "number":  # pandas reads "inf" as a number and "nan" as missing
            return f"CASE WHEN NOT isnan({number}) THEN {number} END"
        return (f"CASE WHEN isfinite({number}) AND {number} = floor({number}) AND abs({number}) < 9007199254740992 "
                f"THEN {number} END")
    if kind == "date":
        return f"CAST(try_strptime({c}, '%Y-%m-%d') AS DATE)"
    if kind == "boolean":
        return (f"CASE WHEN lower({c}) IN ({_text_list(sorted(TRUE_TEXT))}) THEN true "
                f"WHEN lower({c}) IN ({_text_list(sorted(FALSE_TEXT))}) THEN false END")
    return c


def _literal(value: Any, kind: str) -> str:
    return f"DATE {_quote(str(value))}" if kind == "date" else repr(float(value))


def failing_sql(spec: CheckSpec, kinds: Mapping[str, str]) -> str:
    """A condition true exactly on the rows that fail `spec` (never NULL)."""
    p = spec.params
    c = _name(spec.columns[0])
    if spec.kind == "not_null":
        sql = f"{c} IS NULL"
    elif spec.kind == "match_regex":
        sql = f"NOT regexp_matches({c}, {_quote(p['regex'])})"
    elif spec.kind == "in_set":
        sql = f"{c} NOT IN ({_text_list(p['values'])})"
    elif spec.kind == "max_length":
        sql = f"length({c}) > {int(p['max'])}"
    elif spec.kind == "date_format":
        sql = f"{c} IS NOT NULL AND try_strptime({c}, {_quote(p['format'])}) IS NULL"
    elif spec.kind == "between":
        kind = kinds[spec.columns[0]]
        typed = typed_sql(spec.columns[0], kind)
        parts = [f"{typed} < {_literal(p['min'], kind)}"] if p["min"] is not None else []
        parts += [f"{typed} > {_literal(p['max'], kind)}"] if p["max"] is not None else []
        sql = " OR ".join(parts)
    elif spec.kind == "unique":
        keys = ", ".join(_name(n) for n in spec.columns)
        # One column: blanks skipped. Several: rows blank in every key column skipped (as GX does).
        skipped = " AND ".join(f"{_name(n)} IS NULL" for n in spec.columns)
        sql = f"NOT ({skipped}) AND count(*) OVER (PARTITION BY {keys}) > 1"
    elif spec.kind == "field_order":
        left, right = (typed_sql(n, kinds[n]) for n in spec.columns)
        sql = f"NOT ({left} {p['op']} {right})"
    else:
        raise ValueError(f"unknown check kind '{spec.kind}'")
    return f"coalesce({sql}, false)"


def run_specs(specs: list[CheckSpec], columns: dict[str, pa.ChunkedArray], rows: int,
              contract: Contract) -> list[ExpectationOutcome]:
    """Evaluate every spec whose columns are present over the text columns; outcomes in spec order."""
    try:
        import duckdb
    except ImportError:
        raise DpupEvalError("the DuckDB engine needs the duckdb package: pip install 'dpup_eval[duckdb]'") from None

    kinds = {f.name: f.logical_type for f in contract.fields}
    present = [s for s in specs if all(c in columns for c in s.columns)]
    if not present or not rows:
        return []
    table = pa.table({**columns, POSITION: pa.array(np.arange(rows, dtype=np.int64))})
    conditions = ", ".join(f"{failing_sql(s, kinds)} AS r{i}" for i, s in enumerate(present))
    con = duckdb.connect()
    try:
        con.register("checked_file", table)
        flags = con.sql(f"SELECT {POSITION}, {conditions} FROM checked_file").to_arrow_table()
    finally:
        con.close()
    order = np.argsort(flags[POSITION].to_numpy())
    outcomes = []
    for i, spec in enumerate(present):
        failing = np.asarray(flags[f"r{i}"].to_numpy(zero_copy_only=False), dtype=bool)[order]
        outcomes.append(ExpectationOutcome(spec, to_expectation(spec)["type"], not failing.any(), failing, "duckdb"))
    return outcomes

