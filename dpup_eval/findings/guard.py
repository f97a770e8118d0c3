"""The disclosure guard: what findings need beyond one table to be safe to publish.

One guard serves one programme's evaluations (a workshop page's kernel keeps one for its whole life; the
command line makes one per run). It holds the record keys of the data being evaluated (computed once
per data frame), turns them into each table's perturbation (:mod:`dpup_eval.findings.perturbation`), and
carries the :class:`~dpup_eval.findings.disclosure.Protections` in force. :func:`dpup_eval.findings.evaluation.evaluate`
only calls it; the rules themselves live in the modules it names.
"""

from __future__ import annotations

import functools
import hashlib
import json
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from dpup_eval.agreement.contract import Contract
from dpup_eval.findings.cell_keys import KeyCells, Selection, key_cells
from dpup_eval.findings.disclosure import DisclosureRules, Protections
from dpup_eval.findings.indicators import PROPORTION_KINDS, Definition, Indicator
from dpup_eval.findings.ledger import Ledger
from dpup_eval.findings.overlap import Members, OverlapRegistry, Population
from dpup_eval.findings.perturbation import Noise, measure_precision, measure_range, table_noise
from dpup_eval.findings.record_keys import RecordKeys

__all__ = ["ALMOST_ALL", "VERY_FEW", "DisclosureGuard", "Plan"]

ALMOST_ALL = "almost all"
VERY_FEW = "very few"
#: The sets of people a finding rests on, as the ledger names them.
PEOPLE, SUCCEEDED, NOT_SUCCEEDED = "people", "succeeded", "did not succeed"
_ROLE_WORDS = {PEOPLE: "", SUCCEEDED: " (those who succeeded)", NOT_SUCCEEDED: " (those who did not)"}


class DisclosureGuard:
    """Record keys, perturbation and protections for one programme's findings."""

    def __init__(
        self, contract: Contract, *, protections: Protections | None = None, secret: bytes | None = None,
        ledger: Ledger | None = None,
    ) -> None:  # fmt: skip
        self.contract = contract
        self.protections = protections or Protections()
        self.rules = contract.disclosure_rules()
        self._secret = secret
        self._data: pd.DataFrame | None = None
        self._keys: RecordKeys | None = None
        self._codes: dict[bytes, np.ndarray] = {}
        self.registry = OverlapRegistry(self.rules.minimum_count)
        self.ledger = ledger
        self._seen = 0
        self.refresh()

    @classmethod
    def for_programme(cls, contract: Contract, *, protections: Protections | None = None) -> DisclosureGuard:
        """A guard that knows, and records into, everything the contract's programme has released."""
        return cls(contract, protections=protections, ledger=Ledger.for_programme(contract.programme))

    def refresh(self) -> None:
        """Take in what other pages recorded since we last looked (a quick read of new rows)."""
        if self.ledger is not None:
            populations, self._seen = self.ledger.populations_since(self._seen, self.registry.identities)
            self.registry.add(populations)

    def record(
        self, findings: Any, channel: str, *, workshop: str | None = None, description: str = ""
    ) -> int | None:
        """Record findings that are leaving the workbench (a page shown, an export, a report), with the
        populations each rests on; returns the release's id (None without a ledger)."""
        if self.ledger is None:
            return None
        rows = [(i, *resting) for i, rests in enumerate(findings._resting_on) for resting in rests]
        p = self.protections
        rules = {**findings.rules, "rounding": "cell keys" if p.cell_keys else "labels, public key",
                 "magnitudes": p.magnitudes, "overlap": p.overlap, "bands": p.bands}  # fmt: skip
        return self.ledger.record(
            programme=self.contract.programme, purpose=findings.purpose, workshop=workshop, channel=channel,
            description=description, rules=rules, definitions=findings._definitions,
            findings=[f.model_dump(mode="json") for f in findings.findings], populations=rows,
        )  # fmt: skip

    def using(self, data: pd.DataFrame, rules: DisclosureRules) -> DisclosureGuard:
        """Bind to the data being evaluated (its record keys are worked out once per data frame)."""
        self.refresh()
        if self._data is not data or self._keys is None:
            self._keys = _keys_for(data, self.contract, self._secret)
            self._data = data
        self.rules = rules
        self.registry.minimum = max(self.registry.minimum, rules.minimum_count)
        return self

    @property
    def keys(self) -> RecordKeys:
        if self._keys is None:
            raise RuntimeError("the guard has no data yet: call using(data, rules) first")
        return self._keys

    def cells(self, selection: Selection, rows: Any, periods: Any) -> KeyCells:
        """Keys of the selected people in every cell of a rows x periods table (rows: a Coding)."""
        return key_cells(selection, rows.codes, len(rows.labels), len(periods.labels))

    def plan(
        self, indicator: Indicator, d: Definition, selected: np.ndarray, success: np.ndarray | None,
        blocks: Sequence[tuple[str | None, Any]], periods: Any,
    ) -> Plan:  # fmt: skip
        """What the guard does for one definition's tables (see :class:`Plan`)."""
        return Plan(self, indicator, d, selected, success, blocks, periods)

    def compact(self, codes: np.ndarray, labels: int) -> np.ndarray:
        """A small copy of a coding's codes, shared by every population that uses the same one."""
        small = codes.astype(np.int8 if labels < 127 else np.int16 if labels < 32767 else np.int64)
        digest = hashlib.blake2b(small.tobytes(), digest_size=16).digest()
        return self._codes.setdefault(digest, small)


class Plan:
    """One definition's tables as the guard sees them: the keys of every cell's people, the
    perturbation of each table (``noises``), and overlap settling (:meth:`settle`).

    ``blocks``: the overall block first (a single-row coding), then each grouping (its coding); each
    grouping's table has the overall row below its groups.
    """

    def __init__(
        self, guard: DisclosureGuard, indicator: Indicator, d: Definition, selected: np.ndarray,
        success: np.ndarray | None, blocks: Sequence[tuple[str | None, Any]], periods: Any,
    ) -> None:  # fmt: skip
        self.guard, self.indicator, self.d, self.periods = guard, indicator, d, periods
        self.blocks = list(blocks)
        kind = indicator.kind
        self.winners = selected & success if success is not None and kind in PROPORTION_KINDS else None
        self.selected = selected
        chosen = Selection.of(selected, guard.keys, periods.codes)
        won = None if self.winners is None else Selection.of(self.winners, guard.keys, periods.codes)
        overall_people = guard.cells(chosen, blocks[0][1], periods)
        overall_wins = None if won is None else guard.cells(won, blocks[0][1], periods)
        self.people: list[KeyCells] = []
        self.wins: list[KeyCells | None] = []
        for name, rows in self.blocks:
            if name is None:
                self.people.append(overall_people)
                self.wins.append(overall_wins)
            else:
                self.people.append(guard.cells(chosen, rows, periods).stack(overall_people))
                self.wins.append(None if won is None else guard.cells(won, rows, periods).stack(overall_wins))  # type: ignore[arg-type]
        self.lost = [None if w is None else p.minus(w) for p, w in zip(self.people, self.wins, strict=True)]
        precision = measure_precision(d, guard.contract)
        columns = [*periods.labels, "*"]
        self.noises: list[Noise] = [
            table_noise(d, kind, people, wins, (self._row_names(name, rows), columns), precision,
                        guard.protections, guard.rules.rounding_base)
            for (name, rows), people, wins in zip(self.blocks, self.people, self.wins, strict=True)
        ]  # fmt: skip
        self.close_to: list[np.ndarray] = [np.full(p.key.shape, None, dtype=object) for p in self.people]
        self.published: dict[tuple[int, int, int], list[tuple[str, str, Population, bool]]] = {}
        self.band: list[np.ndarray] = []
        low, high = measure_range(d, guard.contract)
        self.measure = json.dumps(
            {"kind": kind, "low": low, "high": high, **{k: getattr(d, k) for k in ("field", "per", "pre", "post")}}
        )

    @staticmethod
    def _row_names(name: str | None, rows: Any) -> list[str]:
        return ["*"] if name is None else [f"{name}={g}" for g in rows.labels] + ["*"]

    def primary(self, cells: Any, minimum: int) -> np.ndarray:
        """Cells withheld for their own sake: too few people, too few successes and, with bands,
        too few who did not succeed (shown as "almost all" rather than a share)."""
        rules = self.guard.rules
        mask = cells.n < minimum
        if cells.s is None:
            return mask
        mask |= cells.s < rules.minimum_count
        if self.guard.protections.bands:
            mask |= cells.n - cells.s < rules.minimum_count
        return mask

    def bands(self, cells: Any, mask: np.ndarray, minimum: int) -> np.ndarray:
        """Per cell, "almost all" or "very few" where a withheld share can still be said in words."""
        result = np.full(mask.shape, None, dtype=object)
        if cells.s is None or not self.guard.protections.bands:
            return result
        m = self.guard.rules.minimum_count
        sized = mask & (cells.n >= max(minimum, 2 * m))
        result[sized & (cells.n - cells.s < m)] = ALMOST_ALL
        result[sized & (cells.s < m)] = VERY_FEW
        return result

    # --- overlap --------------------------------------------------------------------------------

    def settle(
        self, cells: Sequence[Any], protect: Callable[[list[np.ndarray]], tuple[list[np.ndarray], np.ndarray]],
        minimum: int,
    ) -> tuple[list[np.ndarray], np.ndarray]:
        """Suppression masks once no published population is too close to one published before.

        ``cells``: each block's true counts (``n`` and, for shares, ``s``). ``protect(extra)`` gives the
        masks (as :func:`dpup_eval.findings.tables.protect`) with ``extra`` (one boolean table per
        block) withheld too. A cell whose population is too close to an earlier one is added to
        ``extra`` and the tables protected again (secondary suppression then covers it), until nothing
        new is too close; then everything shown is registered as published.
        """
        extra = [np.zeros(p.key.shape, dtype=bool) for p in self.people]
        while True:
            masks, overall_mask = protect(extra)
            shown = [~overall_mask[None, :], *[~m for m in masks]]
            if not self.guard.protections.overlap:
                extra = [np.zeros_like(e) for e in extra]  # nothing is checked: every shown cell passes
            candidates, places = self._candidates(cells, shown)
            verdicts = (
                self.guard.registry.check(candidates) if self.guard.protections.overlap else [None] * len(candidates)
            )
            fresh = False
            for (b, r, c, _), close in zip(places, verdicts, strict=True):
                if close is not None and not extra[b][r, c]:
                    extra[b][r, c] = True
                    self.close_to[b][r, c] = close.label
                    fresh = True
            if not fresh:
                self.guard.registry.add(candidates)
                for (b, r, c, role), population in zip(places, candidates, strict=True):
                    self.published.setdefault((b, r, c), []).append((role, self.measure, population, False))
                # A share shown as a band ("almost all") is released too, in words: the ledger keeps
                # its populations for the attacker, but they are not numbers others must keep clear of.
                self.band = [self.bands(block, ~seen, minimum) for block, seen in zip(cells, shown, strict=True)]
                banded, places = self._candidates(cells, [band.astype(bool) for band in self.band])
                for (b, r, c, role), population in zip(places, banded, strict=True):
                    self.published.setdefault((b, r, c), []).append((role, self.measure, population, True))
                return masks, overall_mask

    def too_close(self, block: int) -> np.ndarray:
        """The block's cells withheld because their people were too close to a published set's."""
        return self.close_to[block].astype(bool)

    def at(self, block: int, row: int, column: int) -> list[tuple[str, str, Population, bool]]:
        """The populations the finding in this cell rests on: (role, measure, population, shown in
        words only)."""
        return self.published.get((block, row, column), [])

    def _candidates(
        self, cells: Sequence[Any], shown: list[np.ndarray]
    ) -> tuple[list[Population], list[tuple[int, int, int, str]]]:
        guard = self.guard
        keys = guard.keys
        selected = np.packbits(self.selected)
        winners = None if self.winners is None else np.packbits(self.winners)
        n_periods = len(self.periods.labels)
        period_codes = guard.compact(self.periods.codes, n_periods) if n_periods > 1 else None
        candidates: list[Population] = []
        places: list[tuple[int, int, int, str]] = []
        for b, ((name, rows), block) in enumerate(zip(self.blocks, cells, strict=True)):
            people, wins, lost = self.people[b], self.wins[b], self.lost[b]
            n_rows = shown[b].shape[0] - (1 if name is not None else 0)  # a grouping's Total row is block 0's
            row_codes = None if name is None else guard.compact(rows.codes, len(rows.labels))
            for r, c in zip(*np.nonzero(shown[b][:n_rows]), strict=True):
                dims = []
                if row_codes is not None:
                    dims.append((row_codes, int(r)))
                if period_codes is not None and c < n_periods:
                    dims.append((period_codes, int(c)))
                label = functools.partial(self._label, name, rows, int(r), int(c))
                sets = [(PEOPLE, people, int(block.n[r, c]), Members(keys, selected, None, tuple(dims)))]
                if wins is not None and lost is not None and winners is not None:  # lost is set with wins
                    s = int(block.s[r, c])
                    sets.append((SUCCEEDED, wins, s, Members(keys, winners, None, tuple(dims))))
                    sets.append((NOT_SUCCEEDED, lost, int(block.n[r, c]) - s,
                                 Members(keys, selected, winners, tuple(dims))))  # fmt: skip
                for role, keyed, count, members in sets:
                    candidates.append(Population(
                        count=count, fingerprint=int(keyed.fingerprint[r, c]), sketch=keyed.sketch[r, c],
                        describe=functools.partial(_joined, label, _ROLE_WORDS[role]), members=members,
                    ))  # fmt: skip
                    places.append((b, int(r), int(c), role))
        return candidates, places

    def _label(self, name: str | None, rows: Any, r: int, c: int) -> str:
        """The finding in plain words, for the reason another one is withheld."""
        contract = self.guard.contract
        parts = [f"{self.indicator.name} ({self.d.label})"]
        if name is not None:
            value = rows.labels[r]
            field = contract.field(name) if contract.has_field(name) else None
            parts.append(f"{field.plain_name}: {field.label(value)}" if field else f"{name}: {value}")
        parts.append(self.periods.labels[c] if c < len(self.periods.labels) and len(self.periods.labels) > 1 else "all periods")
        return " – ".join(parts)


#: The last data frame's record keys (weakly held): a notebook that calls ``evaluate`` again and again
#: without a guard of its own does not hash every reference each time.
_LAST_KEYS: list[tuple[weakref.ref[pd.DataFrame], str, bytes | None, RecordKeys]] = []


def _keys_for(data: pd.DataFrame, contract: Contract, secret: bytes | None) -> RecordKeys:
    rows = len(data)
    for ref, programme, given, keys in _LAST_KEYS:
        if ref() is data and programme == contract.programme and given == secret and len(keys) == rows:
            return keys
    keys = RecordKeys.of(data, contract, secret)
    _LAST_KEYS[:] = [(weakref.ref(data), contract.programme, secret, keys)]
    return keys


def _joined(label: Callable[[], str], words: str) -> str:
    return label() + words
