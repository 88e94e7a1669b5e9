"""Everything a training run decides before its first step: the options checked, the relation
profiled, the design laid out, the loss, the penalty and the optimizer picked. select_loss
plans many candidates on one profile; train() plans one."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from sqlglot import exp

from .design import Design
from .engine import Engine
from .losses import Loss, build_loss
from .objective import Penalty
from .options import DEFAULT_MAX_ITER, OptionError, Options, parse_options
from .profile import Profile, TrainingInputError, check_columns, profile
from .queries import Softmax
from .sql import column, double, literal, number

VALIDATION_BUCKETS = 10000
CURVATURE_BUCKETS = 10000


@dataclass
class Plan:
    """One model's training, decided: what to minimise over which rows, and how."""

    engine: Engine
    settings: Options
    model: str
    target: str
    features: list[str]
    source: exp.Expression
    relation_name: str
    data: Profile
    design: Design
    scalar_loss: Loss | None  # None for softmax
    objective_loss: Loss | Softmax
    penalty: Penalty
    method: str
    max_iter: int
    row_columns: list[exp.Expression]

    @property
    def quadratic(self) -> bool:
        return bool(self.scalar_loss and self.scalar_loss.quadratic)

    @property
    def majorizes(self) -> bool:
        return bool(self.scalar_loss and self.scalar_loss.majorizes)

    def initial_theta(self) -> np.ndarray:
        """Zero weights and an intercept at the target's mean (on the link scale)."""
        theta = np.zeros((self.design.outputs, self.design.width))
        mean = self.data.target_mean
        if mean is None:
            return theta
        if self.model == "linear":
            theta[0, 0] = mean
        elif self.model == "logistic":
            p = min(max(mean, 1e-6), 1 - 1e-6)
            theta[0, 0] = math.log(p / (1 - p))
        elif self.model == "poisson":
            theta[0, 0] = math.log(max(mean, 1e-6))
        return theta

    def group_keys(self) -> list[tuple]:
        groups = self.settings.group_by
        if not groups:
            return [()]
        keys = [column(g) for g in groups]
        # sorted: the groups' order, and so the group a failing check names, is the same every run
        query = exp.select(*keys).distinct().from_(self.source).order_by(*keys)
        found = [tuple(row) for row in self.engine.fetch(query)]
        for row in found:
            for name, value in zip(groups, row, strict=True):
                # NaN equals nothing, not even itself: its rows could join no model
                if isinstance(value, float) and math.isnan(value):
                    raise TrainingInputError(
                        f"dbt_loss.train: group_by column {name!r} has NaN values; "
                        "a NaN cannot name a group (NULL can)"
                    )
        return found

    def curvature_sample(self, groups: int) -> exp.Select | None:
        """The rows Newton's curvature is summed over, as a query of the columns the design
        reads: a deterministic hash sample of about `curvature_rows` rows when the table has
        many more, else None (every row). Not for a quadratic loss, whose one exact step needs
        the exact curvature, nor for a majorizer, nor for per-group models, where a sample
        could miss a small group."""
        limit = self.settings.curvature_rows
        if not limit or groups > 1 or self.quadratic or self.majorizes:
            return None
        if self.data.rows <= 2 * limit:
            return None
        share = max(1, round(CURVATURE_BUCKETS * limit / self.data.rows))
        bucket = self.engine.row_bucket(self.row_columns, "curvature", CURVATURE_BUCKETS)
        read = [*self.features, self.target]
        if self.settings.sample_weight:
            read.append(self.settings.sample_weight)
        columns = [column(name) for name in dict.fromkeys(read)]
        return exp.select(*columns).from_(self.source).where(bucket < exp.Literal.number(share))


def relation_expression(relation) -> exp.Expression:
    """A table name ('schema.table', each part quoted) or a sqlglot expression."""
    if isinstance(relation, exp.Expression):
        return relation
    if not isinstance(relation, str) or not relation.strip():
        raise OptionError(
            f"dbt_loss.train: argument 'relation' must name a table, got {relation!r}"
        )
    parts = relation.split(".")
    return exp.table_(
        parts[-1],
        db=parts[-2] if len(parts) > 1 else None,
        catalog=parts[-3] if len(parts) > 2 else None,
        quoted=True,
    )


def validation_rows(
    engine: Engine, features: list[str], target: str, fraction: float | None
) -> exp.Expression | None:
    """True for the rows `validation_fraction` holds out: a hash of the row's feature and
    target values, so every run with the same features, target and fraction (and
    select_loss's evaluation) holds out the same rows. None without a split."""
    if not fraction:
        return None
    hashed = engine.row_bucket(
        [column(f) for f in features] + [column(target)], "validation", VALIDATION_BUCKETS
    )
    return hashed < exp.Literal.number(int(round(fraction * VALIDATION_BUCKETS)))


def _class_weight_expression(
    options: Options, target: exp.Expression, classes: list, counts: dict
) -> exp.Expression | None:
    if options.class_weight is None:
        return None
    if options.class_weight == "balanced":
        total = sum(counts.values())
        weights = {c: total / (len(counts) * n) for c, n in counts.items()}
    else:
        weights = dict(options.class_weight)
        missing = [c for c in classes if c not in weights]
        if missing:
            raise OptionError(
                f"dbt_loss.train: argument 'class_weight' has no weight for class(es) {missing}"
            )
    ifs = [exp.If(this=target.eq(literal(c)), true=number(float(w))) for c, w in weights.items()]
    return exp.Case(ifs=ifs, default=number(0))


def profile_key(settings: Options) -> tuple:
    """Plans with equal keys read the relation the same way and can share one profile."""
    return (settings.sample_weight, settings.standardize)


def plan_training(
    engine: Engine,
    relation,
    *,
    target: str,
    features: list[str],
    model: str,
    loss: str | None,
    options: dict,
    profiles: dict | None = None,
) -> Plan:
    """Checks the arguments, profiles the relation (or reuses a profile in `profiles` with the
    same profile_key) and lays out the design. Raises before anything is written."""
    settings = parse_options(model, loss, dict(options))
    if (
        not isinstance(features, (list, tuple))
        or not features
        or not all(isinstance(f, str) for f in features)
    ):
        raise OptionError(
            "dbt_loss.train: argument 'features' must be a non-empty list of column names"
        )
    repeated = sorted({f for f in features if list(features).count(f) > 1})
    if repeated:
        raise OptionError(
            f"dbt_loss.train: argument 'features' lists {', '.join(map(repr, repeated))} "
            "more than once"
        )
    if not isinstance(target, str):
        raise OptionError(
            f"dbt_loss.train: argument 'target' must be a column name, got {target!r}"
        )
    source = relation_expression(relation)
    relation_name = engine.render(source)
    profiles = {} if profiles is None else profiles
    key = profile_key(settings)
    if key not in profiles:
        check_columns(engine.column_types(source), relation_name, {"group_by": settings.group_by})
        profiles[key] = profile(
            engine,
            source,
            relation_name,
            target=target,
            features=list(features),
            weight=settings.sample_weight,
            model=model,
            standardize=settings.standardize,
        )
    elif settings.group_by:
        check_columns(engine.column_types(source), relation_name, {"group_by": settings.group_by})
    data = profiles[key]

    y_column = column(target)
    if model == "softmax":
        y = exp.Case(
            ifs=[
                exp.If(this=y_column.eq(literal(c)), true=exp.Literal.number(i))
                for i, c in enumerate(data.classes)
            ]
        )
    else:
        y = double(y_column)
    class_counts = {}
    if settings.class_weight is not None:
        rows = engine.fetch(
            exp.select(y_column, exp.Count(this=exp.Star())).from_(source).group_by(y_column)
        )
        class_counts = {(int(c) if model == "logistic" else c): n for c, n in rows}
    class_weight = _class_weight_expression(
        settings,
        double(y_column) if model == "logistic" else y_column,
        data.classes if model == "softmax" else [0, 1],
        class_counts,
    )
    weight = double(column(settings.sample_weight)) if settings.sample_weight else number(1)
    if class_weight is not None:
        weight = weight * class_weight
    validation = validation_rows(engine, features, target, settings.validation_fraction)
    design = Design(source, data.features, y, weight, validation, settings.group_by, data.classes)
    scalar_loss = (
        None
        if model == "softmax"
        else build_loss(
            settings.loss,
            settings.loss_parameters,
            quantile_epsilon=1e-9 * max(abs(data.target_mean or 0.0), 1.0),
        )
    )
    objective_loss = (
        Softmax(settings.loss_parameters.get("label_smoothing", 0.0))
        if model == "softmax"
        else scalar_loss
    )
    has_curvature = model == "softmax" or scalar_loss.curvature is not None
    penalty = Penalty.build(
        [f.scale for f in data.features],
        [f.constant for f in data.features],
        design.outputs,
        settings.l2,
        settings.l1,
    )
    method = settings.resolved_optimizer(design.outputs * design.width, has_curvature)
    if method == "newton" and not has_curvature:
        raise OptionError(
            f"dbt_loss.train: loss {settings.loss!r} has no curvature for Newton steps; "
            "use optimizer 'lbfgs', 'gd' or 'adam'"
        )
    if settings.l1 and method in ("lbfgs", "gd"):
        raise OptionError(f"dbt_loss.train: l1 with loss {settings.loss!r} needs optimizer 'adam'")
    return Plan(
        engine=engine,
        settings=settings,
        model=model,
        target=target,
        features=list(features),
        source=source,
        relation_name=relation_name,
        data=data,
        design=design,
        scalar_loss=scalar_loss,
        objective_loss=objective_loss,
        penalty=penalty,
        method=method,
        max_iter=settings.max_iter or DEFAULT_MAX_ITER[method],
        row_columns=[column(f) for f in features] + [y_column],
    )
