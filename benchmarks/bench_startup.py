"""Benchmark: how long the workbench takes to start, as ratios to a bare ``import pandas``.

Whole-process wall time (what a user waits for) of

* ``dpup-eval --help`` and ``python -c "import dpup_eval"`` (aim: at most 1.5x bare pandas import);
* ``dpup-eval check`` on a 20-row file (aim: dominated by the Great Expectations import alone, so
  ``python -c "import great_expectations"`` is measured too);

each against ``python -c "import pandas"`` measured in the same run. The commands take turns (one of
each per round, the order rotating), after one warm-up round; each figure is the median over the
rounds, so a busy machine slows every command alike and the ratios hold where the seconds do not.

``--profile`` then shows where a 20-row check's time goes: ``-X importtime`` for the largest imports
and cProfile for the rest.

Run: ``.venv/bin/python benchmarks/bench_startup.py [--rounds 7] [--profile]``
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
CLI = str(BIN / "dpup-eval")


def twenty_row_file(folder: Path) -> Path:
    """The demo's evaluation file cut to its first 20 records (the csv module keeps quoted line breaks whole)."""
    from dpup_eval.demo.generator import DemoOptions, write_demo_data

    files = write_demo_data(folder / "demo", DemoOptions(families=40, seed=5))
    target = folder / "evaluation.csv"
    with files.evaluation.open(encoding="utf-8", newline="") as src, target.open("w", encoding="utf-8",
                                                                                   newline="") as dst:
        reader, writer = csv.reader(src), csv.writer(dst)
        writer.writerow(next(reader))
        for _, row in zip(range(20), reader, strict=False):
            writer.writerow(row)
    return target


def commands(data: Path) -> dict[str, list[str]]:
    return {
        "python -c 'import pandas'": [sys.executable, "-c", "import pandas"],
        "python -c 'import dpup_eval'": [sys.executable, "-c", "import dpup_eval"],
        "dpup-eval --help": [CLI, "--help"],
        "python -c 'import great_expectations'": [sys.executable, "-c", "import great_expectations"],
        "dpup-eval check (20 rows)": [CLI, "check", str(data), "--purpose", "evaluation"],
    }


def wall_time(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):  # check exits 1 when rows are quarantined; that is still a full check
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


def measure(cases: dict[str, list[str]], rounds: int, env: dict[str, str]) -> dict[str, list[float]]:
    names = list(cases)
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(rounds + 1):
        order = names[round_ % len(names):] + names[:round_ % len(names)]
        for name in order:
            elapsed = wall_time(cases[name], env)
            if round_:  # round 0 warms the disk cache
                times[name].append(elapsed)
        print(f"  round {round_}/{rounds}{' (warm-up)' if not round_ else ''} done", file=sys.stderr, flush=True)
    return times


def profile_check(data: Path, env: dict[str, str]) -> None:
    """Where a 20-row check's time goes: the biggest imports, then the biggest non-import costs."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "dpup_eval.cli", "check", str(data),
                           "--purpose", "evaluation"], env=env, capture_output=True, text=True)
    rows = []
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
            depth = (len(line.split("|")[2]) - len(line.split("|")[2].lstrip())) // 2
            if cumulative.isdigit() and depth <= 1:
                rows.append((int(cumulative) / 1e6, name))
    total = sum(seconds for seconds, _ in rows)
    print(f"\nImports of a 20-row check (top-level, cumulative; {total:.2f} s in all):")
    for seconds, name in sorted(rows, reverse=True)[:12]:
        print(f"  {seconds:6.2f} s  {name}")

    script = (
        "import cProfile, pstats, sys, io, contextlib\n"
        "import great_expectations, pandas, dpup_eval.intake.loading, dpup_eval.cli.app\n"
        "from dpup_eval.cli import main\n"
        "profile = cProfile.Profile()\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    profile.runcall(main, sys.argv[1:])\n"
        "pstats.Stats(profile, stream=sys.stderr).sort_stats('cumulative').print_stats(25)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, "check", str(data), "--purpose", "evaluation"], env=env,
                          capture_output=True, text=True)
    print("\nThe check itself, with Great Expectations, pandas and dpup_eval already imported (cProfile):")
    print("\n".join(done.stderr.splitlines()[:60]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="Measured rounds (each runs every command once).")
    parser.add_argument("--profile", action="store_true", help="Also show where a 20-row check's time goes.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dpup_eval_bench_startup_") as tmp:
        folder = Path(tmp)
        env = {**os.environ, "DPUP_EVAL_HOME": str(folder / "home")}
        data = twenty_row_file(folder)
        cases = commands(data)
        print(f"Start-up, whole process wall time, median of {args.rounds} alternating rounds "
              f"(load average {os.getloadavg()[0]:.1f} at start):", file=sys.stderr)
        times = measure(cases, args.rounds, env)
        base = statistics.median(times["python -c 'import pandas'"])
        gx = statistics.median(times["python -c 'import great_expectations'"])
        print(f"\n| {'command':40} | median | x import pandas |")
        print(f"|{'-' * 42}|--------|-----------------|")
        for name, values in times.items():
            median = statistics.median(values)
            print(f"| {name:40} | {median:5.2f} s | {median / base:14.2f}x |")
        check = statistics.median(times["dpup-eval check (20 rows)"])
        print(f"\n20-row check: {check:.2f} s, of which importing Great Expectations alone takes {gx:.2f} s "
              f"({gx / check:.0%}); the rest: {check - gx:.2f} s")
        print(f"(load average {os.getloadavg()[0]:.1f} at the end)")
        if args.profile:
            profile_check(data, env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
