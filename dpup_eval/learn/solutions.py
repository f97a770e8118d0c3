"""Worked solutions to the course's exercises, kept out of the notebooks the learner sees.

Each entry is the code of an exercise cell (tagged ``"exercise": "<id>"`` in the notebook's cell
metadata) written out in full, using the names the notebook has set up before it. The test suite
puts these in place of the ``answer = ...`` cells and runs every notebook top to bottom, which
proves every exercise can be solved with what the notebook has taught so far.

A tutor may show one to a learner who is stuck; the checker never does.
"""

from __future__ import annotations

__all__ = ["SOLUTIONS"]

SOLUTIONS: dict[str, str] = {
    "01.people": "answer = len(data)",
    "01.quasi_identifiers": (
        'answer = [field.name for field in contract.fields if field.role == "quasi_identifier"]'
    ),
    "02.rejected_column": ('answer = [p.column for p in report.problems if p.level == "dataset"][0]'),
    "02.find_row": (
        'words = [p for p in report.problems if p.code == "invalid-type" and p.column == "sessions_attended"]\n'
        "answer = words[0].rows[0]"
    ),
    "02.fixed_value": (
        'in_words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",\n'
        '            "eleven", "twelve", "thirteen"]\n'
        'answer = str(in_words.index(raw.loc[row, "sessions_attended"]))'
    ),
    "03.families": 'answer = data["family_ref"].nunique()',
    "03.finished_share": (
        'stopped = families[families["programme_status"] != "enrolled"]\n'
        'answer = (stopped["programme_status"] == "completed").mean()'
    ),
    "03.families_by_quarter": 'answer = data.groupby("enrolment_quarter")["family_ref"].nunique()',
    "03.attendance": (
        'offered = data[data["sessions_offered"] >= 1]\n'
        'rate = offered["sessions_attended"] / offered["sessions_offered"]\n'
        "answer = (rate >= 0.75).mean()"
    ),
    "04.small_cells": "answer = int((table < 6).sum().sum())",
    "04.recover": 'answer = naive.loc["Auckland", "Total"] - naive.loc["Auckland"].drop("Total").sum()',
    "05.interval": 'answer = wilson(counts.loc["Canterbury", "finished"], counts.loc["Canterbury", "stopped"])',
    "05.difference": (
        "answer = newcombe_difference(\n"
        '    counts.loc["Auckland", "finished"], counts.loc["Auckland", "stopped"],\n'
        '    counts.loc["Canterbury", "finished"], counts.loc["Canterbury", "stopped"],\n'
        ")"
    ),
    "06.published_share": (
        'chosen = findings.select(indicator="finished", definition="finished_not_counting_moves", grouping="")\n'
        "answer = chosen[0].estimate"
    ),
    "06.sentence": (
        'finding = findings.select(indicator="finished", definition="finished_not_counting_moves", grouping="")[0]\n'
        'answer = f"{percent(finding.estimate)} of the people who have stopped coming finished the programme."'
    ),
}
