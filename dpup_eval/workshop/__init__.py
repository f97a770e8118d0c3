"""The workshop record shared by every participant's page: see :mod:`dpup_eval.workshop.store`."""

from dpup_eval.workshop._schema import (
    REPORT_ITEM_KINDS,
    ROLES,
    VIEWS,
    Decision,
    Interpretation,
    Participant,
    Proposal,
    View,
    Workshop,
    WorkshopError,
    finding_key_text,
)
from dpup_eval.workshop.store import WorkshopStore

__all__ = [
    "REPORT_ITEM_KINDS",
    "ROLES",
    "VIEWS",
    "Decision",
    "Interpretation",
    "Participant",
    "Proposal",
    "View",
    "Workshop",
    "WorkshopError",
    "WorkshopStore",
    "finding_key_text",
]
