"""Benchmark: the identifier scan, alone and inside `load()`, in rows per second, with ratios.

What it measures, in one fresh process per measurement (the machine is shared, so compare the ratios
printed by one run rather than wall times across runs):

* `load()` of an N-row demo evaluation file, and the part of it spent in the identifier scan (the column
  scan and the header cells, timed from inside the same call; see `bench_load.loaded`);
* `scan_text` alone on that file's free-text column (stories repeat, as real feedback does), on a column
  of N stories that are all different (the worst case: nothing repeats), and on the same column with an
  identifier written into 1 in 100 stories (`redact_text`, so the cost of finding and removing);
* `redact_text` on one story at a time (as the Stories pages make each story safe), per call, beside
  `find_spans` on the same story: the difference is the fixed cost of a call;
* `dpup-eval scan FILE` end to end through its entry point, on the CSV and on a tiny file (the
  difference is the work; the tiny file's time is start-up: imports and the name lists).

Run: `.venv/bin/python benchmarks/bench_scan.py [--rows N]` (default 200,000; `make bench` runs it).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_load import distinct_text_scan, loaded, make_file

# Identifiers written as in notes, planted in 1 in 100 stories (made-up values: a published test NHI, a
# specification IRD number, a drama-range phone number, an example.org address).
PLANTED = (
    "Her NHI is zzz 0016.",
    "IRD 49-091-850 for the form.",
    "ring 021 555 0123 after 5",
    "email aroha at example dot org",
    "We live at 17 Rimu Way.",
    "DOB 03/04/2015",
    "Tama loved it.",
)


def column_scan(path: Path) -> dict:
    """scan_text alone on the file's free-text column, read the way load() reads it."""
    import pandas as pd

    from dpup_eval.intake.identifiers import scan_text
    from dpup_eval.intake.person_names import lexicon

    frame = pd.read_csv(path, usecols=["feedback"], dtype="string[pyarrow]", engine="pyarrow")
    lexicon()
    start = time.perf_counter()
    scan_text(frame["feedback"])
    wall = time.perf_counter() - start
    return {"wall": wall, "rows": len(frame), "distinct": int(frame["feedback"].nunique())}


def planted_scan(rows: int) -> dict:
    """redact_text on N all-different stories, 1 in 100 of them holding an identifier."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    from dpup_eval.demo.text import compose_feedback
    from dpup_eval.intake.identifiers import redact_text
    from dpup_eval.intake.person_names import lexicon

    rng = np.random.default_rng(5)
    stories = pc.cast(compose_feedback(rng, rng.integers(0, 5, rows), np.ones(rows, dtype=bool)), pa.string())
    extra = np.full(rows, "", dtype=object)
    chosen = np.arange(0, rows, 100)
    extra[chosen] = [" " + PLANTED[i % len(PLANTED)] for i in range(len(chosen))]
    numbers = pa.array(np.arange(rows).astype(str))
    text = pc.binary_join_element_wise(stories, pa.scalar(" (session "), numbers, pa.scalar(")"),
                                       pa.array(extra, pa.string()), "")
    column = pa.chunked_array([text]).to_pandas(types_mapper=pd.ArrowDtype)
    lexicon()
    start = time.perf_counter()
    _, masks = redact_text(column)
    wall = time.perf_counter() - start
    found = int(np.logical_or.reduce(list(masks.values())).sum())
    return {"wall": wall, "rows": rows, "planted": len(chosen), "found": found}


def single_story(calls: int) -> dict:
    """redact_text on a one-story column, one call per story (as stories are made safe one at a time),
    and find_spans on the same stories; milliseconds per call."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    from dpup_eval.demo.text import compose_feedback
    from dpup_eval.intake.identifiers import find_spans, redact_text
    from dpup_eval.intake.person_names import lexicon

    rng = np.random.default_rng(7)
    stories = pc.cast(compose_feedback(rng, rng.integers(0, 5, calls), np.ones(calls, dtype=bool)), pa.string())
    texts = [f"{story} {PLANTED[i % len(PLANTED)]}" for i, story in enumerate(stories.to_pylist())]
    lexicon()
    redact_text(pd.Series(texts[:1], dtype="string[pyarrow]"))
    start = time.perf_counter()
    for text in texts:
        redact_text(pd.Series([text], dtype="string[pyarrow]"))
    redact_ms = (time.perf_counter() - start) / calls * 1000
    start = time.perf_counter()
    for text in texts:
        find_spans(text)
    find_ms = (time.perf_counter() - start) / calls * 1000
    return {"redact_ms": redact_ms, "find_ms": find_ms, "calls": calls,
            "chars": sum(map(len, texts)) // calls}


def cli_scan(path: Path) -> dict:
    """`dpup-eval scan FILE --as-table` through the installed entry point (a fresh process)."""
    exe = Path(sys.executable).with_name("dpup-eval")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "dpup_eval.cli"]
    start = time.perf_counter()
    done = subprocess.run([*command, "scan", str(path), "--as-table"], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise RuntimeError(f"dpup-eval scan exited {done.returncode}: {done.stderr.strip()[-300:]}")
    return {"wall": wall, "exit": done.returncode}


def child(kind: str, argument: str) -> None:
    if kind == "load":
        result = loaded(Path(argument))
    elif kind == "column":
        result = column_scan(Path(argument))
    elif kind == "distinct":
        result = distinct_text_scan(int(argument))
    elif kind == "planted":
        result = planted_scan(int(argument))
    elif kind == "single":
        result = single_story(int(argument))
    else:
        result = cli_scan(Path(argument))
    print(json.dumps(result))


def measure(kind: str, argument: object) -> dict:
    print(f"  {kind} ...", file=sys.stderr)
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(argument)], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000, help="rows in the generated file and columns")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    print(f"Generating a {args.rows:,}-row evaluation file (once) ...", file=sys.stderr)
    path = make_file(args.rows)
    tiny = Path(tempfile.gettempdir()) / "dpup_eval_bench_tiny.csv"
    tiny.write_text("feedback\nKa pai\n", encoding="utf-8")
    load_before = os.getloadavg()[0]
    load = measure("load", path)
    column = measure("column", path)
    distinct = measure("distinct", args.rows)
    planted = measure("planted", args.rows)
    single = measure("single", 200)
    cli = measure("cli", path)
    cli_tiny = measure("cli", tiny)
    rows = load["rows"]

    def rate(n: int, seconds: float) -> str:
        return f"{n / seconds:>12,.0f} rows/s"

    print(f"\nIdentifier scan benchmark: {rows:,}-row demo evaluation file, one fresh process per line")
    print(f"machine load average (1 min) at start {load_before:.1f}, at end {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores: wall times scale with it, the ratios below much less")
    print(f"{'load() (checks, scan, k)':52}{load['wall']:>8.2f} s{rate(rows, load['wall'])}")
    print(f"{'  of which the identifier scan (columns, headers)':52}{load['scan']:>8.2f} s{rate(rows, load['scan'])}")
    print(f"{'scan_text alone, the file free text':52}{column['wall']:>8.2f} s{rate(column['rows'], column['wall'])}"
          f"   ({column['distinct']:,} distinct stories)")
    print(f"{'scan_text, every story different (worst case)':52}{distinct['wall']:>8.2f} s"
          f"{rate(distinct['rows'], distinct['wall'])}")
    print(f"{'redact_text, every story different, 1 in 100 planted':52}{planted['wall']:>8.2f} s"
          f"{rate(planted['rows'], planted['wall'])}   ({planted['found']:,} of {planted['planted']:,} "
          f"planted found)")
    print(f"{'redact_text on one story per call (ms per call)':52}{single['redact_ms']:>8.1f} ms"
          f"   (find_spans on the same: {single['find_ms']:.1f} ms; {single['calls']} stories of about "
          f"{single['chars']} characters)")
    print(f"{'dpup-eval scan FILE --as-table (whole command)':52}{cli['wall']:>8.2f} s{rate(rows, cli['wall'])}")
    print(f"{'dpup-eval scan on a one-row file (start-up)':52}{cli_tiny['wall']:>8.2f} s")
    print(f"name lists loaded once per process (not in load()): {load['names_load']:.2f} s")
    print(f"ratio scan / load(): {load['scan'] / load['wall']:.1%} (aim <= 25%)")
    print(f"ratio worst case / file free text (same rows): {distinct['wall'] / column['wall']:.1f}x")
    print(f"ratio finding and removing / finding only (all different): {planted['wall'] / distinct['wall']:.2f}x")
    print(f"ratio dpup-eval scan, less start-up, / load(): {(cli['wall'] - cli_tiny['wall']) / load['wall']:.2f}x")


if __name__ == "__main__":
    main()
