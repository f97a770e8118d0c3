"""Checking a published (disclosure-controlled) average against a value worked out independently.

Averages are randomly rounded to their step (``Finding.precision``) and their interval widened a little for
that rounding (issue 11), so a published average is checked to within its step, never to full precision.
"""

from __future__ import annotations


def published_close(finding, expected: tuple[float, float, float]) -> None:
    """Estimate within one rounding step of the truth; bounds within two steps and a little widening."""
    step = finding.precision
    assert step is not None and step > 0
    mean, low, high = expected
    assert abs(finding.estimate - mean) < step + 1e-9
    slack = 2 * step + 0.02 * (high - low)
    assert abs(finding.ci_low - low) <= slack and abs(finding.ci_high - high) <= slack
    assert finding.ci_low <= finding.estimate <= finding.ci_high
