"""Building a training query takes its parts over instead of copying them: the design and
the loss it reads stay as they were, so every query built from them is the same statement.
And the garbage collector pauses while a query is built, then is as the caller left it."""

from __future__ import annotations

import gc
from unittest import mock

import pytest

from dbt_loss.training.engine import Engine
from dbt_loss.training.sql import collection_paused

from . import test_transpile_trainer as transpile
from .test_transpile_trainer import LOSSES, design, statements

pytestmark = pytest.mark.engine_independent


@pytest.mark.parametrize("grouped", [False, True], ids=["one_model", "per_group"])
@pytest.mark.parametrize(("model", "loss"), LOSSES, ids=[f"{m}-{name}" for m, name in LOSSES])
def test_queries_built_from_one_design_render_the_same_every_time(model, loss, grouped):
    engine = Engine(None)
    shared = design(model, grouped)
    with mock.patch(f"{transpile.__name__}.design", return_value=shared):
        first = [engine.render(s) for s in statements(model, loss, grouped)]
        again = [engine.render(s) for s in statements(model, loss, grouped)]
    assert first == again
    assert [engine.render(s) for s in statements(model, loss, grouped)] == first


@pytest.mark.parametrize("enabled", [True, False])
def test_collection_pauses_while_building_and_the_callers_choice_stands(enabled):
    (gc.enable if enabled else gc.disable)()
    try:
        with collection_paused():
            assert not gc.isenabled()
        assert gc.isenabled() == enabled
    finally:
        gc.enable()
