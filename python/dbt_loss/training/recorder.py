"""One run's life in the run tables: started, checkpointed after every iteration, finished
with its final losses and weights, and handed back as a TrainingRun. train() records one run;
select_loss records one per candidate while their steps share queries."""

from __future__ import annotations

import json
import math
import time
from contextlib import suppress
from dataclasses import dataclass, field

import numpy as np

from .design import Feature
from .objective import Penalty, from_raw, to_raw
from .plan import Plan
from .run_tables import RunTables, dumps


@dataclass
class TrainingRun:
    """The result of dbt_loss.train: the run's identity, outcome and weights in raw units."""

    run_id: str
    run_name: str | None
    status: str
    model: str
    loss: str
    iterations: int
    objective: float | None
    train_loss: float | None
    validation_loss: float | None
    weights: dict
    features: list[str]
    classes: list = field(default_factory=list)
    group_by: list[str] = field(default_factory=list)
    schema: str = "dbt_loss"
    message: str | None = None


class RunRecorder:
    """Writes one run's rows. States passed in are keyed by the run's own group keys (() for a
    model without groups)."""

    def __init__(self, tables: RunTables, plan: Plan, run_id: str, run_name: str | None):
        self.tables = tables
        self.plan = plan
        self.run_id = run_id
        self.run_name = run_name
        self.iteration = 0  # the last iteration recorded
        self.started = time.perf_counter()
        self.pending: list[dict] = []  # history rows not written yet
        self.latest: tuple | None = None  # (θ by group, run summary) after the last iteration
        self.written = self.started

    def record(self) -> dict:
        plan, settings = self.plan, self.plan.settings
        return {
            "run_id": self.run_id,
            "run_name": self.run_name,
            "model": plan.model,
            "loss": settings.loss,
            "options": dumps(
                {**settings.as_dict(), "optimizer": plan.method, "max_iter": plan.max_iter}
            ),
            "relation": plan.relation_name,
            "target": plan.target,
            "features": dumps(plan.features),
            "group_by": dumps(settings.group_by),
            "classes": dumps(plan.data.classes),
        }

    def start(self) -> None:
        self.tables.create()
        self.tables.start(self.record())

    def resume(self, iterations: int) -> None:
        self.iteration = iterations
        self.tables.finish(self.run_id, "running", {}, None)

    def weights_rows(self, thetas: dict) -> list[tuple]:
        plan = self.plan
        features = plan.data.features
        keys = list(thetas)
        stacked = np.stack([thetas[key] for key in keys])  # every group's θ converted at once
        raws = to_raw(stacked, [f.mean for f in features], [f.scale for f in features])
        columns = [("intercept", None, None)]
        columns += [(f.name, f.source, f.category) for f in features]
        labels = [
            str(plan.data.classes[k]) if plan.model == "softmax" else None
            for k in range(plan.design.outputs)
        ]
        groups = [dumps(list(key)) if plan.settings.group_by else None for key in keys]
        # built column by column: a row per group, class and feature (tens of thousands)
        per_group = len(labels) * len(columns)
        names, sources, categories = zip(*columns, strict=True)
        return list(
            zip(
                [group for group in groups for _ in range(per_group)],
                [label for label in labels for _ in columns] * len(keys),
                names * (len(keys) * len(labels)),
                sources * (len(keys) * len(labels)),
                categories * (len(keys) * len(labels)),
                raws.ravel().tolist(),
                strict=True,
            )
        )

    def checkpoint(self, number: int, states: dict) -> dict:
        """Records an iteration: its history row, the weights after it and the run's
        progress, written in one transaction now, or with the next checkpoint where the
        engine asks for fewer writes. Returns the history row."""
        summary = summarize(states)
        history = {
            **summary,
            "iteration": number,
            "elapsed_seconds": time.perf_counter() - self.started,
        }
        self.pending.append(history)
        self.latest = (  # θ, turned into weight rows only when written
            {k: s.theta.copy() for k, s in states.items()},
            {
                "iterations": number,
                "objective": summary["objective"],
                "train_loss": summary["train_loss"],
                "validation_loss": summary["validation_loss"],
            },
        )
        self.iteration = number
        interval = self.tables.engine.checkpoint_seconds
        if time.perf_counter() - self.written >= interval:
            self.flush()
        return history

    def flush(self) -> None:
        """Writes the iterations recorded since the last checkpoint."""
        if not self.pending:
            return
        thetas, summary = self.latest
        self.tables.checkpoint(self.run_id, self.pending, self.weights_rows(thetas), summary)
        self.pending = []
        self.written = time.perf_counter()

    def interrupted(self) -> None:
        self.flush()
        self.tables.finish(
            self.run_id, "interrupted", {"message": "interrupted; resume with resume="}, None
        )

    def failed(self, message: str) -> None:
        self.flush()
        self.tables.finish(self.run_id, "failed", {"message": message[:1000]}, None)

    def finish(self, status: str, message: str | None, final: dict, stats: dict | None):
        """The run's final row and weights; `stats` are the statistics at `final` (None when
        the run failed before they could be measured). The iterations since the last
        checkpoint are written with them, in the same transaction; should that fail, they are
        still written as a checkpoint."""
        plan = self.plan
        summary = {"objective": None, "train_loss": None, "validation_loss": None}
        try:
            if stats is not None:
                summary = summarize_at(stats, final, plan.penalty)
            self.tables.finish(
                self.run_id,
                status,
                {
                    "objective": summary["objective"],
                    "train_loss": summary["train_loss"],
                    "validation_loss": summary["validation_loss"],
                    "message": message,
                    "iterations": self.iteration,
                },
                self.weights_rows(final),
                self.pending,
            )
        except Exception:
            with suppress(Exception):  # the iterations at least, as the last checkpoint
                self.flush()
            raise
        self.pending = []
        return TrainingRun(
            run_id=self.run_id,
            run_name=self.run_name,
            status=status,
            model=plan.model,
            loss=plan.settings.loss,
            iterations=self.iteration,
            objective=summary["objective"],
            train_loss=summary["train_loss"],
            validation_loss=summary["validation_loss"],
            weights=weights_dict(
                final, plan.data.features, plan.data.classes, plan.settings.group_by
            ),
            features=[f.name for f in plan.data.features],
            classes=plan.data.classes,
            group_by=plan.settings.group_by,
            schema=self.tables.schema,
            message=message,
        )


def thetas_from_weights(rows: list[tuple], plan: Plan, defaults: dict) -> dict:
    """Standardised parameters from a checkpoint's raw weights."""
    design = plan.design
    names = ["intercept"] + [f.name for f in design.features]
    classes = [str(c) for c in design.classes] or [None]
    raw = {}
    for group, label, feature, *_, weight in rows:
        key = tuple(json.loads(group)) if group else ()
        array = raw.setdefault(key, np.zeros((design.outputs, design.width)))
        array[classes.index(label), names.index(feature)] = weight
    means = [f.mean for f in design.features]
    scales = [f.scale for f in design.features]
    return {
        key: from_raw(raw[key], means, scales) if key in raw else theta
        for key, theta in defaults.items()
    }


def summarize(states: dict) -> dict:
    """An iteration's history row, from the statistics each group last measured."""
    stats = {k: s.statistics for k, s in states.items()}
    thetas = {k: s.evaluated for k, s in states.items()}
    penalties = {k: s.penalty for k, s in states.items()}
    summary = summarize_at(stats, thetas, penalties)
    steps = [s.step for s in states.values()]
    summary["step_size"] = float(np.mean(steps)) if steps else None
    return summary


def summarize_at(stats: dict, thetas: dict, penalty: Penalty | dict) -> dict:
    """Totals over groups: the objective and losses weighted by each group's training weight."""
    penalties = penalty if isinstance(penalty, dict) else {k: penalty for k in stats}
    total = sum(s.weight for s in stats.values())
    objective, gradient_norm = 0.0, 0.0
    sharing: dict[int, list] = {}  # groups with one penalty, summed as stacked arrays
    for key in stats:
        sharing.setdefault(id(penalties[key]), []).append(key)
    for keys in sharing.values():
        shared = penalties[keys[0]]
        weights = np.array([stats[k].weight for k in keys])
        losses = np.array([stats[k].loss for k in keys])
        stacked = np.stack([thetas[k] for k in keys])
        gradients = np.stack([stats[k].gradient for k in keys])
        objective += float(weights @ (losses + shared.values(stacked)))
        gradient_norm += float(np.sum(shared.smooth_gradient(gradients, stacked) ** 2))
    valid_weight = sum(s.validation_weight for s in stats.values())
    validation = (
        (
            sum(s.validation_weight * (s.validation_loss or 0.0) for s in stats.values())
            / valid_weight
        )
        if valid_weight > 0
        else None
    )
    return {
        "objective": objective / total,
        "train_loss": sum(s.weight * s.loss for s in stats.values()) / total,
        "validation_loss": validation,
        "gradient_norm": math.sqrt(gradient_norm),
    }


def weights_dict(thetas: dict, features: list[Feature], classes: list, groups: list[str]) -> dict:
    means, scales = [f.mean for f in features], [f.scale for f in features]
    names = ["intercept"] + [f.name for f in features]

    def one(theta):
        raw = to_raw(theta, means, scales)

        def as_dict(row):
            named = {n: float(v) for n, v in zip(names[1:], row[1:], strict=True)}
            return {**named, "intercept": float(row[0])}

        if classes:
            return {c: as_dict(raw[k]) for k, c in enumerate(classes)}
        return as_dict(raw[0])

    if not groups:
        return one(thetas[()])
    return {(key[0] if len(key) == 1 else key): one(theta) for key, theta in thetas.items()}
