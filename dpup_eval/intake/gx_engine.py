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
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dpup_eval.intake.specs import CheckSpec, to_expectation
from dpup_eval.intake.values import ColumnValues

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
        with warnings.catch_warnings():
            # pandas warns when a contract's pattern has groups; the match itself is what counts.
            warnings.filterwarnings("ignore", message="This pattern is interpreted as a regular expression",
                                    category=UserWarning)
            result = batch.validate(
                suite,
                result_format={"result_format": "COMPLETE", "unexpected_index_column_names": [POSITION],
                               "partial_unexpected_count": 0, "return_unexpected_index_query": False},
            )
        out: list[tuple[bool, list[int]] | None] = [None] * len(configs)
        for r in result.results:
            index = r.expectation_config.meta["dpup_index"]
            failure = _raised(r.exception_info)
            if failure is not None:
                raise RuntimeError(f"the check {configs[index]['type']} on {configs[index]['kwargs']} "
                                   f"could not run: {failure}")
            failing = [int(item[POSITION]) for item in r.result.get("unexpected_index_list") or []]
            out[index] = (bool(r.success), failing)
        if any(o is None for o in out):
            raise RuntimeError("Great Expectations returned fewer results than expectations")
        return out  # type: ignore[return-value]


def _raised(info: Any) -> str | None:
    """The message of an exception GX caught while computing a result (it nests them by metric)."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message") or "unknown error")
    for value in info.values():
        found = _raised(value)
        if found is not None:
            return found
    return None


_engine: _GX | None = None


def _gx() -> _GX:
    global _engine
    if _engine is None:
        _engine = _GX()
    return _engine


def warm_up() -> None:
    """Import GX and build the context now (benchmarks time loading apart from the import)."""
    _gx()


@dataclass
class _Job:
    """One expectation on one frame, and how to turn failing frame positions into failing rows."""

    spec: CheckSpec
    config: dict[str, Any]
    size: int  # positions at or beyond this are padding
    to_rows: Callable[[np.ndarray], np.ndarray]


def _pad(columns: dict[str, pd.Series]) -> pd.DataFrame:
    """One frame from columns of different lengths, each padded by repeating its first value.

    Repeating a value already present cannot change a single-value or pair rule's answer; the
    padded positions are ignored when results are mapped back.
    """
    height = max(len(s) for s in columns.values())
    data: dict[str, Any] = {POSITION: np.arange(height)}
    for name, series in columns.items():
        take = np.concatenate([np.arange(len(series)), np.zeros(height - len(series), dtype=np.int64)])
        data[name] = series.take(take).reset_index(drop=True)
    return pd.DataFrame(data)


def _value_jobs(specs: list[CheckSpec], column: ColumnValues, frame: dict[str, pd.Series]) -> list[_Job]:
    frame[column.name] = column.raw
    if any(s.typed for s in specs):
        frame[f"{column.name}__typed"] = column.typed
    jobs = []
    for spec in specs:
        rename = {column.name: f"{column.name}__typed" if spec.typed else column.name}
        jobs.append(_Job(spec, to_expectation(spec, rename=rename), column.size, column.rows_where))
    return jobs


def _pair_job(spec: CheckSpec, left: ColumnValues, right: ColumnValues, frame: dict[str, pd.Series]) -> _Job:
    """A two-field rule on the distinct pairs of values (few, even for a million rows)."""
    distinct, inverse = np.unique(left.codes * right.size + right.codes, return_inverse=True)
    names = {left.name: f"{spec.key}::{left.name}", right.name: f"{spec.key}::{right.name}"}
    frame[names[left.name]] = left.typed.take(distinct // right.size).reset_index(drop=True)
    frame[names[right.name]] = right.typed.take(distinct % right.size).reset_index(drop=True)

    def to_rows(positions: np.ndarray) -> np.ndarray:
        bad = np.zeros(len(distinct), dtype=bool)
        bad[positions] = True
        return bad[inverse]

    return _Job(spec, to_expectation(spec, rename=names), len(distinct), to_rows)


def _key_job(spec: CheckSpec, values: dict[str, ColumnValues], rows: int, frame: dict[str, pd.Series]) -> _Job:
    """Key uniqueness over every row; integer codes stand in for the text (equal codes, equal values)."""
    for name in spec.columns:
        column = values[name]
        codes = pd.array(column.codes, dtype="Int64")
        if column.raw.isna().iloc[-1]:
            codes[column.codes == column.size - 1] = pd.NA
        frame[name] = pd.Series(codes)

    def to_rows(positions: np.ndarray) -> np.ndarray:
        mask = np.zeros(rows, dtype=bool)
        mask[positions] = True
        return mask

    return _Job(spec, to_expectation(spec), rows, to_rows)


def run_specs(specs: list[CheckSpec], values: dict[str, ColumnValues], rows: int) -> list[ExpectationOutcome]:
    """Validate every spec whose columns are present; outcomes in spec order.

    Small columns' distinct values and every rule's distinct pairs share one frame (one GX run);
    each column with many distinct values, and the key check, get a frame of their own.
    """
    gx = _gx()
    shared: dict[str, pd.Series] = {}
    shared_jobs: list[_Job] = []
    own: list[tuple[dict[str, pd.Series], list[_Job]]] = []
    by_column: dict[str, list[CheckSpec]] = {}
    for spec in specs:
        if spec.scope == "value" and spec.columns[0] in values:
            by_column.setdefault(spec.columns[0], []).append(spec)
    for name, column_specs in by_column.items():
        if values[name].size <= SHARED_FRAME_LIMIT:
            shared_jobs += _value_jobs(column_specs, values[name], shared)
        else:
            frame: dict[str, pd.Series] = {}
            own.append((frame, _value_jobs(column_specs, values[name], frame)))
    for spec in specs:
        if not all(c in values for c in spec.columns):
            continue
        if spec.scope == "pair":
            shared_jobs.append(_pair_job(spec, values[spec.columns[0]], values[spec.columns[1]], shared))
        elif spec.scope == "rows":
            frame = {}
            own.append((frame, [_key_job(spec, values, rows, frame)]))
    outcomes: dict[str, ExpectationOutcome] = {}
    for frame, jobs in [(shared, shared_jobs), *own]:
        if not jobs:
            continue
        results = gx.validate(_pad(frame), [job.config for job in jobs])
        for job, (success, failing) in zip(jobs, results, strict=True):
            positions = np.asarray([p for p in failing if p < job.size], dtype=np.int64)
            outcomes[job.spec.key] = ExpectationOutcome(job.spec, job.config["type"], success, job.to_rows(positions))
    return [outcomes[s.key] for s in specs if s.key in outcomes]
