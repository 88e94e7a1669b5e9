"""Where output goes: results (tables, JSON) to stdout, progress and errors to stderr, so
`dbt-loss train --json | jq` and `> summary.txt` see only the result."""

from __future__ import annotations

import datetime as dt
import json
import math

from rich.console import Console, RenderableType
from rich.measure import Measurement
from rich.text import Text


def stdout() -> Console:
    # Made per call, not at import, so the streams a test runner swaps in are the ones used.
    return Console()


def stderr() -> Console:
    return Console(stderr=True, soft_wrap=True, highlight=False)


def print_whole(console: Console, table: RenderableType) -> None:
    """A table at its natural width even where the terminal is narrower: the terminal wraps
    its lines, as it does `docker ps`, rather than rich cutting ids and numbers short."""
    natural = Measurement.get(console, console.options.update_width(10_000), table).maximum
    console.width = max(console.width, natural)
    console.print(table)


def error(message: str) -> None:
    """One line on stderr; no traceback."""
    stderr().print(Text.assemble(("error: ", "bold red"), message))


def jsonable(value):
    """Plain JSON values: string keys, ISO timestamps, and null for NaN or infinity (which
    JSON has no words for)."""
    if isinstance(value, dict):
        return {_key(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if hasattr(value, "item"):  # numpy scalars
        return jsonable(value.item())
    return str(value)


def _key(key) -> str:
    """A group of one column keeps its value as the key; of several, a JSON array of them
    (the form training_weights.group_key uses)."""
    if isinstance(key, tuple):
        return json.dumps(jsonable(list(key)))
    return key if isinstance(key, str) else json.dumps(jsonable(key))


def print_json(value) -> None:
    # Plain print: rich would wrap long lines and highlight, and scripts parse this.
    print(json.dumps(jsonable(value), allow_nan=False))
