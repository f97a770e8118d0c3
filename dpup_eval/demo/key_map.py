"""The demo programme's key map: CCSS's own family references linked to the references sent per purpose.

The demo files deliberately cannot be linked to each other, so the key is re-derived from the
generator's own draws (the same seed gives the same references). Written with owner-only permissions:
it is the key to the pseudonyms. The request register (:mod:`dpup_eval.rights.requests`) reads it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dpup_eval.demo import generator, text
from dpup_eval.rights.requests import KEY_MAP_COLUMNS

__all__ = ["demo_key_map", "write_demo_key_map"]


def demo_key_map(options: generator.DemoOptions | None = None) -> list[dict[str, str]]:
    """The key map for the demo data written with ``options`` (default ``DemoOptions()``).

    The demo files deliberately cannot be linked to each other, so the key is re-derived from the
    generator's own draws (the same seed gives the same references). CCSS's reference is ``CCSS-00001``...
    in enrolment order.
    """
    opts = options or generator.DemoOptions()
    # The first steps of demo.generate_demo, repeated: the same draws give the same references.
    rng = np.random.default_rng(opts.seed)
    starts = generator._quarter_starts(opts.first_quarter, opts.quarters)
    n = opts.families
    fam = generator._families(rng, n, starts)
    people = generator._people(rng, fam)
    ids = text.unique_ids(rng, 2 * n + people["family"].size)
    eval_refs, service_refs = text.hex_refs("F-", ids[:n]), text.hex_refs("S-", ids[n : 2 * n])
    rows = []
    for i in range(n):
        mine = f"CCSS-{i + 1:05d}"
        rows.append({"provider_family_ref": mine, "purpose": "evaluation", "family_ref": str(eval_refs[i])})
        rows.append({"provider_family_ref": mine, "purpose": "service_reporting", "family_ref": str(service_refs[i])})
    return rows


def write_demo_key_map(path: Path, options: generator.DemoOptions | None = None) -> Path:
    """Write :func:`demo_key_map` as CSV (owner-only permissions: it is the key to the pseudonyms)."""
    import pandas as pd

    from dpup_eval.safe_csv import write_csv

    frame = pd.DataFrame(demo_key_map(options), columns=KEY_MAP_COLUMNS, dtype="string[pyarrow]")
    return write_csv(path, frame)
