"""The check report: one pydantic model, rendered for a terminal, as standalone HTML and as JSON.

Errors are data (after frictionless-py): every problem has a stable kebab-case `code`, a level,
the column and 1-based data-line numbers it concerns, a count and a message built from those
fields. A report never holds a value from the file: it says what kind of thing was found and
where, so it can be e-mailed, printed or put on a projector.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Literal

from pydantic import BaseModel, Field

from dpup_eval.codes import CHECK, CODES

#: Stable problem codes and the plain title a person reads (declared once, in `dpup_eval.codes`).
PROBLEM_TITLES: dict[str, str] = {code: c.heading for code, c in CODES.items() if c.area == CHECK}

ROWS_SHOWN = 20


class Problem(BaseModel):
    """One kind of problem in one column (or the whole file), with the rows it affects."""

    code: str = Field(description="Stable kebab-case code, e.g. out-of-range or identifier-phone.")
    level: Literal["row", "dataset"] = Field(description="row: some rows; dataset: the whole file.")
    column: str | None = Field(default=None, description="The column concerned, if any.")
    rows: list[int] = Field(default_factory=list, description="1-based data-line numbers in the file.")
    count: int = Field(description="How many rows (or, for dataset problems, columns/groups) are affected.")
    message: str = Field(description="What is wrong and what to do, without any value from the file.")
    action: Literal["quarantined", "redacted", "rejected"] = Field(
        description="What the check did: rows held back, text redacted, or the whole file rejected."
    )

    @property
    def title(self) -> str:
        return PROBLEM_TITLES.get(self.code, self.code)

    def rows_text(self, limit: int = ROWS_SHOWN) -> str:
        shown = ", ".join(str(r) for r in self.rows[:limit])
        return shown + (f" and {len(self.rows) - limit} more" if len(self.rows) > limit else "")


class ExpectationResult(BaseModel):
    """One documented expectation, and how many rows failed it."""

    check: str
    expectation: str
    description: str
    success: bool
    failing_rows: int
    engine: str = Field(
        default="great_expectations",
        description="What ran it: great_expectations, or vectorised (columns with very many distinct values and "
        "keys, checked with the same pandas/Arrow operations GX uses), or duckdb (the DuckDB engine).",
    )


class CheckReport(BaseModel):
    """The one result of checking a file against the contract for one purpose."""

    file: str
    source_format: str
    contract: str
    contract_version: str
    purpose: str
    recipient: str
    min_group_size: int
    accepted: bool = Field(description="True when the dataset as a whole was accepted.")
    rows_read: int = Field(description="Rows found: accepted + quarantined (a quarantined bad line counts as one).")
    lines_read: int | None = Field(default=None, description="Physical data lines after the header (CSV), or sheet "
                                   "rows up to the last used one (Excel): rows + blank lines + lines inside "
                                   "multi-line values.")
    blank_lines: int = Field(default=0, description="Blank lines (or blank spreadsheet rows), skipped.")
    rows_accepted: int
    rows_quarantined: int
    rows_redacted: int = Field(
        description="Accepted or quarantined rows whose free text had identifiers removed."
    )
    columns: list[str] = Field(description="The columns passed on (only those agreed for this purpose).")
    problems: list[Problem] = Field(default_factory=list)
    expectations: list[ExpectationResult] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    @property
    def status(self) -> str:
        if not self.accepted or (self.rows_accepted == 0 and self.rows_read > 0):
            return "rejected"
        return "accepted with rows quarantined" if self.rows_quarantined else "accepted"

    @property
    def exit_code(self) -> int:
        """0 when every row was accepted, 1 when rows were quarantined or the file rejected."""
        return 0 if self.accepted and self.rows_quarantined == 0 else 1

    def codes(self) -> list[str]:
        return sorted({p.code for p in self.problems})

    def to_json(self) -> str:
        data = self.model_dump(mode="json")
        data["status"] = self.status
        return json.dumps(data, ensure_ascii=False, indent=2)

    def to_summary(self) -> str:
        """A short terminal summary: the verdict, the counts, one line per problem."""
        verdict = {
            "accepted": "ACCEPTED: every row is as agreed",
            "accepted with rows quarantined": "ACCEPTED, with rows quarantined",
            "rejected": "REJECTED: nothing from this file can be used until the problems below are fixed",
        }[self.status]
        lines = [
            f"{self.file}  ({self.purpose} data for {self.recipient}; contract {self.contract} {self.contract_version})",
            verdict,
            f"  rows read {self.rows_read:,} = accepted {self.rows_accepted:,} + quarantined {self.rows_quarantined:,}"
            + (f"; free text redacted in {self.rows_redacted:,}" if self.rows_redacted else ""),
        ]
        if self.lines_read is not None and self.lines_read != self.rows_read:
            inside = self.lines_read - self.rows_read - self.blank_lines
            lines.append(f"  {self.lines_read:,} lines after the header: {self.rows_read:,} rows"
                         + (f", {self.blank_lines:,} blank" if self.blank_lines else "")
                         + (f", {inside:,} inside values that span lines" if inside else ""))
        for p in sorted(self.problems, key=lambda p: (p.level != "dataset", p.code, p.column or "")):
            where = f" [{p.column}]" if p.column else ""
            rows = f" rows {p.rows_text(8)}" if p.rows else ""
            lines.append(f"  {p.level:<7} {p.code}{where}: {p.message} ({p.action}){rows}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_html(self) -> str:
        """A standalone page (inline styles, no scripts, nothing fetched) a provider can open offline."""
        import jinja2

        template_text = (
            resources.files("dpup_eval").joinpath("templates/check_report.html.j2").read_text("utf-8")
        )
        env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
        problems = sorted(self.problems, key=lambda p: (p.level != "dataset", p.code, p.column or ""))
        return env.from_string(template_text).render(report=self, problems=problems, titles=PROBLEM_TITLES)
