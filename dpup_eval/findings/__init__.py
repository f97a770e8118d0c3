"""Findings: success measures computed with honest uncertainty and disclosure control.

Holds indicator definitions (`indicators`, `indicator_checks`), the evaluation that turns accepted
rows into findings (`evaluation`, `tables`), intervals (`intervals`), disclosure control
(`disclosure`), plain wording (`wording`) and charts (`charts`).

May import: `dpup_eval.intake`, `dpup_eval.agreement` and the base modules.
This package's ``__init__`` imports nothing, so that importing one module (say `disclosure`) does
not pull in the statistics stack.
"""
