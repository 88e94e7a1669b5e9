"""`dbt-loss report`: dbt_loss.report from a shell. Writes an offline HTML page and one PNG per
chart for the runs named, and prints where they went (or, with --json, their paths)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..reporting import PLOTS
from ..reporting import report as write_report
from .database import DEFAULT_DATABASE, Database, Schema, connect
from .errors import handled
from .output import print_json, stdout

FLAGS = {"runs": "RUN", "plots": "--plot", "output": "--output", "schema": "--schema"}


def report(
    runs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="RUN...",
            help="Run ids, or names of succeeded runs (the latest run of that name).",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="The directory for report.html and the PNG images."),
    ] = Path("report"),
    plot: Annotated[
        list[str] | None,
        typer.Option(
            "--plot",
            help=f"Only this plot (repeat for more): {', '.join(PLOTS)}. "
            "Default: every plot that fits each run.",
        ),
    ] = None,
    schema: Schema = None,
    database: Database = Path(DEFAULT_DATABASE),
    as_json: Annotated[
        bool,
        typer.Option("--json", help='Print {"html": path, "images": [paths]} as JSON.'),
    ] = False,
) -> None:
    """Write an HTML report and PNG images of trained runs: loss curves, residuals,
    calibration, loss by decile and by group, computed in the warehouse.

    Exits 0 when the report is written, 2 on bad input (an unknown run, a plot that does not
    fit a run), 1 on a database error."""
    with handled(FLAGS), connect(database, read_only=True) as connection:
        paths = write_report(
            connection, list(runs or []), schema=schema, output=output, plots=plot or None
        )
    html, images = paths[0], paths[1:]
    if as_json:
        print_json({"html": str(html), "images": [str(p) for p in images]})
    else:
        stdout().print(
            f"wrote {html} and {len(images)} PNG image(s) in {html.parent}", soft_wrap=True
        )
