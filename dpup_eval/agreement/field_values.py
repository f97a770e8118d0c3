"""What values a contract field allows: written once, for every place that judges a single value.

Three places judge a value against the agreement: the intake checks (every cell of a data file, in bulk,
through :mod:`dpup_eval.intake.specs`), an indicator file (a filter's or a comparison's value, typed by
YAML) and a correction a family asks for (a new value typed on the command line). Each had its own idea of
a whole number, a date or an agreed code, so a correction could be accepted that the next data check
refused. Here are the one set of text forms (what the intake checks match) and the one judgement of a
value (:func:`value_problem`); :func:`text_problem` reads a typed-in text as the intake reads a cell first.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re

from dpup_eval.agreement.contract import Field, value_text

__all__ = [
    "BOOLEAN_TEXT",
    "DATE_FORMAT",
    "FALSE_TEXT",
    "INTEGER_TEXT",
    "NUMBER_TEXT",
    "TRUE_TEXT",
    "Scalar",
    "field_range",
    "range_words",
    "read_text",
    "text_problem",
    "value_problem",
]

#: A value of a single field, as YAML or a command line gives it.
Scalar = str | int | float | bool | dt.date

#: Text the intake reads as a whole number (``12``, ``-3``, ``12.0``).
INTEGER_TEXT = r"^[+-]?[0-9]+(?:\.0+)?$"
#: Text the intake reads as a number (``2.5``, ``.5``, ``1e3``).
NUMBER_TEXT = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"
#: Text the intake reads as true or false (its type rule lists every spelling; reading folds case).
BOOLEAN_TEXT = ("true", "false", "yes", "no", "1", "0", "TRUE", "FALSE", "True", "False", "Yes", "No")
TRUE_TEXT = {"true", "yes", "1"}
FALSE_TEXT = {"false", "no", "0"}
#: How a date is written (the intake parses each with ``datetime.strptime`` and this format).
DATE_FORMAT = "%Y-%m-%d"


def field_range(f: Field) -> tuple[float | None, float | None]:
    """The agreed numeric range of a number field (None for an open end)."""
    low = float(f.minimum) if isinstance(f.minimum, int | float) else None
    high = float(f.maximum) if isinstance(f.maximum, int | float) else None
    return low, high


def range_words(low: float | dt.date | None, high: float | dt.date | None) -> str:
    """An agreed range in words, when the contract gives both ends, only one, or neither.

    A field may have only a minimum (books read: at least 0) or only a maximum; the words must not
    assume both (formatting a missing end crashed indicator checking with a raw TypeError).
    """

    def show(value: float | dt.date) -> str:
        return value.isoformat() if isinstance(value, dt.date) else f"{value:g}"

    if low is not None and high is not None:
        return f"{show(low)} to {show(high)}"
    if low is not None:
        return f"at least {show(low)}"
    if high is not None:
        return f"at most {show(high)}"
    return "any value"


def _date(text: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text, DATE_FORMAT).date()
    except ValueError:
        return None


def read_text(text: str, f: Field) -> Scalar:
    """A value typed as text, read as the intake reads a cell of ``f``: ``"12"`` is 12 for a number field,
    ``"yes"`` is true for a true/false field. Text that does not read stays text (:func:`value_problem`
    then says what the field holds)."""
    stripped = text.strip()
    if f.logical_type in ("integer", "number"):
        if re.fullmatch(INTEGER_TEXT, stripped):
            return int(float(stripped))
        if re.fullmatch(NUMBER_TEXT, stripped):
            return float(stripped)
    if f.logical_type == "boolean" and stripped.lower() in TRUE_TEXT | FALSE_TEXT:
        return stripped.lower() in TRUE_TEXT
    if f.logical_type == "date":
        return _date(stripped) or text
    return text


def value_problem(value: Scalar, f: Field, said: str | None = None) -> str | None:
    """Why ``value`` can never be one the agreement allows for ``f`` (None when it can be).

    ``said`` is how to refer to the value in the answer; by default the value itself is quoted (an
    indicator file's value is part of a programme's settings). A caller holding a person's information
    passes words instead ("the new value"), so the answer never carries it.
    """
    it = said or f"'{value}'"
    field = f"'{f.name}' ({f.plain_name})"
    if f.logical_type in ("integer", "number"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"{field} is a number; {it} is not"
        low, high = field_range(f)
        if (low is not None and value < low) or (high is not None and value > high):
            return f"{said or value} is outside the agreed range of {f.name} ({range_words(low, high)})"
        if f.logical_type == "integer" and value != int(value):
            return f"{field} holds whole numbers; {said or value} can never match"
        return _coded_problem(value_text(value), f, said)
    if f.logical_type == "date":
        day = value if isinstance(value, dt.date) else _date(str(value))
        if day is None:
            return f"{field} is a date; write it as YYYY-MM-DD, not {it}"
        first, last = f.minimum, f.maximum
        if (isinstance(first, dt.date) and day < first) or (isinstance(last, dt.date) and day > last):
            return f"{said or day.isoformat()} is outside the agreed range of {f.name} ({range_words(first, last)})"
        return None
    if f.logical_type == "boolean":
        if not isinstance(value, bool):
            return f"{field} is true or false{'' if said else ' (without quotes)'}, not {it}"
        return _coded_problem(value_text(value), f, said)
    if not isinstance(value, str):
        if f.allowed is not None and str(value) not in f.allowed:
            return _unknown_code(str(value), f, it)
        return f"{field} is text; put the value in quotes"
    parts = value.split(f.multi_value_separator) if f.multi_value_separator else [value]
    for part in parts:
        if f.allowed is not None and part not in f.allowed:
            return _unknown_code(part, f, said or f"'{part}'")
    if f.pattern and not re.search(f.pattern, value):
        return f"{field} must match the agreed pattern {f.pattern}; {it} does not"
    if f.max_length is not None and len(value) > f.max_length:
        return f"{field} holds at most {f.max_length} characters; {it} is longer"
    return None


def text_problem(text: str | None, f: Field, said: str) -> str | None:
    """Why a value typed as text cannot be ``f``'s (None when it can): a blank where the agreement needs a
    value, or what :func:`value_problem` says of it once read (:func:`read_text`). ``said`` refers to it."""
    if text is None or not text.strip():
        return f"'{f.name}' is required by the agreement, so it cannot be blank" if f.required else None
    return value_problem(read_text(text, f), f, said)


def _unknown_code(text: str, f: Field, it: str) -> str:
    close = difflib.get_close_matches(text, f.allowed or (), n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"agreed values are {', '.join(f.allowed or ())}"
    return f"{it} is not an agreed value of {f.name} ({f.plain_name}); {hint}"


def _coded_problem(text: str, f: Field, said: str | None) -> str | None:
    """A coded number or true/false must be one of the contract's agreed codes (when it lists them)."""
    if f.allowed is None or text in f.allowed:
        return None
    agreed = ", ".join(f"{code} ({f.label(code)})" if f.label(code) != code else code for code in f.allowed)
    return f"{said or text} is not an agreed value of {f.name} ({f.plain_name}); agreed values are {agreed}"
