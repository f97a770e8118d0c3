"""The workshop: Voila pages where providers, families and the agency set success measures together.

Holds the shared record (`records`: its types; `tables`: its tables and migrations; `store`: the
database every page reads and writes, through `dpup_eval.records`; `archive`: export, import, backups),
the page kernels' session (`session`), the composite widgets (`widgets_*`, `pages`), the report
(`report`) and the server that checks the data once and serves the pages (`server`).

May import: `dpup_eval.findings`, `dpup_eval.intake`, `dpup_eval.agreement` and the base modules.
"""

from dpup_eval.workshop import records
from dpup_eval.workshop.records import *  # noqa: F403  (the public types: records.__all__)
from dpup_eval.workshop.store import WorkshopStore

__all__ = [*records.__all__, "WorkshopStore"]
