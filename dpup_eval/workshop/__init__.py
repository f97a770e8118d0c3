"""The workshop: Voila pages where providers, families and the agency set success measures together.

Holds the shared record (`records`: its types; `tables`: its tables and migrations; `store`: the
database every page reads and writes, through `dpup_eval.records`; `archive`: export, import, backups),
the page kernels' session (`session`), the composite widgets (`widgets_*`, `pages`), the report
(`report`) and the server that checks the data once and serves the pages (`server`).

May import: `dpup_eval.findings`, `dpup_eval.intake`, `dpup_eval.agreement` and the base modules.
"""

from dpup_eval.workshop.records import (
    DEFAULT_ROLES,
    REPORT_ITEM_KINDS,
    ROLE_GROUPS,
    ROLES,
    VIEWS,
    Decision,
    Interpretation,
    Participant,
    Proposal,
    Role,
    View,
    Workshop,
    WorkshopError,
    finding_key_text,
)
from dpup_eval.workshop.store import WorkshopStore

__all__ = [
    "DEFAULT_ROLES",
    "REPORT_ITEM_KINDS",
    "ROLES",
    "ROLE_GROUPS",
    "VIEWS",
    "Decision",
    "Interpretation",
    "Participant",
    "Proposal",
    "Role",
    "View",
    "Workshop",
    "WorkshopError",
    "WorkshopStore",
    "finding_key_text",
]
