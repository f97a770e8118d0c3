"""Every problem code a person can meet, declared once: its stable name, a title, and a message template.

Why one registry (after frictionless-py's ``errors`` module, where each error type has a ``type``, a
``title`` and a ``template``): a code is an interface. A check report, a JSON file, a dashboard and the
README all name problems by it, so it must be spelt one way, mean one thing and be listed in one place.
Code elsewhere refers to these constants, never to a string literal; ``tests/test_codes.py`` reads the
package and fails on a code used but not declared here, or declared but never used, and checks the
README's table against this registry.

A :class:`Code` *is* its kebab-case string (a ``str`` subclass), so a report's ``code`` field, JSON and
comparisons with plain text keep working; it also carries its ``heading`` (the title a person reads) and
``template`` (the message, filled by :meth:`Code.message` from the fields the problem concerns; never a
value from a data file). Exceptions a user can meet are listed in :data:`EXCEPTIONS`.

A base module: imports nothing from the package.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["AUDIT", "CHECK", "CODES", "EXCEPTIONS", "Code", "ExceptionDoc", "identifier_code"]


class Code(str):
    """A stable problem code (``"blank-required"``) with its area, heading and message template."""

    area: str
    heading: str  # not "title": that is str.title()
    template: str

    def __new__(cls, code: str, area: str, heading: str, template: str) -> Code:
        made = super().__new__(cls, code)
        made.area, made.heading, made.template = area, heading, template
        return made

    def message(self, **fields: Any) -> str:
        """The template filled from ``fields`` (a missing field is a bug of ours: KeyError)."""
        return self.template.format(**fields)

    def __reduce__(self) -> tuple[Any, ...]:  # pickles (worker processes) as itself
        return (Code, (str(self), self.area, self.heading, self.template))


#: Every declared code by name, in declaration order.
CODES: dict[str, Code] = {}


def _declare(code: str, area: str, title: str, template: str) -> Code:
    if code in CODES:
        raise AssertionError(f"problem code {code} declared twice")
    CODES[code] = Code(code, area, title, template)
    return CODES[code]


def _check(code: str, title: str, template: str) -> Code:
    return _declare(code, CHECK, title, template)


def _audit(code: str, title: str, template: str) -> Code:
    return _declare(code, AUDIT, title, template)


CHECK = "check"  # a data file checked against the agreement (`load`, `dpup-eval check`)
AUDIT = "audit"  # the audit log verified (`dpup-eval audit verify`)

# --- the check report: the whole file ------------------------------------------------------------------
MISSING_COLUMN = _check("missing-column", "A required column is missing",
                        "the agreed column '{field}' ({plain_name}) is missing")
UNEXPECTED_COLUMN = _check("unexpected-column", "A column that is not in the agreement",
                           "{column} is not agreed for {purpose}; it may identify people, so the file is not "
                           "used until the column is removed")
DUPLICATE_COLUMN = _check("duplicate-column", "The same column name appears twice",
                          "the column '{label}' appears more than once in the header; keep one and re-send")
NO_ROWS = _check("no-rows", "The file has no data rows", "the file has a header but no data rows")
K_ANONYMITY = _check("k-anonymity", "Some people could be re-identified (groups smaller than k)",
                     "{groups} group(s) with {people} people in all have fewer than {k} people sharing {fields}; "
                     "combine categories or hold these rows back before sending")
UNSUPPORTED_TYPE = _check("unsupported-type", "A column holds a type the agreement cannot hold",
                          "the column '{label}' {why}, which the agreement cannot hold ({agreed_as}); save it "
                          "as text, numbers or dates and re-send")
NO_ROWS_ACCEPTED = _check("no-rows-accepted", "No row could be accepted",
                          "none of the {rows} rows read can be used: each has a problem listed here")

# --- the check report: lines the reader could not take as rows ----------------------------------------
MALFORMED_LINE = _check("malformed-line", "A line does not have the right number of fields",
                        "expected {width} fields, found {fields}")
BAD_QUOTES = _check("bad-quotes", "A quote is not closed, or is out of place",
                    '{what}; a quote inside a quoted value must be doubled ("") and every opened quote closed')
NUL_BYTE = _check("nul-byte", "A line holds a NUL byte", "holds a NUL byte (0x00), which text never contains")
INVALID_ENCODING = _check("invalid-encoding", "A line is not UTF-8 text",
                          "is not UTF-8 text{byte}; save the file as 'CSV UTF-8' so that macrons such as in "
                          "whānau survive")
LINE_TOO_LONG = _check("line-too-long", "A line is too long to be a row", "longer than the {limit} a row may hold")
FORMULA_WITHOUT_VALUE = _check("formula-without-value", "A spreadsheet formula whose result was not saved",
                               "{columns}: formula(s) whose results were not saved in the file; open it in a "
                               "spreadsheet program and save it again")

# --- the check report: values against the agreed rules -------------------------------------------------
BLANK_REQUIRED = _check("blank-required", "A required value is blank", "{plain_name} ({field}) must not be blank")
INVALID_TYPE = _check("invalid-type", "A value is not the agreed type", "{field} must be {what}")
INVALID_DATE = _check("invalid-date", "A date is not a real date in YYYY-MM-DD form",
                      "{field} must be a real date written YYYY-MM-DD")
OUT_OF_RANGE = _check("out-of-range", "A value is outside the agreed range", "{field} must be {bounds}")
UNKNOWN_CATEGORY = _check("unknown-category", "A value is not one of the agreed categories",
                          "{values} must be one of {allowed}")
PATTERN_MISMATCH = _check("pattern-mismatch", "A value does not have the agreed form",
                          "{field} must have the agreed form ({pattern})")
TOO_LONG = _check("too-long", "A value is longer than agreed", "{field} must be at most {limit} characters")
DUPLICATE_KEY = _check("duplicate-key", "A key appears more than once", "{key} must not repeat (each key once)")
QUALITY_RULE = _check("quality-rule", "A rule in the agreement does not hold",
                      "the agreed rule: {rule} ({left} {op} {right})")

# --- the check report: identifiers found in the data ----------------------------------------------------
# ``where``: in the header (which cells), in free text, in a column that must not hold one, in a column not
# in the agreement; ``todo``: what was done or must be done. Never the value found.
IDENTIFIER_NHI = _check("identifier-nhi", "An NHI number", "an NHI number {where}: {todo}")
IDENTIFIER_IRD = _check("identifier-ird", "An IRD number", "an IRD number {where}: {todo}")
IDENTIFIER_PHONE = _check("identifier-phone", "A phone number", "a phone number {where}: {todo}")
IDENTIFIER_EMAIL = _check("identifier-email", "An email address", "an email address {where}: {todo}")
IDENTIFIER_ADDRESS = _check("identifier-address", "A street address", "a street address {where}: {todo}")
IDENTIFIER_DOB = _check("identifier-dob", "A date of birth", "a date of birth {where}: {todo}")
IDENTIFIER_NAME = _check("identifier-name", "A person's name", "a person's name {where}: {todo}")
_IDENTIFIERS = {"nhi": IDENTIFIER_NHI, "ird": IDENTIFIER_IRD, "phone": IDENTIFIER_PHONE,
                "email": IDENTIFIER_EMAIL, "address": IDENTIFIER_ADDRESS, "dob": IDENTIFIER_DOB,
                "name": IDENTIFIER_NAME}


def identifier_code(kind: str) -> Code:
    """The code for an identifier of ``kind`` (``"nhi"``, ``"phone"`` ...); KeyError for an unknown kind."""
    return _IDENTIFIERS[kind]


# --- the audit log, verified ----------------------------------------------------------------------------
AUDIT_EDITED = _audit("edited", "An entry was changed after it was written", "{entry} was changed: {how}")
AUDIT_DELETED = _audit("deleted", "Entries are missing from the chain", "{entries} missing {where}")
AUDIT_REORDERED = _audit("reordered", "Entries are out of order",
                         "line {line} (seq {seq}) comes after line {before} (seq {before_seq})")
AUDIT_MALFORMED = _audit("malformed", "A line is not an audit entry", "line {line} cannot be read as an audit entry: {why}")
AUDIT_INSERTED = _audit("inserted", "An entry was put in that the chain does not account for",
                        "line {line} repeats seq {seq} (also at line {chained}), outside the chain")
AUDIT_TRUNCATED = _audit("truncated", "The log ends before its last checkpoint",
                         "the log ends at entry {last}, but was checkpointed at {at} with {entries} entries:"
                         " the last {removed} were removed")
AUDIT_EMPTIED = _audit("emptied", "The log is empty or missing but was checkpointed",
                       "the log is empty or missing, but was checkpointed at {at} with {entries} entries")
AUDIT_REWRITTEN = _audit("rewritten", "A checkpointed entry no longer has its hash",
                         "entry {seq} (line {line}) no longer has the hash checkpointed at {at}: the log was"
                         " rewritten there or before it")
AUDIT_FORGED = _audit("forged", "A seal or checkpoint the audit key did not make",
                      "{where} {why}: it was written or changed without the audit key")
AUDIT_UNSEALED = _audit("unsealed", "Entries without a seal or a matching checkpoint",
                        "{where} has no seal and no checkpoint that still matches vouches for it: added "
                        "without the audit key (or from before sealing, and its checkpoint is gone)")
AUDIT_NO_KEY = _audit("no-key", "The audit key is missing",
                      "the audit key ({path}) is missing, so the seals and checkpoints cannot be checked: "
                      "restore it from a backup")
AUDIT_NO_CHECKPOINTS = _audit("no-checkpoints", "The checkpoints beside the log are missing",
                              "the checkpoints beside the log ({file}) are missing or empty although the log"
                              " was sealed: they were removed")


@dataclass(frozen=True)
class ExceptionDoc:
    """An exception a user can meet (the command line prints it as one ``Error:`` line, exit code 2)."""

    name: str  # the class name; the class itself lives beside the code that raises it
    module: str
    title: str


def _exception(module: str, name: str, title: str) -> ExceptionDoc:
    return ExceptionDoc(name, module, title)


#: Every exception class a user can meet, by class name. ``tests/test_codes.py`` checks that each
#: subclass of ``DpupEvalError`` in the package is listed here and that each listed one exists.
EXCEPTIONS: dict[str, ExceptionDoc] = {e.name: e for e in (
    _exception("dpup_eval.errors", "DpupEvalError", "Anything the workbench refuses, with what and where"),
    _exception("dpup_eval.errors", "IssuesError", "A file with several problems, each with its place"),
    _exception("dpup_eval.errors", "ContractError", "A contract (or programme settings) that cannot be used"),
    _exception("dpup_eval.errors", "UnknownPurposeError", "A purpose the agreement does not define"),
    _exception("dpup_eval.errors", "DataFileError", "A data file that cannot be read at all"),
    _exception("dpup_eval.errors", "FileWriteError", "A file or folder that cannot be written where asked"),
    _exception("dpup_eval.agreement.disclosure_rules", "LooserRuleError",
               "A disclosure rule set looser than the default or the rules it came from"),
    _exception("dpup_eval.agreement.editing", "EditError", "An agreed change the contracts as they stand cannot take"),
    _exception("dpup_eval.findings.indicators", "IndicatorError", "Indicator definitions that cannot be evaluated"),
    _exception("dpup_eval.audit", "AuditChainError", "The audit log's tail is damaged: nothing more is appended"),
    _exception("dpup_eval.audit", "AuditValueError", "An audit entry that would carry more than names and counts"),
    _exception("dpup_eval.audit_seal", "AuditKeyError", "The audit key is missing or unreadable"),
    _exception("dpup_eval.installation", "MissingExtraError", "An optional part of dpup_eval is not installed"),
    _exception("dpup_eval.installation", "ShippedFolderMissingError", "A folder the package ships is missing"),
    _exception("dpup_eval.records.database", "RecordError", "A record that cannot be opened or used"),
    _exception("dpup_eval.records.database", "RecordDamagedError", "A record's file is empty or damaged"),
    _exception("dpup_eval.records.database", "RecordBusyError", "A record stayed locked by another program"),
    _exception("dpup_eval.rights.notices", "ReadabilityUnavailableError", "Readability cannot be measured offline"),
    _exception("dpup_eval.rights.requests", "RequestError", "A request step that cannot be done"),
    _exception("dpup_eval.rights.stories.register", "StoryError", "A step that cannot be taken with a story"),
    _exception("dpup_eval.rights.uses", "UseRegisterError", "A use entry that cannot be recorded"),
    _exception("dpup_eval.rights.workdays", "UnsupportedDateError", "A date outside the known holiday calendar"),
    _exception("dpup_eval.rights.workdays", "UnknownHolidayError", "A holiday the working-day rules do not know"),
    _exception("dpup_eval.workshop.records", "WorkshopError", "Something entered in a workshop that cannot be recorded"),
)}
