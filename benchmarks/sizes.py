"""How big each case is. `full` is the issue's sizes; `smoke` is the same suite small enough
for the test suite (it checks that everything runs and agrees, never how fast)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Size:
    name: str
    metric_rows: int  # case 1: loss metrics
    train_rows: int  # cases 2 and 3: gradient pass, time to optimum
    features: int
    scaling_rows: tuple[int, ...]  # case 4: Parquet source
    groups: int  # case 5: per-group training
    group_rows: int
    convergence_rows: int  # issue 4's convergence note
    repeats: int  # timed repeats of the short passes (median reported), after one warm-up
    train_repeats: int  # timed runs of each training (median reported) in cases 3 and 5
    warm_up: bool  # train each problem once on a tiny table before timing (first-call costs)
    l2: float = 1e-4  # the ridge penalty of cases 3 and 4
    group_l2: float = 1e-3  # per-group models are small: a stronger penalty, as one would use


SIZES = {
    "full": Size(
        "full",
        metric_rows=10_000_000,
        train_rows=2_000_000,
        features=16,
        scaling_rows=(1_000_000, 4_000_000, 16_000_000),
        groups=1_000,
        group_rows=2_000,
        convergence_rows=1_000_000,
        repeats=5,
        train_repeats=3,
        warm_up=True,
    ),
    "smoke": Size(
        "smoke",
        metric_rows=20_000,
        train_rows=20_000,
        features=4,
        scaling_rows=(10_000, 40_000),
        groups=10,
        group_rows=500,
        convergence_rows=20_000,
        repeats=1,
        train_repeats=1,
        warm_up=False,
    ),
}
