"""Agreement with a reference to 1e-9 relative, and a record of the worst error seen."""

from __future__ import annotations

import math

RELATIVE_TOLERANCE = 1e-9
# Below this a value is zero to double precision in every loss here (e.g. focal loss at a
# logit of 37, where the reference rounds 1 − p_t to 0 and we keep 1e-33).
ABSOLUTE_FLOOR = 1e-15

worst = {"relative_error": 0.0, "where": None}


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
    if error > ABSOLUTE_FLOOR and relative > worst["relative_error"]:
        worst.update(relative_error=relative, where=where)
    assert error <= ABSOLUTE_FLOOR or relative <= RELATIVE_TOLERANCE, (
        f"{where}: {ours!r} vs reference {reference!r} (relative error {relative:.3g})"
    )
