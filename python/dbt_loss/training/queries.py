"""The aggregate queries a training step needs, built once as sqlglot expressions and then
run with new parameter values each step:

- statistics: per group, Σw and Σw·ℓ on the training and validation rows, the gradient
  Σw·∂ℓ/∂η·z and, for Newton steps, the curvature Σw·∂²ℓ/∂η²·z·zᵀ at the current parameters;
- curvature: the same curvature sums over a sample of the rows, for large tables;
- line search: per group, Σw·ℓ at several step sizes along a direction, in one pass;
- candidates: per group, Σw·ℓ at many trial points, in one pass.

Each returns one row per group, whatever the size of the table. Parameters are bound query
parameters (one model) or columns of a small parameter table joined on the group keys (one
model per group): values never become SQL text. A grouped query names its groups by their
parameter row's index (GROUP_INDEX), not by their keys: every column of its result is a
number, and Python reads the result as one array.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlglot import exp

from .design import Design
from .losses import Loss
from .options import RESERVED_GROUP
from .sql import (
    EXP_BOUND,
    Expr,
    bounded_exp,
    greatest,
    keyed_join,
    named,
    number,
    paren,
    select_from,
    total,
)

GroupKey = tuple
GROUP_INDEX = RESERVED_GROUP  # a parameter row's position: names a result's group


@dataclass(frozen=True)
class Softmax:
    """Categorical cross-entropy on K linear predictors, with optional label smoothing ε:
    ℓ = lse(η) − Σk tk·ηk with t = (1 − ε)·onehot(y) + ε/K."""

    label_smoothing: float = 0.0


@dataclass(frozen=True)
class Parameters:
    """Where the parameters come from: bound placeholders, or a table joined on group keys."""

    design: Design
    table: str | None = None  # None: placeholders

    def coefficient(self, name: str, k: int, j: int) -> Expr:
        if self.table is None:
            return exp.Placeholder(this=f"{name}_{k}_{j}")
        return exp.column(f"{name}_{k}_{j}", quoted=True)  # a column of the joined rows

    def columns(self, names: Sequence[str]) -> list[str]:
        """The parameter table's columns: the group's index, one key per group column, then
        the values."""
        keys = (
            list(self.design.groups)
            if self.design.fanned
            else [f"key_{i}" for i in range(len(self.design.groups))]
        )
        return [GROUP_INDEX, *keys] + [
            f"{n}_{k}_{j}"
            for n in names
            for k in range(self.design.outputs)
            for j in range(self.design.width)
        ]

    def bind(self, values: dict[str, np.ndarray]) -> dict:
        """Placeholder values for a single model: {name: θ of shape (outputs, width)}."""
        return {
            f"{name}_{k}_{j}": float(theta[k, j])
            for name, theta in values.items()
            for k in range(theta.shape[0])
            for j in range(theta.shape[1])
        }

    def rows(self, values: dict[str, dict[GroupKey, np.ndarray]]) -> list[tuple]:
        """Parameter-table rows for grouped models, numbered in the order of the keys:
        {name: {group key: θ}}."""
        names = list(values)
        keys = list(values[names[0]])
        if not keys:
            return []
        stacked = np.concatenate(
            [np.stack([values[n][key] for key in keys]).reshape(len(keys), -1) for n in names],
            axis=1,
        )
        rows = zip(keys, stacked.tolist(), strict=True)
        return [(index, *key, *row) for index, (key, row) in enumerate(rows)]

    def joined(self, rows: exp.Select) -> exp.Select:
        if self.table is None:
            return rows
        table = exp.table_(self.table, quoted=True).as_("parameters")
        if self.design.fanned:  # every row once per parameter row
            return rows.join(table, join_type="cross", copy=False)
        pairs = [
            (
                exp.column(g, table="r", quoted=True),
                exp.column(f"key_{i}", table="parameters", quoted=True),
            )
            for i, g in enumerate(self.design.groups)
        ]
        return rows.join(keyed_join(table, pairs), copy=False)


def _group_index(design: Design) -> list[Expr]:
    """What a grouped query groups by and returns: the parameter row's index (none without
    groups)."""
    return [exp.column(GROUP_INDEX)] if design.groups else []


def _group_columns(design: Design) -> list[Expr]:
    """What a grouped query carries through its stages: the index, and the group columns of
    a fanned design, which its loss expressions read (candidates side by side)."""
    fanned = [exp.column(g, quoted=True) for g in design.groups] if design.fanned else []
    return _group_index(design) + fanned


def _with_predictors(
    design: Design,
    parameters: Parameters,
    names: Sequence[str],
    batch: Expr | None,
) -> exp.Select:
    """The design's rows with the linear predictors for each named parameter set as columns
    <name>_eta<k>, computed once per row."""
    rows = parameters.joined(select_from(design.rows(batch), "r", "*"))
    keep = (
        _group_columns(design)
        + [exp.column("y"), exp.column("w_train"), exp.column("w_valid")]
        + [exp.column(f"z{j}") for j in range(1, design.width)]
    )
    etas = [
        named(
            design.linear_predictor(
                [parameters.coefficient(name, k, j) for j in range(design.width)]
            ),
            f"{name}_eta{k}",
        )
        for name in names
        for k in range(design.outputs)
    ]
    return select_from(rows, "joined", *keep, *etas)


def _softmax_targets(y: Expr, outputs: int, smoothing: float) -> list[Expr]:
    """t_k = (1 − ε)·[y = k] + ε/K."""
    return [
        paren(
            number(1 - smoothing)
            * exp.Case(
                ifs=[exp.If(this=y.eq(exp.Literal.number(k)), true=number(1))], default=number(0)
            )
            + number(smoothing / outputs)
        )
        for k in range(outputs)
    ]


def _softmax_loss(etas: list[Expr], y: Expr, smoothing: float) -> Expr:
    """lse(η) − Σk tk·ηk inline, with the row maximum subtracted inside the log-sum-exp (for
    queries that score several points per row: line search, candidates)."""
    top = etas[0] if len(etas) == 1 else greatest(*etas)
    lse = paren(top + exp.Ln(this=total([bounded_exp(eta - top) for eta in etas])))
    targets = _softmax_targets(y, len(etas), smoothing)
    return lse - total([t * eta for t, eta in zip(targets, etas, strict=True)])


def _softmax_rows(predicted: exp.Select, carried: list[Expr], outputs: int) -> exp.Select:
    """The rows with their log-sum-exp `lse` and probabilities p<k> as columns, in stages:
    the row maximum m, then e_k = exp(η_k − m) once each (≤ 1; bounded below for
    PostgreSQL), then s = Σ e_k ≥ 1, lse = m + ln s and p_k = e_k / s. Inline, the maximum
    and the exponentials would be repeated in every use."""
    etas = [exp.column(f"theta_eta{k}") for k in range(outputs)]
    passed = [*carried, *etas]
    top = etas[0] if outputs == 1 else greatest(*etas)
    stage = select_from(predicted, "predicted", *passed, named(top, "eta_max"))
    m = exp.column("eta_max")
    exponentials = [
        named(exp.Exp(this=greatest(eta - m, number(-EXP_BOUND))), f"e{k}")
        for k, eta in enumerate(etas)
    ]
    stage = select_from(stage, "shifted", *passed, m, *exponentials)
    e = [exp.column(f"e{k}") for k in range(outputs)]
    stage = select_from(stage, "exponentials", *passed, m, *e, named(total(e), "e_sum"))
    total_e = exp.column("e_sum")
    return select_from(
        stage,
        "summed",
        *passed,
        named(m + exp.Ln(this=total_e), "lse"),
        *[named(e[k] / total_e, f"p{k}") for k in range(outputs)],
    )


def _softmax_curvatures(design: Design) -> dict:
    """The row weights p_k(δ_km − p_m) of the curvature blocks the queries sum, by (k, m)."""
    summed = _summed_outputs(design)
    return {
        (k, m): exp.column(f"p{k}") * paren(number(1 if k == m else 0) - exp.column(f"p{m}"))
        for k in range(summed)
        for m in range(k, summed)
    }


def _with_shared(predicted: exp.Select, loss: Loss, eta: Expr, y: Expr):
    """The rows with the loss's shared expression as column `shared`, and that column (None
    and the rows unchanged for a loss without one)."""
    if loss.shared is None:
        return predicted, None
    rows = select_from(predicted, "predicted_rows", "*", named(loss.shared(eta, y), "shared"))
    return rows, exp.column("shared")


def _grouped(design: Design, aggregates: list[Expr], source: exp.Select) -> exp.Select:
    keys = _group_index(design)
    query = select_from(source, "scored", *keys, *aggregates)
    return query.group_by(*keys, copy=False) if keys else query


def statistics_query(
    design: Design,
    loss: Loss | Softmax,
    parameters: Parameters,
    *,
    curvature: bool,
    batch: Expr | None = None,
) -> exp.Select:
    """Columns: the group index (grouped models), sw_train, sw_valid, loss_train, loss_valid,
    g_<k>_<j> …, then h_<i> for the distinct entries of the curvature, in the order
    `curvature_pairs` gives."""
    predicted = _with_predictors(design, parameters, ["theta"], batch)
    y = exp.column("y")
    etas = [exp.column(f"theta_eta{k}") for k in range(design.outputs)]
    keep = (
        _group_columns(design)
        + [exp.column("w_train"), exp.column("w_valid")]
        + [exp.column(f"z{j}") for j in range(1, design.width)]
    )
    if isinstance(loss, Softmax):
        predicted = _softmax_rows(predicted, [*keep, y], design.outputs)
        probabilities = [exp.column(f"p{k}") for k in range(design.outputs)]
        targets = _softmax_targets(y, design.outputs, loss.label_smoothing)
        value = exp.column("lse") - total([t * eta for t, eta in zip(targets, etas, strict=True)])
        derived = [named(value, "l")]
        derived += [named(probabilities[k], f"p{k}") for k in range(design.outputs)]
        derived += [named(targets[k], f"t{k}") for k in range(design.outputs)]
        gradient = [paren(exp.column(f"p{k}") - exp.column(f"t{k}")) for k in range(design.outputs)]
        curvatures = _softmax_curvatures(design)
    else:
        predicted, shared = _with_shared(predicted, loss, etas[0], y)
        derived = [
            named(loss.row("value", etas[0], y, shared), "l"),
            named(loss.row("gradient", etas[0], y, shared), "g0"),
        ]
        if curvature:
            derived.append(named(loss.row("curvature", etas[0], y, shared), "c0"))
        gradient = [exp.column("g0")]
        curvatures = {(0, 0): exp.column("c0")}
    scored = select_from(predicted, "predicted", *keep, *derived)

    # The weight times each derivative, once per row; the sums below only multiply by z.
    w_train, w_valid = exp.column("w_train"), exp.column("w_valid")
    validated = design.validation is not None
    weighted = (
        _group_columns(design) + [w_train] + [exp.column(f"z{j}") for j in range(1, design.width)]
    )
    weighted.append(named(w_train * exp.column("l"), "wl"))
    if validated:
        weighted += [w_valid, named(w_valid * exp.column("l"), "vl")]
    weighted += [named(w_train * gradient[k], f"wg{k}") for k in range(design.outputs)]
    if curvature:
        weighted += [named(w_train * paren(c), f"wc{k}_{m}") for (k, m), c in curvatures.items()]
    rows = select_from(scored, "scored_rows", *weighted)

    aggregates = [
        named(exp.Sum(this=w_train), "sw_train"),
        named(exp.Sum(this=w_valid) if validated else number(0), "sw_valid"),
        named(exp.Sum(this=exp.column("wl")), "loss_train"),
        named(exp.Sum(this=exp.column("vl")) if validated else number(0), "loss_valid"),
    ]
    for k in range(design.outputs):
        for j in range(design.width):
            term = exp.column(f"wg{k}")
            aggregates.append(named(exp.Sum(this=term * design.z(j) if j else term), f"g_{k}_{j}"))
    if curvature:
        aggregates += _curvature_sums(design)
    return _grouped(design, aggregates, rows)


def curvature_query(design: Design, loss: Loss | Softmax, parameters: Parameters) -> exp.Select:
    """Columns: the group index (grouped models), sw_train, then h_<i> as in statistics_query,
    over the design's rows: Newton's curvature from a design over a sample of the rows, while
    the gradient and the loss still come from every row (subsampled Newton: the same optimum,
    and near the quadratic rate when the sample is large)."""
    predicted = _with_predictors(design, parameters, ["theta"], None)
    y, w_train = exp.column("y"), exp.column("w_train")
    etas = [exp.column(f"theta_eta{k}") for k in range(design.outputs)]
    keep = (
        _group_columns(design) + [w_train] + [exp.column(f"z{j}") for j in range(1, design.width)]
    )
    if isinstance(loss, Softmax):
        predicted = _softmax_rows(predicted, keep, design.outputs)
        derived = [exp.column(f"p{k}") for k in range(design.outputs)]
        curvatures = _softmax_curvatures(design)
    else:
        predicted, shared = _with_shared(predicted, loss, etas[0], y)
        derived = [named(loss.row("curvature", etas[0], y, shared), "c0")]
        curvatures = {(0, 0): exp.column("c0")}
    scored = select_from(predicted, "predicted", *keep, *derived)
    weighted = keep + [named(w_train * paren(c), f"wc{k}_{m}") for (k, m), c in curvatures.items()]
    rows = select_from(scored, "scored_rows", *weighted)
    aggregates = [named(exp.Sum(this=w_train), "sw_train")]
    aggregates += _curvature_sums(design)
    return _grouped(design, aggregates, rows)


def _curvature_sums(design: Design) -> list[Expr]:
    sums = []
    for index, (k, j, m, n) in enumerate(curvature_pairs(design)):
        term = exp.column(f"wc{k}_{m}")
        for feature in (j, n):
            if feature:
                term = term * design.z(feature)
        sums.append(named(exp.Sum(this=term), f"h_{index}"))
    return sums


def curvature_pairs(design: Design) -> list[tuple[int, int, int, int]]:
    """The (output k, feature j, output m, feature n) entries of the curvature matrix over
    parameters ordered (k, j) that the queries sum; curvature_matrix derives the rest.

    - Each block Σ w·c_km·z zᵀ is symmetric in (j, n): only j ≤ n is summed, and k ≤ m.
    - Softmax's blocks sum to zero along each block row (Σm p_k(δ_km − p_m) = 0), so the
      last class's blocks follow from the others: (K − 1)K/2 blocks are summed, not
      K(K + 1)/2 (3 classes × 17: 459 sums, not 1,326 for the whole upper triangle)."""
    return [tuple(int(v) for v in pair) for pair in _pairs(_summed_outputs(design), design.width)]


def _summed_outputs(design: Design) -> int:
    """Outputs whose curvature blocks are summed: all but softmax's last class."""
    return design.outputs - 1 if design.classes else design.outputs


@functools.cache
def _pairs(outputs: int, width: int) -> np.ndarray:
    return np.array(
        [
            (k, j, m, n)
            for k in range(outputs)
            for m in range(k, outputs)
            for j in range(width)
            for n in range(j, width)
        ]
    ).reshape(-1, 4)


def curvature_matrix(design: Design, sums: np.ndarray) -> np.ndarray:
    """The full symmetric matrix from the sums in curvature_pairs order; sums stacked by
    group (shape (groups, sums)) give the matrices stacked the same way."""
    width, outputs, summed = design.width, design.outputs, _summed_outputs(design)
    k, j, m, n = _pairs(summed, width).T
    stacked = np.atleast_2d(sums)
    groups, size = len(stacked), outputs * width
    matrix = np.zeros((groups, size, size))
    for row, col in ((k * width + j, m * width + n), (k * width + n, m * width + j)):
        matrix[:, row, col] = stacked
        matrix[:, col, row] = stacked
    if summed < outputs:  # softmax: the last class's blocks, from the zero block-row sums
        known = summed * width
        blocks = matrix[:, :known, :known].reshape(groups, summed, width, summed, width)
        last = -blocks.sum(axis=3).reshape(groups, known, width)  # blocks (k, K − 1) stacked
        matrix[:, :known, known:] = last
        matrix[:, known:, :known] = last.transpose(0, 2, 1)
        matrix[:, known:, known:] = -last.reshape(groups, summed, width, width).sum(axis=1)
    return matrix if np.ndim(sums) == 2 else matrix[0]


def _weighted_loss_sum(loss: Loss | Softmax, etas: list[Expr], y: Expr, w: Expr, name: str):
    """Σ w·ℓ(η, y) at the given linear predictors, as a named aggregate."""
    if isinstance(loss, Softmax):
        value = _softmax_loss(etas, y, loss.label_smoothing)
    else:
        value = loss.row("value", etas[0], y)
    return named(exp.Sum(this=w * paren(value)), name)


def line_search_query(
    design: Design, loss: Loss | Softmax, parameters: Parameters, steps: Sequence[float]
) -> exp.Select:
    """Columns: the group index (grouped models), sw_train, then loss_<s> = Σ w·ℓ(θ + step_s·d)
    for each step."""
    predicted = _with_predictors(design, parameters, ["theta", "direction"], None)
    y, w = exp.column("y"), exp.column("w_train")
    aggregates = [named(exp.Sum(this=w), "sw_train")]
    for index, step in enumerate(steps):
        etas = [
            paren(exp.column(f"theta_eta{k}") + number(step) * exp.column(f"direction_eta{k}"))
            for k in range(design.outputs)
        ]
        aggregates.append(_weighted_loss_sum(loss, etas, y, w, f"loss_{index}"))
    return _grouped(design, aggregates, predicted)


def candidates_query(
    design: Design, loss: Loss | Softmax, parameters: Parameters, count: int
) -> exp.Select:
    """Columns: the group index (grouped models), sw_train, then loss_<c> = Σ w·ℓ(θ + d_c) for
    `count` directions d_c bound as parameter sets candidate<c>: many trial points in one
    pass."""
    names = ["theta"] + [f"candidate{c}" for c in range(count)]
    predicted = _with_predictors(design, parameters, names, None)
    y, w = exp.column("y"), exp.column("w_train")
    aggregates = [named(exp.Sum(this=w), "sw_train")]
    for c in range(count):
        etas = [
            paren(exp.column(f"theta_eta{k}") + exp.column(f"candidate{c}_eta{k}"))
            for k in range(design.outputs)
        ]
        aggregates.append(_weighted_loss_sum(loss, etas, y, w, f"loss_{c}"))
    return _grouped(design, aggregates, predicted)


def batch_predicate(bucket: Expr) -> Expr:
    """Keeps the rows of the mini-batch given as the query parameter $batch."""
    return bucket.eq(exp.Placeholder(this="batch"))


def nearest_rows_query(design: Design, parameters: Parameters, count: int) -> exp.Select:
    """Per group, the `count` training rows with the smallest |η − y| (z-values and y): the
    rows a quantile regression interpolates at its optimum, to polish the IRLS solution."""
    predicted = _with_predictors(design, parameters, ["theta"], None)
    keys = _group_index(design)
    rank = exp.Window(
        this=exp.RowNumber(),
        partition_by=keys or None,
        order=exp.Order(
            expressions=[exp.Ordered(this=exp.Abs(this=exp.column("theta_eta0") - exp.column("y")))]
        ),
    )
    ranked = (
        exp.select(
            *keys,
            *[exp.column(f"z{j}") for j in range(1, design.width)],
            exp.column("y"),
            named(rank, "nearness"),
        )
        .from_(predicted.subquery("predicted"))
        .where(exp.column("w_train") > number(0))
    )
    return (
        exp.select("*")
        .from_(ranked.subquery("ranked"))
        .where(exp.column("nearness") <= exp.Literal.number(count))
    )
