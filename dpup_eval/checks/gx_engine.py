"""The one place Great Expectations (GX Core 1.x) is used.

Nothing outside this module imports GX: it takes 6 s to import, so it is imported here, only
when a check runs. The engine turns check specs into an expectation suite and validates:
- single-value rules on a frame of each column's *distinct* values (the answer for a value is
  the same on every row holding it), small columns sharing one padded frame;
- two-field rules on the distinct pairs of values;
- key uniqueness on the key columns of every row.
Failing distinct values are mapped back to rows by the caller's codes. Progress bars are off and
the context is ephemeral (it writes no files).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dpup_eval.checks.specs import CheckSpec, to_expectation
from dpup_eval.checks.values import ColumnValues

#: Columns with more distinct values than this get a frame of their own.
SHARED_FRAME_LIMIT = 20_000
POSITION = "_pos"


@dataclass
class ExpectationOutcome:
    """What GX said about one expectation, in row terms."""

    spec: CheckSpec
    expectation: str
    success: bool
    failing_rows: np.ndarray  # boolean mask over rows


class _GX:
    """A lazily built ephemeral context with progress bars silenced."""

    def __init__(self) -> None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx
        import great_expectations.expectations as gxe
        from great_expectations.data_context.types.base import ProgressBarsConfig

        for name in ("great_expectations", "great_expectations.core", "great_expectations.data_context"):
            logging.getLogger(name).setLevel(logging.ERROR)
        self.gx = gx
        self.gxe = gxe
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        source = self.context.data_sources.add_pandas("dpup_eval")
        self.batch_definition = source.add_dataframe_asset(
            "checked_file"
        ).add_batch_definition_whole_dataframe("all")

    def expectation(self, config: dict[str, Any], index: int) -> Any:
        class_name = "".join(part.capitalize() for part in config["type"].split("_"))
        # `meta` carries our index through GX, which may return results in another order.
        return getattr(self.gxe, class_name)(**config["kwargs"], meta={"dpup_index": index})

    def validate(self, frame: pd.DataFrame, configs: list[dict[str, Any]]) -> list[tuple[bool, list[int]]]:
        """(success, failing positions) for each config, in order."""
        suite = self.gx.ExpectationSuite(name="contract")
        for index, config in enumerate(configs):
            suite.add_expectation(self.expectation(config, index))
        batch = self.batch_definition.get_batch(batch_parameters={"dataframe": frame})
        result = batch.validate(
            suite,
            result_format={
                "result_format": "COMPLETE",
                "unexpected_index_column_names": [POSITION],
                "partial_unexpected_count": 0,
                "return_unexpected_index_query": False,
            },
        )
        out: list[tuple[bool, list[int]] | None] = [None] * len(configs)
        for r in result.results:
            index = r.expectation_config.meta["dpup_index"]
            if r.exception_info and r.exception_info.get("raised_exception"):
                raise RuntimeError(
                    f"the check {configs[index]['type']} could not run: "
                    f"{r.exception_info.get('exception_message')}"
                )
            failing = [int(item[POSITION]) for item in r.result.get("unexpected_index_list") or []]
            out[index] = (bool(r.success), failing)
        if any(o is None for o in out):
            raise RuntimeError("Great Expectations returned fewer results than expectations")
        return out  # type: ignore[return-value]


_engine: _GX | None = None


def _gx() -> _GX:
    global _engine
    if _engine is None:
        _engine = _GX()
    return _engine


def warm_up() -> None:
    """Import GX and build the context now (benchmarks time loading apart from the import)."""
    _gx()


def _padded(columns: Sequence[ColumnValues], specs_by_column: dict[str, list[CheckSpec]]) -> pd.DataFrame:
    """One frame holding each column's distinct values, padded by repeating its first value."""
    height = max(c.size for c in columns)
    data: dict[str, Any] = {POSITION: np.arange(height)}
    for column in columns:
        pad = np.concatenate([np.arange(column.size), np.zeros(height - column.size, dtype=np.int64)])
        data[column.name] = column.raw.take(pad).reset_index(drop=True)
        if any(s.typed for s in specs_by_column[column.name]):
            data[f"{column.name}__typed"] = column.typed.take(pad).reset_index(drop=True)
    return pd.DataFrame(data)


def _value_configs(specs: list[CheckSpec]) -> list[dict[str, Any]]:
    configs = []
    for spec in specs:
        col = spec.columns[0]
        configs.append(to_expectation(spec, value_column=f"{col}__typed" if spec.typed else col))
    return configs


def run_specs(specs: list[CheckSpec], values: dict[str, ColumnValues], rows: int) -> list[ExpectationOutcome]:
    """Validate every spec whose columns are present; outcomes in spec order."""
    gx = _gx()
    outcomes: dict[str, ExpectationOutcome] = {}

    def record(spec: CheckSpec, success: bool, mask: np.ndarray) -> None:
        outcomes[spec.key] = ExpectationOutcome(spec, to_expectation(spec)["type"], success, mask)

    value_specs: dict[str, list[CheckSpec]] = {}
    for spec in specs:
        if spec.scope == "value" and spec.columns[0] in values:
            value_specs.setdefault(spec.columns[0], []).append(spec)
    small = [values[name] for name in value_specs if values[name].size <= SHARED_FRAME_LIMIT]
    groups: list[list[ColumnValues]] = [small] if small else []
    groups += [[values[name]] for name in value_specs if values[name].size > SHARED_FRAME_LIMIT]
    for group in groups:
        frame = _padded(group, value_specs)
        group_specs = [s for c in group for s in value_specs[c.name]]
        for spec, (success, failing) in zip(
            group_specs, gx.validate(frame, _value_configs(group_specs)), strict=True
        ):
            column = values[spec.columns[0]]
            positions = np.asarray([p for p in failing if p < column.size], dtype=np.int64)
            record(spec, success, column.rows_where(positions))

    for spec in specs:
        if spec.scope == "pair" and all(c in values for c in spec.columns):
            left, right = (values[c] for c in spec.columns)
            pair_codes = left.codes * right.size + right.codes
            distinct, inverse = np.unique(pair_codes, return_inverse=True)
            frame = pd.DataFrame(
                {
                    POSITION: np.arange(len(distinct)),
                    left.name: left.typed.take(distinct // right.size).reset_index(drop=True),
                    right.name: right.typed.take(distinct % right.size).reset_index(drop=True),
                }
            )
            [(success, failing)] = gx.validate(frame, [to_expectation(spec)])
            bad = np.zeros(len(distinct), dtype=bool)
            bad[np.asarray(failing, dtype=np.int64)] = True
            record(spec, success, bad[inverse])
        elif spec.scope == "rows" and all(c in values for c in spec.columns):
            frame = pd.DataFrame({POSITION: np.arange(rows)})
            for c in spec.columns:
                # Codes stand in for the text: equal codes are equal values, and no text is copied.
                column = values[c]
                codes = pd.array(column.codes, dtype="Int64")
                if column.raw.isna().iloc[-1]:
                    codes[column.codes == column.size - 1] = pd.NA
                frame[c] = codes
            [(success, failing)] = gx.validate(frame, [to_expectation(spec)])
            mask = np.zeros(rows, dtype=bool)
            mask[np.asarray(failing, dtype=np.int64)] = True
            record(spec, success, mask)
    return [outcomes[s.key] for s in specs if s.key in outcomes]
