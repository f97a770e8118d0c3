"""Benchmark: dpup_eval's `load()` beside its peers, in one run, on the same file and field rules.

The peers do the field rules only (required, types, categories, patterns, ranges, lengths, unique
key, cross-field order): pandera (lazy validation of a pandas frame read with pyarrow) and DuckDB SQL
(embedded, reading the CSV itself). Their rules are written here from the contract's own check specs
(`dpup_eval.intake.specs.build_specs`), kind by kind, so all three check the same thing; each ends with
the failing rows per rule and the accepted rows typed (numbers, dates, categories) in memory. dpup_eval
does more in the same call: the identifier scan, the k check, the quarantine with reasons, the audit.

Each measurement runs in a fresh process; the tools take turns (the order rotates every round) so a
busy spell on the shared machine falls on all of them. Wall time is the check alone, after the tool's
imports (reported apart: Great Expectations' import is most of dpup_eval's start-up); CPU is the
process's CPU time over the same span (all threads: steadier than wall time on a crowded machine);
peak memory is peak RSS above the process's baseline after imports. "frame" is the accepted data's size in memory.

Run: `.venv/bin/python benchmarks/bench_peers.py [--rows N ...] [--big] [--repeat R] [--engine duckdb]`
(needs the `bench` extra: `pip install -e '.[bench]'`).
"""

from __future__ import annotations

import argparse
import csv
import importlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_load import make_file, peak_rss, start_memory

DATE_FORMAT = "%Y-%m-%d"
FAULT_SHARE = 0.002  # rows given one broken value each, so that every tool has failures to report


def make_faulty(rows: int) -> Path:
    """The benchmark file with one broken value in 0.2% of rows (once): a wrong category, an impossible
    date, a number out of range or not a number, a repeated key, a finish before the start. The tools
    must then agree on how many rows fail, which checks that they check the same rules."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    clean = make_file(rows)
    target = clean.with_name("evaluation_faults.csv")
    if target.exists():
        return target
    with clean.open(encoding="utf-8") as handle:
        names = next(csv.reader(handle))
    table = pacsv.read_csv(clean, convert_options=pacsv.ConvertOptions(
        column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=True))
    columns = {name: table[name].to_numpy(zero_copy_only=False).astype(object) for name in names}
    rng = np.random.default_rng(16)
    chosen = rng.choice(len(table), size=max(6, int(len(table) * FAULT_SHARE)), replace=False)
    faults = [("region", "Otago"), ("enrolment_date", "2025-02-30"), ("sessions_attended", "41"),
              ("confidence_pre", "lots"), ("participant_ref", None), ("exit_date", "2023-12-31")]
    for i, row in enumerate(chosen.tolist()):
        name, value = faults[i % len(faults)]
        if name == "participant_ref":  # repeat the key of the next chosen row
            value = columns[name][chosen[(i + 1) % len(chosen)]]
        columns[name][row] = value
    out = pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()})
    pacsv.write_csv(out, target)
    return target


def _specs():
    from dpup_eval.agreement.contract import Agreement, default_contract_dir
    from dpup_eval.intake.specs import build_specs

    contract = Agreement.load(default_contract_dir()).for_purpose("evaluation")
    return contract, build_specs(contract)


# --- pandera, lazy --------------------------------------------------------------------------------------


def _pandas_typed(text, kind):
    """A text column parsed to the field's type (unparseable -> missing), as the peers' output holds it."""
    import pandas as pd

    if kind == "date":
        return pd.to_datetime(text, format=DATE_FORMAT, errors="coerce")
    if kind in ("integer", "number"):
        return pd.to_numeric(text, errors="coerce")
    return text


def run_pandera(path: Path) -> dict:
    import numpy as np
    import pandas as pd
    import pandera.pandas as pa
    from pandera.errors import SchemaErrors

    contract, specs = _specs()
    kinds = {f.name: f.logical_type for f in contract.fields}
    base = start_memory()
    start, cpu = time.perf_counter(), time.process_time()
    df = pd.read_csv(path, engine="pyarrow", dtype_backend="pyarrow", dtype=str)
    columns: dict[str, dict] = {name: {"nullable": True, "checks": [], "unique": False} for name in df.columns}
    frame_checks = []
    for spec in specs:
        name = spec.columns[0]
        p = spec.params
        if spec.kind == "not_null":
            columns[name]["nullable"] = False
        elif spec.kind == "match_regex":
            columns[name]["checks"].append(pa.Check.str_matches(p["regex"], name=spec.key))
        elif spec.kind == "in_set":
            columns[name]["checks"].append(pa.Check.isin(p["values"], name=spec.key))
        elif spec.kind == "max_length":
            columns[name]["checks"].append(pa.Check.str_length(max_value=p["max"], name=spec.key))
        elif spec.kind == "date_format":
            columns[name]["checks"].append(
                pa.Check(lambda s: pd.to_datetime(s, format=DATE_FORMAT, errors="coerce").notna(), name=spec.key)
            )
        elif spec.kind == "between":
            low = pd.Timestamp(p["min"]) if kinds[name] == "date" and p["min"] is not None else p["min"]
            high = pd.Timestamp(p["max"]) if kinds[name] == "date" and p["max"] is not None else p["max"]

            def between(s, kind=kinds[name], low=low, high=high):
                typed = _pandas_typed(s, kind)
                bad = pd.Series(False, index=s.index)
                if low is not None:
                    bad |= (typed < low).fillna(False).astype(bool)
                if high is not None:
                    bad |= (typed > high).fillna(False).astype(bool)
                return ~bad

            columns[name]["checks"].append(pa.Check(between, name=spec.key))
        elif spec.kind == "unique" and len(spec.columns) == 1:
            columns[name]["unique"] = True
        elif spec.kind == "field_order":
            left, right = spec.columns

            def order(frame, left=left, right=right, op=p["op"]):
                a, b = _pandas_typed(frame[left], kinds[left]), _pandas_typed(frame[right], kinds[right])
                held = {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
                return (held | a.isna() | b.isna()).fillna(True)

            frame_checks.append(pa.Check(order, name=spec.key))
        else:  # pragma: no cover - a new kind of spec needs its peer rule here
            raise SystemExit(f"bench_peers: no pandera rule for spec kind {spec.kind}")
    schema = pa.DataFrameSchema(
        {name: pa.Column(nullable=c["nullable"], unique=c["unique"], checks=c["checks"]) for name, c in columns.items()},
        checks=frame_checks,
    )
    bad = np.zeros(len(df), dtype=bool)
    failures = 0
    try:
        schema.validate(df, lazy=True, inplace=True)
    except SchemaErrors as exc:
        index = pd.to_numeric(exc.failure_cases["index"], errors="coerce").dropna().astype(np.int64).to_numpy()
        failures = len(exc.failure_cases)
        bad[index] = True
    accepted = df[~bad]
    typed = {name: _pandas_typed(accepted[name], kinds[name]) for name in accepted.columns}
    for f in contract.fields:
        if f.allowed is not None and not f.multi_value_separator and f.logical_type == "string":
            typed[f.name] = accepted[f.name].astype(pd.CategoricalDtype(list(f.allowed)))
    data = pd.DataFrame(typed)
    del df, accepted
    wall = time.perf_counter() - start
    return {"wall": wall, "cpu": time.process_time() - cpu, "peak": peak_rss() - base, "frame": int(data.memory_usage(deep=True).sum()),
            "rows": len(bad), "quarantined": int(bad.sum()), "failure_cases": failures}


# --- DuckDB SQL ------------------------------------------------------------------------------------------


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sql_typed(column: str, kind: str) -> str:
    if kind == "date":
        return f"try_strptime({column}, '{DATE_FORMAT}')::DATE"
    if kind in ("integer", "number"):
        return f"TRY_CAST({column} AS DOUBLE)"
    return column


def duckdb_rules(specs, kinds: dict[str, str]) -> list[tuple[str, str]]:
    """(spec key, SQL expression true on a failing row) for every spec, NULL-safe."""
    rules = []
    for spec in specs:
        c = '"' + spec.columns[0] + '"'
        p = spec.params
        if spec.kind == "not_null":
            sql = f"{c} IS NULL"
        elif spec.kind == "match_regex":  # GX and pandas match at the start: anchor there too
            sql = f"NOT regexp_matches({c}, {_quote('^(?:' + p['regex'] + ')')})"
        elif spec.kind == "in_set":
            sql = f"{c} NOT IN ({', '.join(_quote(str(v)) for v in p['values'])})"
        elif spec.kind == "max_length":
            sql = f"length({c}) > {int(p['max'])}"
        elif spec.kind == "date_format":
            sql = f"{c} IS NOT NULL AND try_strptime({c}, '{DATE_FORMAT}') IS NULL"
        elif spec.kind == "between":
            typed = _sql_typed(c, kinds[spec.columns[0]])
            parts = []
            for bound, op in ((p["min"], "<"), (p["max"], ">")):
                if bound is not None:
                    value = f"DATE {_quote(str(bound))}" if kinds[spec.columns[0]] == "date" else str(bound)
                    parts.append(f"{typed} {op} {value}")
            sql = " OR ".join(parts)
        elif spec.kind == "unique":
            keys = ", ".join('"' + name + '"' for name in spec.columns)
            not_null = " AND ".join(f'"{name}" IS NOT NULL' for name in spec.columns)
            sql = f"({not_null}) AND count(*) OVER (PARTITION BY {keys}) > 1"
        elif spec.kind == "field_order":
            left, right = ('"' + name + '"' for name in spec.columns)
            a, b = _sql_typed(left, kinds[spec.columns[0]]), _sql_typed(right, kinds[spec.columns[1]])
            sql = f"NOT ({a} {p['op']} {b})"
        else:  # pragma: no cover - a new kind of spec needs its peer rule here
            raise SystemExit(f"bench_peers: no DuckDB rule for spec kind {spec.kind}")
        rules.append((spec.key, f"coalesce({sql}, false)"))
    return rules


def run_duckdb(path: Path) -> dict:
    import duckdb

    contract, specs = _specs()
    kinds = {f.name: f.logical_type for f in contract.fields}
    rules = duckdb_rules(specs, kinds)
    base = start_memory()
    start, cpu = time.perf_counter(), time.process_time()
    con = duckdb.connect()
    con.execute(f"CREATE TEMP TABLE raw AS SELECT row_number() OVER () AS line, * FROM "
                f"read_csv({_quote(str(path))}, header = true, all_varchar = true)")
    flags = ", ".join(f"{sql} AS r{i}" for i, (_, sql) in enumerate(rules))
    con.execute(f"CREATE TEMP TABLE flags AS SELECT line, {flags} FROM raw")
    failing = {}
    for i, (key, _) in enumerate(rules):
        failing[key] = con.execute(f"SELECT line FROM flags WHERE r{i}").fetchnumpy()["line"]
    any_bad = " OR ".join(f"r{i}" for i in range(len(rules)))
    selected = []
    for f in contract.fields:
        column = '"' + f.name + '"'
        if f.logical_type == "date":
            selected.append(f"{_sql_typed(column, 'date')} AS {column}")
        elif f.logical_type == "integer":
            selected.append(f"TRY_CAST({column} AS BIGINT) AS {column}")
        elif f.logical_type == "number":
            selected.append(f"TRY_CAST({column} AS DOUBLE) AS {column}")
        else:
            selected.append(column)
    data = con.sql(f"SELECT raw.line, {', '.join(selected)} FROM raw JOIN flags USING (line) "
                       f"WHERE NOT ({any_bad}) ORDER BY raw.line").to_arrow_table()
    rows = con.execute("SELECT count(*) FROM raw").fetchone()[0]
    quarantined = rows - data.num_rows
    wall = time.perf_counter() - start
    return {"wall": wall, "cpu": time.process_time() - cpu, "peak": peak_rss() - base, "frame": int(data.nbytes), "rows": rows,
            "quarantined": quarantined, "failure_cases": int(sum(len(v) for v in failing.values()))}


# --- dpup_eval ------------------------------------------------------------------------------------------


def run_dpup_eval(path: Path, engine: str = "pandas") -> dict:
    from dpup_eval import load
    from dpup_eval.agreement.contract import default_contract_dir
    from dpup_eval.intake import gx_engine
    from dpup_eval.intake.person_names import lexicon

    if engine == "pandas":
        gx_engine.warm_up()
    lexicon()
    options = {} if engine == "pandas" else {"engine": engine}
    base = start_memory()
    start, cpu = time.perf_counter(), time.process_time()
    result = load(path, default_contract_dir(), "evaluation", **options)
    wall = time.perf_counter() - start
    report = result.report
    return {"wall": wall, "cpu": time.process_time() - cpu, "peak": peak_rss() - base, "frame": int(result.data.memory_usage(deep=True).sum()),
            "rows": report.rows_read, "quarantined": report.rows_quarantined,
            "failure_cases": sum(p.count for p in report.problems if p.level == "row")}


BASELINE = "dpup_eval (baseline)"
TOOLS = {"dpup_eval": run_dpup_eval, "pandera": run_pandera, "duckdb": run_duckdb}


def _import(tool: str) -> None:
    """What each tool imports before it can check (timed apart from the check)."""
    if tool == "dpup_eval":
        from dpup_eval.intake import gx_engine

        gx_engine.warm_up()
    elif tool == "dpup_eval:duckdb":  # Great Expectations is not imported on this path
        importlib.import_module("duckdb")
        importlib.import_module("dpup_eval.intake.loading")
    else:
        importlib.import_module({"pandera": "pandera.pandas", "duckdb": "duckdb"}[tool])


def child(tool: str, path: str) -> None:
    started = time.perf_counter()
    _import(tool)
    imports = time.perf_counter() - started
    if tool.startswith("dpup_eval:"):
        result = run_dpup_eval(Path(path), engine=tool.split(":", 1)[1])
    else:
        result = TOOLS[tool](Path(path))
    result["imports"] = imports
    print(json.dumps(result))


def measure(tool: str, path: Path, home: str, baseline: Path | None = None) -> dict:
    env = {**os.environ, "DPUP_EVAL_HOME": home}
    if tool == BASELINE:  # another copy of the package (e.g. main's) first on the path
        env["PYTHONPATH"] = str(baseline)
        tool = "dpup_eval"
    out = subprocess.run([sys.executable, __file__, "--child", tool, str(path)], capture_output=True, text=True,
                         env=env)
    if out.returncode:
        raise SystemExit(f"bench_peers: {tool} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(rows: int, runs: dict[str, list[dict]], repeat: int) -> None:
    med = {t: {m: statistics.median(r[m] for r in v) for m in ("wall", "cpu", "peak", "frame", "imports")}
           for t, v in runs.items()}
    mb = 1e6
    print(f"\n{rows:,} rows: median of {repeat} fresh processes per tool, turns alternating")
    print(f"{'tool':22}{'check (s)':>10}{'CPU (s)':>9}{'imports (s)':>12}{'peak (MB)':>11}{'frame (MB)':>11}"
          f"{'peak/frame':>11}{'quarantined':>12}")
    for tool, m in med.items():
        quarantined = runs[tool][0]["quarantined"]
        print(f"{tool:22}{m['wall']:>10.2f}{m['cpu']:>9.2f}{m['imports']:>12.2f}{m['peak'] / mb:>11.0f}"
              f"{m['frame'] / mb:>11.0f}{m['peak'] / max(m['frame'], 1):>11.2f}{quarantined:>12,}")
    ours = [t for t in med if t.startswith("dpup_eval")]
    for tool in ours:
        for peer in ("pandera", "duckdb", *([BASELINE] if tool != BASELINE else [])):
            if peer in med:
                check = med[tool]["wall"] / med[peer]["wall"]
                cpu = med[tool]["cpu"] / med[peer]["cpu"]
                whole = (med[tool]["wall"] + med[tool]["imports"]) / (med[peer]["wall"] + med[peer]["imports"])
                memory = med[tool]["peak"] / max(med[peer]["peak"], 1)
                print(f"  {tool} / {peer}: check {check:.2f}x (CPU {cpu:.2f}x), check + imports {whole:.2f}x, "
                      f"peak memory {memory:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000],
                        help="file sizes to measure (default: 100,000 and 1,000,000 rows)")
    parser.add_argument("--big", action="store_true", help="also measure 5,000,000 rows")
    parser.add_argument("--repeat", type=int, default=3, help="fresh-process runs per tool and size (default 3)")
    parser.add_argument("--engine", choices=["pandas", "duckdb", "both"], default="pandas",
                        help="dpup_eval's check engine to measure (default pandas)")
    parser.add_argument("--baseline", type=Path, metavar="DIR",
                        help="also measure the dpup_eval package found in DIR (a copy of an earlier version: "
                        "DIR/dpup_eval and DIR/data_contracts), in the same alternating run")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    sizes = [*args.rows, *([5_000_000] if args.big else [])]
    engines = ["pandas", "duckdb"] if args.engine == "both" else [args.engine]
    tools = [("dpup_eval" if e == "pandas" else f"dpup_eval:{e}") for e in engines] + ["pandera", "duckdb"]
    if args.baseline:
        if not (args.baseline / "dpup_eval" / "__init__.py").exists():
            parser.error(f"--baseline: no dpup_eval package in {args.baseline}")
        tools.insert(1, BASELINE)
    with tempfile.TemporaryDirectory(prefix="bench-peers-") as home:
        for rows in sizes:
            print(f"Generating a {rows:,}-row evaluation file (once) ...", file=sys.stderr)
            path = make_faulty(rows)
            print(f"File: {path} ({path.stat().st_size / 1e6:.0f} MB)", file=sys.stderr)
            runs: dict[str, list[dict]] = {tool: [] for tool in tools}
            for i in range(args.repeat):
                order = tools[i % len(tools):] + tools[: i % len(tools)]
                for tool in order:
                    print(f"  {rows:,} rows, round {i + 1}/{args.repeat}: {tool} ...", file=sys.stderr)
                    runs[tool].append(measure(tool, path, home, args.baseline))
            report(rows, runs, args.repeat)
    print("\nThe machine is shared and noisy: compare the ratios measured in one run, not seconds across runs.")


if __name__ == "__main__":
    main()
