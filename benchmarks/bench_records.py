"""The record layer's costs: what it adds to a page kernel's imports, and writes and polls per second on
SQLite and on PostgreSQL (a throwaway cluster, as the tests start one).

    .venv/bin/python benchmarks/bench_records.py [--repeat 5] [--writes 200]

Prints medians and ratios measured in the same run (this machine is shared: absolute times are noisy).
Import times are `python -X importtime` cumulative microseconds of the named module, in fresh processes.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def import_us(module: str, repeat: int) -> float:
    """Median cumulative import time of ``module`` in a fresh interpreter (microseconds)."""
    times = []
    for _ in range(repeat):
        done = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"],
                              capture_output=True, text=True, check=True)  # fmt: skip
        line = next(x for x in done.stderr.splitlines() if x.rstrip().endswith(f"| {module}"))
        times.append(int(line.split("|")[1]))
    return statistics.median(times)


def rss_mb(module: str) -> float:
    """Peak resident memory of a fresh interpreter that imported ``module`` (MB)."""
    code = f"import resource, {module}; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    return int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout) / 1024


def store_figures(target: str, writes: int) -> dict[str, float]:
    from dpup_eval.workshop import WorkshopStore

    started = time.perf_counter()
    store = WorkshopStore(target)
    opened = time.perf_counter() - started
    w = store.create_workshop("Bench", date(2026, 11, 20), "d", "c").id
    me = store.join(w, "Mere", "family_member").id
    started = time.perf_counter()
    for i in range(writes):
        store.propose(w, me, indicator_id="a", label=f"L{i}", definition={"i": i}, reason="")
    write_s = (time.perf_counter() - started) / writes
    started = time.perf_counter()
    for _ in range(writes):
        store.revision(w)
    poll_s = (time.perf_counter() - started) / writes
    started = time.perf_counter()
    for _ in range(20):
        store.proposals(w)
    read_all_s = (time.perf_counter() - started) / 20
    store.close()
    return {"open ms": opened * 1e3, "write ms": write_s * 1e3, "poll ms": poll_s * 1e3,
            f"read {writes} proposals ms": read_all_s * 1e3}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="fresh processes per import measurement")
    parser.add_argument("--writes", type=int, default=200, help="writes (and polls) per database")
    args = parser.parse_args()

    print("Import cost (median of fresh processes, cumulative ms):")
    figures = {m: import_us(m, args.repeat) / 1e3 for m in
               ("sqlite3", "sqlalchemy", "dpup_eval.records", "dpup_eval.workshop.session")}  # fmt: skip
    for module, ms in figures.items():
        print(f"  {module:28} {ms:8.0f} ms")
    share = figures["sqlalchemy"] / figures["dpup_eval.workshop.session"]
    print(f"  SQLAlchemy is {share:.0%} of what a page kernel imports (dpup_eval.workshop.session); "
          "dpup_eval.records alone also pays for the dpup_eval package's own __init__")
    rss = {m: rss_mb(m) for m in ("sqlite3", "sqlalchemy")}
    print(f"  resident memory after importing: sqlite3 {rss['sqlite3']:.0f} MB, sqlalchemy {rss['sqlalchemy']:.0f} MB")

    folder = Path(tempfile.mkdtemp(prefix="bench-records-"))
    results = {"sqlite": store_figures(str(folder / "w.sqlite"), args.writes)}
    from postgres_cluster import Cluster, server_bin

    bin_dir = server_bin()
    if bin_dir is None:
        print("PostgreSQL's server is not installed: SQLite only.")
    else:
        cluster = Cluster(bin_dir)
        try:
            results["postgresql"] = store_figures(cluster.new_database(), args.writes)
        finally:
            cluster.stop()
    print(f"\nThe workshop store, {args.writes} proposals then {args.writes} polls (revision), one process:")
    names = list(results["sqlite"])
    print("  " + " " * 12 + "".join(f"{n:>26}" for n in names))
    for backend, values in results.items():
        print(f"  {backend:12}" + "".join(f"{values[n]:26.2f}" for n in names))
    if "postgresql" in results:
        ratios = {n: results["postgresql"][n] / results["sqlite"][n] for n in names}
        print("  postgresql / sqlite: " + ", ".join(f"{n} x{r:.1f}" for n, r in ratios.items()))


if __name__ == "__main__":
    main()
