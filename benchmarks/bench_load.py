"""Benchmark: `load()` on a 1,000,000-row evaluation file against the floor.

The floor is `pandas.read_csv(engine="pyarrow")` of the same file plus the same checks written as
plain vectorised pandas (types, required, ranges, categories, patterns, keys, field-order rules,
the identifier scan of the free text, the k check). Each measurement runs in a fresh process so
peak memory (peak RSS above the process's baseline after imports) is not shared between them.
Great Expectations' import (~6 s, once per process) is reported separately from `load()`.

Run: `.venv/bin/python benchmarks/bench_load.py [--rows N] [--repeat R]`
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROWS_PER_FAMILY = 3.45  # the demo's average whānau size


def _status(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def start_memory() -> int:
    """Reset the peak (Linux: clear_refs 5) and return the current resident size as the baseline."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    return _status("VmRSS")


def peak_rss() -> int:
    return _status("VmHWM")


def make_file(rows: int) -> Path:
    """Generate (once) an evaluation file of at least `rows` rows, trimmed to exactly `rows`."""
    from dpup_eval.demo.generator import DemoOptions, write_demo_data

    folder = Path(tempfile.gettempdir()) / f"dpup_eval_bench_{rows}"
    target = folder / "evaluation_exact.csv"
    if target.exists():
        return target
    families = int(rows / ROWS_PER_FAMILY) + 200
    files = write_demo_data(folder, DemoOptions(families=families, quarters=4, seed=11),
                            progress=lambda m: print("  " + m, file=sys.stderr))
    with files.evaluation.open(encoding="utf-8") as src, target.open("w", encoding="utf-8") as dst:
        for i, line in enumerate(src):
            if i > rows:
                break
            dst.write(line)
    return target


def floor(path: Path) -> dict:
    """read_csv(engine="pyarrow") + the same checks as plain vectorised pandas."""
    import numpy as np
    import pandas as pd

    from dpup_eval.agreement.contract import Agreement, default_contract_dir
    from dpup_eval.intake.identifiers import scan_text

    contract = Agreement.load(default_contract_dir()).for_purpose("evaluation")
    base = start_memory()
    start = time.perf_counter()
    df = pd.read_csv(path, engine="pyarrow", dtype_backend="pyarrow", dtype=str)
    bad = np.zeros(len(df), dtype=bool)
    for f in contract.fields:
        col = df[f.name]
        if f.required:
            bad |= col.isna().to_numpy()
        if f.logical_type == "integer":
            num = pd.to_numeric(col, errors="coerce")
            bad |= (num.isna() & col.notna()).to_numpy()
            if f.minimum is not None:
                bad |= ((num < f.minimum) | (num > f.maximum)).fillna(False).to_numpy()
            df[f.name] = num.astype("Int64")
        elif f.logical_type == "date":
            d = pd.to_datetime(col, format="%Y-%m-%d", errors="coerce")
            bad |= (d.isna() & col.notna()).to_numpy()
            df[f.name] = d
        elif f.allowed is not None and not f.multi_value_separator:
            bad |= (~col.isin(f.allowed) & col.notna()).to_numpy()
            df[f.name] = col.astype(pd.CategoricalDtype(list(f.allowed)))
        elif f.allowed is not None:
            alternatives = "|".join(f.allowed)
            bad |= (~col.str.fullmatch(f"({alternatives})(;({alternatives}))*").fillna(True)).to_numpy()
        if f.pattern:
            bad |= (~col.str.match(f.pattern).fillna(True)).to_numpy()
        if f.max_length:
            bad |= (col.str.len() > f.max_length).fillna(False).to_numpy()
    bad |= df["participant_ref"].duplicated(keep=False).to_numpy()
    bad |= (df["exit_date"] < df["enrolment_date"]).fillna(False).to_numpy()
    bad |= (df["sessions_attended"] > df["sessions_offered"]).fillna(False).to_numpy()
    bad |= (df["goals_achieved"] > df["goals_set"]).fillna(False).to_numpy()
    found = scan_text(df["feedback"])
    sizes = df[~bad].groupby(["participant_type", "age_band", "region"], observed=True).size()
    _ = (sizes < contract.min_group_size).sum(), sum(int(np.asarray(m).sum()) for m in found.values())
    wall = time.perf_counter() - start
    return {"wall": wall, "peak": peak_rss() - base, "frame": int(df.memory_usage(deep=True).sum()), "rows": len(df)}


def _timed(module: object, name: str, spent: list[float]) -> None:
    """Wrap module.name so that the time spent inside it is added to spent[0]."""
    real = getattr(module, name)

    def wrapper(*args: object, **kwargs: object) -> object:
        started = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - started

    setattr(module, name, wrapper)


def loaded(path: Path) -> dict:
    """dpup_eval.load(), with Great Expectations imported beforehand (timed separately).

    The identifier scan's share is measured inside the same call: the scan of the columns and of the
    header cells is wrapped with a timer. The name lists are loaded before timing (once per process,
    like the Great Expectations import)."""
    from dpup_eval import load
    from dpup_eval.agreement.contract import default_contract_dir
    from dpup_eval.intake import gx_engine, loading
    from dpup_eval.intake.person_names import lexicon

    t0 = time.perf_counter()
    gx_engine.warm_up()
    gx_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    lexicon()
    names_load = time.perf_counter() - t0
    spent = [0.0]
    for name in ("identifier_problems", "header_problems", "safe_labels"):
        _timed(loading, name, spent)
    base = start_memory()
    start = time.perf_counter()
    result = load(path, default_contract_dir(), "evaluation")
    wall = time.perf_counter() - start
    report = result.report
    assert report.rows_accepted + report.rows_quarantined == report.rows_read
    return {"wall": wall, "peak": peak_rss() - base, "frame": int(result.data.memory_usage(deep=True).sum()),
            "rows": report.rows_read, "gx_import": gx_import, "scan": spent[0], "names_load": names_load}


def distinct_text_scan(rows: int) -> dict:
    """The scan alone on a free-text column where (almost) every value is different: the worst case for
    the vectorised path, since nothing repeats. Demo stories with a different number in each."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    from dpup_eval.demo.text import compose_feedback
    from dpup_eval.intake.identifiers import scan_text
    from dpup_eval.intake.person_names import lexicon

    rng = np.random.default_rng(3)
    stories = compose_feedback(rng, rng.integers(0, 5, rows), np.ones(rows, dtype=bool))
    stories = pc.cast(stories, pa.string())
    numbers = pa.array(np.arange(rows).astype(str))
    text = pc.binary_join_element_wise(stories, pa.scalar(" (session "), numbers, pa.scalar(")"), "")
    column = pa.chunked_array([text]).to_pandas(types_mapper=pd.ArrowDtype)
    lexicon()
    start = time.perf_counter()
    scan_text(column)
    return {"wall": time.perf_counter() - start, "rows": rows}


def child(kind: str, path: str) -> None:
    if kind == "distinct":
        result = distinct_text_scan(int(path))
    else:
        result = floor(Path(path)) if kind == "floor" else loaded(Path(path))
    print(json.dumps(result))


def measure(kind: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(path)], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    print(f"Generating a {args.rows:,}-row evaluation file (once) ...", file=sys.stderr)
    path = make_file(args.rows)
    print(f"File: {path} ({path.stat().st_size / 1e6:.0f} MB)", file=sys.stderr)
    runs: dict[str, list[dict]] = {"floor": [], "load": []}
    for i in range(args.repeat):
        for kind in runs:
            print(f"  run {i + 1}/{args.repeat}: {kind} ...", file=sys.stderr)
            runs[kind].append(measure(kind, path))
    med = {k: {m: statistics.median(r[m] for r in v) for m in ("wall", "peak", "frame")} for k, v in runs.items()}
    gx_import = statistics.median(r["gx_import"] for r in runs["load"])
    mb = 1e6
    print(f"\nload() benchmark: {runs['load'][0]['rows']:,} rows, median of {args.repeat} fresh processes")
    print(f"{'':28}{'wall (s)':>10}{'peak RSS (MB)':>16}{'frame (MB)':>12}")
    print(f"{'floor: read_csv+pandas':28}{med['floor']['wall']:>10.2f}{med['floor']['peak'] / mb:>16.0f}"
          f"{med['floor']['frame'] / mb:>12.0f}")
    print(f"{'dpup_eval.load()':28}{med['load']['wall']:>10.2f}{med['load']['peak'] / mb:>16.0f}"
          f"{med['load']['frame'] / mb:>12.0f}")
    print(f"Great Expectations import (once per process, not in load()): {gx_import:.2f} s")
    print(f"ratio load()/floor wall time: {med['load']['wall'] / med['floor']['wall']:.2f}x (aim <= 3x)")
    print(f"ratio load() peak memory / loaded frame: {med['load']['peak'] / med['load']['frame']:.2f}x (aim <= 3x)")
    print(f"ratio floor peak memory / its frame: {med['floor']['peak'] / med['floor']['frame']:.2f}x (for reference)")
    scan = statistics.median(r["scan"] for r in runs["load"])
    names_load = statistics.median(r["names_load"] for r in runs["load"])
    print(f"identifier scan inside load() (all kinds, names included, header cells): {scan:.2f} s = "
          f"{scan / med['load']['wall']:.0%} of load() (aim <= 25%)")
    print(f"loading the name lists (once per process, not in load()): {names_load:.2f} s")
    distinct = measure("distinct", Path(str(args.rows)))
    print(f"scan alone on {distinct['rows']:,} free-text values that are all different: {distinct['wall']:.2f} s")


if __name__ == "__main__":
    main()
