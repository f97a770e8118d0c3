"""What counts as success, one answer per value: success, not success, or left out of the count.

When success is a value of a field that can also say who is included ("Where they are up to":
enrolled, completed, withdrew, moved), the old form showed the same four boxes twice, once meaning
"this counts as success" and once "this person is counted at all", each ticked differently. A parent
cannot tell them apart. Here each value gets one question with three answers, so one place says both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import ipywidgets as w

__all__ = ["LEAVE_OUT", "NOT_SUCCESS", "SUCCESS", "SuccessChoice"]

SUCCESS = "success"
NOT_SUCCESS = "not_success"
LEAVE_OUT = "leave_out"
_ANSWERS = {SUCCESS: "Counts as success", NOT_SUCCESS: "Counted, but not as success",
            LEAVE_OUT: "Leave them out of the count"}  # fmt: skip


class SuccessChoice(w.VBox):
    """One drop-down per value of a field; ``can_leave_out`` adds the third answer."""

    def __init__(
        self, values: Sequence[tuple[str, Any]], *, success: Iterable[Any] = (), left_out: Iterable[Any] = (),
        can_leave_out: bool = False,
    ) -> None:  # fmt: skip
        success, left_out = list(success), list(left_out)
        answers = [(words, key) for key, words in _ANSWERS.items() if key != LEAVE_OUT or can_leave_out]
        self.rows: list[w.Dropdown] = []
        for label, key in values:
            answer = SUCCESS if key in success else LEAVE_OUT if can_leave_out and key in left_out else NOT_SUCCESS
            row = w.Dropdown(options=answers, value=answer, description=label,
                             style={"description_width": "initial"})  # fmt: skip
            row.key = key
            self.rows.append(row)
        intro = w.HTML("<p>For each answer, say whether it counts as success"
                       + (", or leave those people out of the count:</p>" if can_leave_out else ":</p>"))
        super().__init__([intro, *self.rows])

    def answered(self, answer: str) -> list[Any]:
        return [row.key for row in self.rows if row.value == answer]

    def observe_rows(self, callback: Callable[[Any], None]) -> None:
        for row in self.rows:
            row.observe(callback, "value")
