"""Agreement with a reference to 1e-9 relative, and a record of the worst error seen, overall
and per engine (conftest.py names the engine of the running test)."""

from __future__ import annotations

import math

RELATIVE_TOLERANCE = 1e-9
# Below this a value is zero to double precision in every loss here (e.g. focal loss at a
# logit of 37, where the reference rounds 1 − p_t to 0 and we keep 1e-33).
ABSOLUTE_FLOOR = 1e-15

worst = {"relative_error": 0.0, "where": None}
# engine → {"relative_error", "where"}; the engine is set by conftest.py for each test
worst_by_engine: dict[str, dict] = {}
current = {"engine": "duckdb"}


def _record(relative: float, where: str) -> None:
    engine = worst_by_engine.setdefault(current["engine"], {"relative_error": 0.0, "where": None})
    for record in (worst, engine):
        if record["where"] is None or relative > record["relative_error"]:
            record.update(relative_error=relative, where=where)


def assert_agrees(ours, reference, where: str) -> None:
    """Equal to the reference: both missing, both NaN, or within the tolerance."""
    if reference is None:
        assert ours is None, f"{where}: expected no value (NULL), got {ours!r}"
        return
    assert ours is not None, f"{where}: got NULL, expected {reference!r}"
    if math.isnan(reference):
        assert math.isnan(ours), f"{where}: expected NaN (outside the loss's domain), got {ours}"
        return
    error = abs(ours - reference)
    relative = error / abs(reference) if reference != 0 else (0.0 if error == 0 else math.inf)
    if error > ABSOLUTE_FLOOR:
        _record(relative, where)
    assert error <= ABSOLUTE_FLOOR or relative <= RELATIVE_TOLERANCE, (
        f"{where}: {ours!r} vs reference {reference!r} (relative error {relative:.3g})"
    )
