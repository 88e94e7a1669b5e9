"""Our side of the gradient-pass case: the statistics query of one optimizer step, built the
way dbt_loss.train builds it (profile the relation, lay out the design, pick the loss), for one
model without groups, weights or a validation split. Training itself is timed through the
public dbt_loss.train; only this one pass needs the trainer's parts."""

from __future__ import annotations

import numpy as np
from sqlglot import exp

from dbt_loss.training.design import Design
from dbt_loss.training.engine import engine_for
from dbt_loss.training.losses import build_loss
from dbt_loss.training.objective import to_raw
from dbt_loss.training.options import parse_options
from dbt_loss.training.profile import profile
from dbt_loss.training.queries import Softmax
from dbt_loss.training.sql import column, double, number
from dbt_loss.training.trainer import Trainer, relation_expression


def _literal(value) -> exp.Expression:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return exp.Literal.number(int(value))
    return exp.Literal.string(str(value))


class StepQuery:
    """Trainer.evaluate(θ) for one model: the statistics query an optimizer step runs."""

    def __init__(
        self,
        connection,
        relation: str,
        *,
        target: str,
        features: list[str],
        model: str,
        loss: str | None = None,
        **options,
    ):
        engine = engine_for(connection)
        settings = parse_options(model, loss, dict(options))
        source = relation_expression(relation)
        data = profile(
            engine,
            source,
            engine.render(source),
            target=target,
            features=list(features),
            weight=None,
            model=model,
            standardize=settings.standardize,
        )
        if model == "softmax":
            y = exp.Case(
                ifs=[
                    exp.If(this=column(target).eq(_literal(c)), true=exp.Literal.number(i))
                    for i, c in enumerate(data.classes)
                ]
            )
            objective_loss = Softmax(settings.loss_parameters.get("label_smoothing", 0.0))
        else:
            y = double(column(target))
            objective_loss = build_loss(settings.loss, settings.loss_parameters)
        self.features = data.features
        self.design = Design(source, data.features, y, number(1), None, [], data.classes)
        self.trainer = Trainer(engine, self.design, objective_loss, "benchmark")

    def evaluate(self, theta: np.ndarray, curvature: bool = False):
        """The statistics at θ (standardised coordinates, shape (outputs, width))."""
        return self.trainer.evaluate({(): theta}, curvature)[()]

    def raw(self, theta: np.ndarray) -> np.ndarray:
        """θ in raw feature units, intercept first."""
        return to_raw(theta, [f.mean for f in self.features], [f.scale for f in self.features])

    def raw_gradient(self, gradient: np.ndarray) -> np.ndarray:
        """The gradient in θ as the gradient in the raw weights [b, β]: with
        θ0 = b + Σ βj·mj and θj = βj·sj, ∂/∂b = ∂/∂θ0 and ∂/∂βj = sj·∂/∂θj + mj·∂/∂θ0."""
        means = np.array([f.mean for f in self.features])
        scales = np.array([f.scale for f in self.features])
        raw = np.array(gradient, dtype=float)
        raw[:, 1:] = gradient[:, 1:] * scales + np.outer(gradient[:, 0], means)
        return raw
