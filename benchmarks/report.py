"""One row per comparison: times, ratio (ours / peer), the target and whether it was met, peak
RSS of each side, and whether the answers agree. Printed with rich, written as JSON, and as a
Markdown table for docs/benchmarks.md."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .measure import Phase


@dataclass
class Target:
    """A bound on a ratio: at most `at_most` (ours / peer), or within ±`within` of 1."""

    text: str
    at_most: float | None = None
    within: float | None = None

    def met(self, ratio: float | None) -> bool | None:
        if ratio is None or not math.isfinite(ratio):
            return None
        if self.at_most is not None:
            return ratio <= self.at_most
        if self.within is not None:
            return abs(ratio - 1) <= self.within
        return None


@dataclass
class Result:
    case: str
    variant: str
    peer: str
    ours_s: float | None
    peer_s: float | None
    ours_rss_mb: float | None = None
    peer_rss_mb: float | None = None
    target: str | None = None
    met: bool | None = None
    agree: bool | None = None
    agreement: str = ""
    ratio: float | None = None
    notes: str = ""
    details: dict = field(default_factory=dict)

    @classmethod
    def compare(
        cls,
        case: str,
        variant: str,
        peer: str,
        ours: Phase,
        theirs: Phase,
        target: Target | None,
        *,
        agree: bool | None,
        agreement: str,
        notes: str = "",
        details: dict | None = None,
    ) -> Result:
        ratio = ours.seconds / theirs.seconds if theirs.seconds else None
        details = dict(details or {})
        details.update(
            {
                "ours_phase": _phase(ours),
                "peer_phase": _phase(theirs),
            }
        )
        return cls(
            case,
            variant,
            peer,
            ours.seconds,
            theirs.seconds,
            ours.peak_rss_mb,
            theirs.peak_rss_mb,
            target.text if target else None,
            target.met(ratio) if target else None,
            agree,
            agreement,
            ratio,
            notes,
            details,
        )

    def as_dict(self) -> dict:
        return asdict(self)


def _phase(p: Phase) -> dict:
    return {
        "seconds": p.seconds,
        "peak_rss_mb": p.peak_rss_mb,
        "start_rss_mb": p.start_rss_mb,
        "exact_peak": p.exact,
        "samples": p.samples,
    }


def relative_difference(a: float, b: float) -> float:
    return abs(a - b) / max(abs(b), 1e-300)


def _seconds(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def _number(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _mark(flag: bool | None) -> str:
    return {True: "yes", False: "NO", None: "–"}[flag]


COLUMNS = (
    "case",
    "variant",
    "peer",
    "ours (s)",
    "peer (s)",
    "ours/peer",
    "target",
    "met",
    "RSS ours (MiB)",
    "RSS peer (MiB)",
    "agree",
    "notes",
)


def cells(result: Result) -> list[str]:
    ratio = "–" if result.ratio is None else f"{result.ratio:.2f}×"
    agree = _mark(result.agree) + (f" ({result.agreement})" if result.agreement else "")
    return [
        result.case,
        result.variant,
        result.peer,
        _seconds(result.ours_s),
        _seconds(result.peer_s),
        ratio,
        result.target or "–",
        _mark(result.met),
        _number(result.ours_rss_mb, 0),
        _number(result.peer_rss_mb, 0),
        agree,
        result.notes,
    ]


def print_table(results: list[Result], title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left", show_lines=False)
    for name in COLUMNS:
        table.add_column(
            name, justify="right" if "(" in name or name == "ours/peer" else "left", overflow="fold"
        )
    colour = {"yes": "green", "NO": "red"}
    for result in results:
        row = cells(result)
        met = row[7]
        row[7] = f"[{colour[met]}]{met}[/]" if met in colour else met
        agree = row[10]
        if agree.startswith("NO"):
            row[10] = f"[red]{agree}[/]"
        table.add_row(*row)
    Console(width=260).print(table)


def markdown(results: list[Result]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for result in results:
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells(result)) + " |")
    return "\n".join(lines) + "\n"


def write_json(
    path: Path,
    environment: dict,
    size: str,
    results: list[Result],
    failures: list[dict],
    seconds: float,
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "size": size,
        "environment": environment,
        "wall_seconds": seconds,
        "results": [r.as_dict() for r in results],
        "failures": failures,
    }
    path.write_text(json.dumps(document, indent=2, default=_default) + "\n")


def _default(value):
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value)}")


def from_dict(data: dict) -> Result:
    return Result(**data)
