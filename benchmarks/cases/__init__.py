"""The cases of the suite, in the order they run. Each case is one or more units; a unit is
one process (`python -m benchmarks.case UNIT`), in which our side and the peer run one after
the other, so peak memory never mixes across cases."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..report import Result
from ..sizes import Size


@dataclass(frozen=True)
class Case:
    name: str
    title: str
    units: Callable[[Size], list[str]]
    run: Callable[[str, Size, Path], list[Result]]
    summarize: Callable[[list[Result], Size], list[Result]] | None = None


def _single(name: str) -> Callable[[Size], list[str]]:
    return lambda size: [name]


def all_cases() -> list[Case]:
    from . import gradient_pass, loss_metrics, per_group, scaling, time_to_optimum

    return [
        Case(
            "loss_metrics", "1. loss_table, six metrics", _single("loss_metrics"), loss_metrics.run
        ),
        Case("gradient_pass", "2. one gradient pass", _single("gradient_pass"), gradient_pass.run),
        Case(
            "time_to_optimum",
            "3. time to optimum",
            time_to_optimum.time_to_optimum_units,
            time_to_optimum.run_time_to_optimum,
        ),
        Case("scaling", "4. scaling from Parquet", scaling.units, scaling.run, scaling.summarize),
        Case("per_group", "5. per-group training", per_group.units, per_group.run),
        Case(
            "convergence",
            "issue 4: iterations and time to converge",
            time_to_optimum.convergence_units,
            time_to_optimum.run_convergence,
        ),
    ]


def by_name() -> dict[str, Case]:
    return {case.name: case for case in all_cases()}


def case_of(unit: str) -> Case:
    return by_name()[unit.split(".")[0]]
