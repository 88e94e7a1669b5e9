"""The engines the cross-engine tests run on: --engines (or DBT_LOSS_ENGINES), duckdb by
default."""

from __future__ import annotations


def selected(config) -> list[str]:
    return [e.strip() for e in config.getoption("engines").split(",") if e.strip()]
