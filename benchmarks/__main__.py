"""Runs the suite: `python -m benchmarks [--size full|smoke] [--only NAME,...] [--json PATH]
[--markdown PATH]`. Each unit runs in a process of its own; the table of times, ratios (ours /
peer), targets and peak RSS is printed and written as JSON.

For timings against numpy, unset OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE in the command's
environment (`env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python -m benchmarks`): they select
a slower OpenBLAS kernel. The suite does not unset them itself, so the test suite's smoke run
keeps the machine's settings. Exit status: 1 if a unit failed or any answers disagree (a
missed target is reported, not an error)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .cases import all_cases
from .measure import BLAS_VARIABLES, ROOT, environment
from .report import Result, from_dict, markdown, print_table, write_json
from .sizes import SIZES


def run_unit(unit: str, size: str, workdir: Path) -> tuple[list[Result], dict | None]:
    out = workdir / f"{unit}.json"
    out.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "benchmarks.case",
        unit,
        "--size",
        size,
        "--workdir",
        str(workdir),
        "--out",
        str(out),
    ]
    started = time.perf_counter()
    print(f"{unit} ({size}) …", file=sys.stderr)
    completed = subprocess.run(command, cwd=ROOT)
    if completed.returncode != 0 or not out.exists():
        print(f"  {unit}: FAILED (exit {completed.returncode})", file=sys.stderr)
        return [], {
            "unit": unit,
            "returncode": completed.returncode,
            "seconds": time.perf_counter() - started,
        }
    return [from_dict(row) for row in json.loads(out.read_text())], None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cases = all_cases()
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument(
        "--only", default="", help=f"comma-separated cases: {', '.join(c.name for c in cases)}"
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=None,
        help="where to write the results (default benchmarks/results/SIZE.json)",
    )
    parser.add_argument(
        "--markdown", type=Path, default=None, help="also write the table as Markdown"
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="units run at once (default 1; more only for a quick check: "
        "concurrent units share the cores and distort each other's times)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="scratch folder for data files (default: a temporary one, removed after)",
    )
    args = parser.parse_args(argv)

    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(chosen) - {c.name for c in cases})
    if unknown:
        names = ", ".join(c.name for c in cases)
        parser.error(f"unknown case(s) {', '.join(unknown)}; cases: {names}")
    if chosen:
        cases = [c for c in cases if c.name in chosen]
    size = SIZES[args.size]
    json_path = args.json or ROOT / "benchmarks" / "results" / f"{size.name}.json"
    blas = [name for name in BLAS_VARIABLES if name in os.environ]
    if blas:
        print(
            f"note: {', '.join(blas)} set: numpy runs a slower OpenBLAS kernel; for fair "
            f"timings run under `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE`",
            file=sys.stderr,
        )

    started = time.perf_counter()
    load_before = os.getloadavg()
    results: list[Result] = []
    failures: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="dbt_loss_benchmarks_") as scratch:
        workdir = args.workdir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        units = [(case, unit) for case in cases for unit in case.units(size)]
        # data-preparing units first, one at a time; then the measuring units
        outcomes = {
            unit: run_unit(unit, size.name, workdir)
            for _, unit in units
            if unit.endswith(".prepare")
        }
        measuring = [unit for _, unit in units if unit not in outcomes]
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            for unit, outcome in zip(
                measuring,
                pool.map(lambda unit: run_unit(unit, size.name, workdir), measuring),
                strict=True,
            ):
                outcomes[unit] = outcome
        for case in cases:
            case_results = []
            for unit in case.units(size):
                rows, failure = outcomes[unit]
                case_results += rows
                if failure:
                    failures.append(failure)
            if case.summarize:
                case_results += case.summarize(case_results, size)
            results += case_results
    seconds = time.perf_counter() - started

    info = environment()
    info["load_average_before"] = load_before
    info["load_average_after"] = os.getloadavg()
    info["jobs"] = args.jobs
    print_table(
        results,
        f"dbt_loss benchmarks, size {size.name}: {info['cores']} cores, "
        f"{info['cpu']}, {seconds:.0f} s",
    )
    write_json(json_path, info, size.name, results, failures, seconds)
    print(f"JSON: {json_path}", file=sys.stderr)
    if args.markdown:
        args.markdown.write_text(markdown(results))
    disagree = [f"{r.case}/{r.variant}" for r in results if r.agree is False]
    if disagree:
        print(f"answers disagree: {', '.join(disagree)}", file=sys.stderr)
    if failures:
        print(f"failed units: {', '.join(f['unit'] for f in failures)}", file=sys.stderr)
    return 1 if failures or disagree else 0


if __name__ == "__main__":
    sys.exit(main())
