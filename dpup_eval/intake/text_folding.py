"""Undo the typing that hides an identifier's shape, before the finders look, keeping every position.

Why: text reaches the scanner from word processors, phones and copied links, and they change characters
that the finders' rules are written for. A word processor turns the dashes of ``47-179-025`` into en
dashes and its spaces into non-breaking ones; a phone keyboard may type a full-width ``＠``; a copied
link writes ``@`` as ``%40``. People glue a label to its value ("IRD-53-710-220", "nhi/ZUA48EH",
"ph033316005", "dob:03042015") and drop the ``+`` of a country code ("64 3 331 6005"). Each finder could
learn every one of these, but they are one class of problem: the characters differ, the identifier is the
same. So one pass rewrites them in a copy of the text (dashes to ``-``, spaces to `` ``, full-width forms
to ASCII, ``%40`` to ``@``, a glued label set apart by a space, a ``+`` before a bare ``64``) and keeps,
for every character of the copy, where it came from, so that spans found in the copy map back exactly to
the text a person wrote. Nothing is changed in the text that is kept or redacted. The name finder reads
the text as written: a space put between a label and its value would make a word of the label ("ph").
"""

from __future__ import annotations

import re

__all__ = ["Folded", "fold"]

# One character for one: dashes and minus signs, spaces of every width, full-width ASCII forms.
_ONE_FOR_ONE = {
    **dict.fromkeys((0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE63), "-"),
    **dict.fromkeys((0x00A0, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x202F,
                     0x205F, 0x3000), " "),
    **{code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)},
    0xFE6B: "@",  # small commercial at
}
_NEEDS_ONE_FOR_ONE = re.compile("[" + "".join(re.escape(chr(c)) for c in _ONE_FOR_ONE) + "]")

# Labels people glue to an identifier: with one mark between ("IRD-", "nhi/", "dob:") or, before digits,
# none ("ph033316005"). The label must start a word, so "graph0211" is not "ph".
_LABELS = r"nhi|n\.h\.i\.?|ird|i\.r\.d\.?|gst|tax|ph|phone|mob|mobile|cell|tel|dob|d\.o\.b\.?|bday|b['’]day|email|e-mail"
# Every label holds one of these (lower case): a quick test before the regular expression.
_LABEL_PARTS = ("nhi", "n.h", "ird", "i.r", "gst", "tax", "ph", "mob", "cell", "tel", "dob", "d.o", "day", "mail")
_GLUED_LABEL = re.compile(rf"(?i)(?<![A-Za-z])(?:{_LABELS})(?:(?P<mark>[-/:#=])(?=[0-9A-Za-z(+])|(?=[0-9]))")
_DIGIT = re.compile(r"[0-9]")
# A copied link's %40, between the two halves of an address.
_PERCENT_AT = re.compile(r"(?<=\w)%40(?=\w)")
# A New Zealand number written from abroad without its +: "64 3 331 6005", "64-21-123-4567".
_BARE_COUNTRY_CODE = re.compile(r"(?<![0-9A-Za-z+])(?=64[ .-](?:[2-9]|2[0-9])[ .-]?[0-9]{3}[ .-]?[0-9]{3,4}(?![0-9]))")


class Folded:
    """The rewritten text and, for each of its characters, the span of the original it stands for."""

    __slots__ = ("_ends", "_starts", "text")

    def __init__(self, text: str, starts: list[int] | None = None, ends: list[int] | None = None) -> None:
        self.text = text
        self._starts = starts
        self._ends = ends

    def original(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that the copy's span [start, end) came from."""
        if self._starts is None or self._ends is None:
            return start, end
        if end <= start:
            return self._starts[start], self._starts[start]
        return self._starts[start], self._ends[end - 1]


def fold(text: str) -> Folded:
    """The text with the typing undone (see the module docstring), and the way back to the original."""
    # Cheap tests first: most stories are ASCII with no digits, and then nothing here applies.
    text_one = text if text.isascii() or not _NEEDS_ONE_FOR_ONE.search(text) else text.translate(_ONE_FOR_ONE)
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement) in text_one, not overlapping
    if _DIGIT.search(text_one):  # every glued identifier and every bare 64 number has digits
        lowered = text_one.lower()
        if any(part in lowered for part in _LABEL_PARTS):  # substring tests cost far less than the regex
            for m in _GLUED_LABEL.finditer(text_one):
                if m["mark"] is not None:
                    edits.append((m.start("mark"), m.end("mark"), " "))
                else:
                    edits.append((m.end(), m.end(), " "))
        if "64" in text_one:
            edits += [(m.start(), m.start(), "+") for m in _BARE_COUNTRY_CODE.finditer(text_one)]
    if "%40" in text_one:
        edits += [(m.start(), m.end(), "@") for m in _PERCENT_AT.finditer(text_one)]
    if not edits:
        return Folded(text_one)
    edits.sort()
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    cursor = 0
    for start, end, replacement in edits:
        if start < cursor:
            continue
        pieces.append(text_one[cursor:start])
        starts += range(cursor, start)
        ends += range(cursor + 1, start + 1)
        pieces.append(replacement)
        starts += [start] * len(replacement)
        ends += [max(end, start)] * len(replacement)
        cursor = end
    pieces.append(text_one[cursor:])
    starts += range(cursor, len(text_one))
    ends += range(cursor + 1, len(text_one) + 1)
    starts.append(len(text_one))  # the end of the text
    return Folded("".join(pieces), starts, ends)
