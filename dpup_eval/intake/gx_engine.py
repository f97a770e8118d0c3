"""The one place Great Expectations (GX Core 1.x) is used.

Nothing outside this module imports GX: it takes 6 s to import, so it is imported here, only
when a check runs. The engine turns check specs into an expectation suite and validates:
- single-value rules on one frame of every column's *distinct* values (the answer for a value is
  the same on every row holding it), shorter columns padded with missing values;
- two-field rules on the distinct pairs of values, in the same frame: one GX run in all;
- columns with more distinct values than `MANY` (a pseudonymous key differs on every row), pairs
  as many, and key uniqueness over every row: by `value_checks`, vectorised, with GX's answers.
Failing distinct values are mapped back to rows by the caller's codes. Progress bars are off, the
context is ephemeral (it writes no files) and GX's fingerprint of each frame is skipped.
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

#: Columns (and pair rules) with more distinct values than this, and keys, are checked vectorised.
MANY = 20_000
POSITION = "_pos"


@dataclass
class ExpectationOutcome:
    """What GX said about one expectation, in row terms."""

    spec: CheckSpec
    expectation: str
    success: bool
    failing_rows: np.ndarray  # boolean mask over rows
    engine: str = "great_expectations"  # or "vectorised" (value_checks, same answers)


class _GX:
    """A lazily built ephemeral context with progress bars silenced."""

    def __init__(self) -> None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx
        import great_expectations.expectations as gxe
        from great_expectations.data_context.types.base import ProgressBarsConfig
        from great_expectations.execution_engine import pandas_execution_engine

        # GX fingerprints (hashes) every frame under this size when it builds a batch, twice per run, only
        # to label the result; at a million rows that was ~2 s of a check. The label is never used here.
        pandas_execution_engine.HASH_THRESHOLD = 0

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
        # Given to the constructor, not one by one: add_expectation compares each new expectation with
        # every one already added (quadratic; ~10% of a small file's check). Our configs are distinct.
        suite = self.gx.ExpectationSuite(
            name="contract", expectations=[self.expectation(config, index) for index, config in enumerate(configs)]
        )
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
            if r.expectation_config is None:  # no place to put it: counted as missing below
                continue
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


def _pad(columns: dict[str, pd.Series], repeat: set[str]) -> pd.DataFrame:
    """One frame from columns of different lengths, each padded to the longest with missing values.

    Rules other than "not blank" skip missing values, so padding costs them nothing; a column that
    a not-blank rule reads (`repeat`) is padded with its first value instead, which cannot change a
    single-value rule's answer. Padded positions are ignored when results are mapped back.
    """
    height = max(len(s) for s in columns.values())
    data: dict[str, Any] = {POSITION: np.arange(height)}
    for name, series in columns.items():
        series = series.reset_index(drop=True)
        if name in repeat:
            take = np.concatenate([np.arange(len(series)), np.zeros(height - len(series), dtype=np.int64)])
            data[name] = series.take(take).reset_index(drop=True)
        else:
            data[name] = series.reindex(range(height))
    return pd.DataFrame(data)


def _for_gx(series: pd.Series) -> pd.Series:
    """Whole numbers as float64 (exact below 2**53, which parsing ensures): GX compares numpy numbers
    vectorised but calls Python once per value for pandas' nullable Int64."""
    return series.astype("float64") if isinstance(series.dtype, pd.Int64Dtype) else series


def _value_jobs(specs: list[CheckSpec], column: ColumnValues, frame: dict[str, pd.Series]) -> list[_Job]:
    frame[column.name] = column.raw
    if any(s.typed for s in specs):
        frame[f"{column.name}__typed"] = _for_gx(column.typed)
    jobs = []
    for spec in specs:
        rename = {column.name: f"{column.name}__typed" if spec.typed else column.name}
        jobs.append(_Job(spec, to_expectation(spec, rename=rename), column.size, column.rows_where))
    return jobs


@dataclass
class _Pairs:
    """The distinct pairs of two columns' parsed values, and how to map pairs back to rows."""

    left: pd.Series
    right: pd.Series
    inverse: np.ndarray

    def to_rows(self, positions: np.ndarray) -> np.ndarray:
        bad = np.zeros(len(self.left), dtype=bool)
        bad[positions] = True
        return bad[self.inverse]


def _pairs(left: ColumnValues, right: ColumnValues) -> _Pairs:
    """Few, even for a million rows: a two-field rule's answer is the same on every row with the pair."""
    distinct, inverse = np.unique(left.codes.astype(np.int64) * right.size + right.codes, return_inverse=True)
    return _Pairs(
        left.typed.take(distinct // right.size).reset_index(drop=True),
        right.typed.take(distinct % right.size).reset_index(drop=True),
        inverse.reshape(-1),
    )


def _pair_job(spec: CheckSpec, pairs: _Pairs, frame: dict[str, pd.Series]) -> _Job:
    """A two-field rule on the distinct pairs of values, in the shared frame."""
    left, right = spec.columns
    names = {left: f"{spec.key}::{left}", right: f"{spec.key}::{right}"}
    frame[names[left]] = _for_gx(pairs.left)
    frame[names[right]] = _for_gx(pairs.right)
    return _Job(spec, to_expectation(spec, rename=names), len(pairs.left), pairs.to_rows)


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


def run_specs(
    specs: list[CheckSpec], values: dict[str, ColumnValues], rows: int, *, many: int | None = MANY
) -> list[ExpectationOutcome]:
    """Validate every spec whose columns are present; outcomes in spec order.

    Distinct values and distinct pairs go to GX in one frame (one run). Columns and pair rules with
    more than `many` distinct values, and keys, are checked vectorised with the same answers;
    `many=None` sends everything to GX (tests compare the two).
    """
    from dpup_eval.intake import value_checks

    outcomes: dict[str, ExpectationOutcome] = {}

    def vectorised(spec: CheckSpec, failing_rows: np.ndarray) -> None:
        expectation = to_expectation(spec)["type"]
        outcomes[spec.key] = ExpectationOutcome(spec, expectation, not failing_rows.any(), failing_rows, "vectorised")

    shared: dict[str, pd.Series] = {}
    shared_jobs: list[_Job] = []
    own: list[tuple[dict[str, pd.Series], list[_Job]]] = []
    by_column: dict[str, list[CheckSpec]] = {}
    for spec in specs:
        if spec.scope == "value" and spec.columns[0] in values:
            by_column.setdefault(spec.columns[0], []).append(spec)
    for name, column_specs in by_column.items():
        column = values[name]
        if many is not None and column.size > many:
            for spec in column_specs:
                vectorised(spec, column.rows_where(value_checks.failing_values(spec, column)))
        else:
            shared_jobs += _value_jobs(column_specs, column, shared)
    for spec in specs:
        if not all(c in values for c in spec.columns):
            continue
        if spec.scope == "pair":
            pairs = _pairs(values[spec.columns[0]], values[spec.columns[1]])
            if many is not None and len(pairs.left) > many:
                vectorised(spec, pairs.to_rows(np.flatnonzero(value_checks.failing_pairs(spec, pairs.left, pairs.right))))
            else:
                shared_jobs.append(_pair_job(spec, pairs, shared))
        elif spec.scope == "rows":
            if many is not None:
                vectorised(spec, value_checks.duplicate_rows([values[name] for name in spec.columns]))
            else:
                frame: dict[str, pd.Series] = {}
                own.append((frame, [_key_job(spec, values, rows, frame)]))
    gx = _gx()
    repeat = {job.spec.columns[0] for job in shared_jobs if job.spec.kind == "not_null"}
    for frame, jobs in [(shared, shared_jobs), *own]:
        if not jobs:
            continue
        results = gx.validate(_pad(frame, repeat), [job.config for job in jobs])
        for job, (success, failing) in zip(jobs, results, strict=True):
            positions = np.asarray([p for p in failing if p < job.size], dtype=np.int64)
            outcomes[job.spec.key] = ExpectationOutcome(job.spec, job.config["type"], success, job.to_rows(positions))
    return [outcomes[s.key] for s in specs if s.key in outcomes]
