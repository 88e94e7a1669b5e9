"""The design matrix as SQL: each feature a centred expression over the relation's columns,
the target, the row weight and the train/validation split. The data never leaves the
warehouse; this describes how to read it.

The optimizers work in standardised coordinates z = (x − m)/s, but the SQL only centres:
dividing by s is folded into the parameters bound to each query (θ/s) and into the sums it
returns (Σ g·(x − m)/s), which saves a multiply per feature and row on every pass."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sqlglot import exp

from .sql import Expr, case, column, double, number, paren, total


@dataclass(frozen=True)
class Feature:
    """One model input: a numeric column, or one category of a string column (one-hot).
    `mean` and `scale` standardise it; the reported weights undo that (raw units)."""

    name: str
    source: str
    category: str | None = None
    mean: float = 0.0
    scale: float = 1.0
    constant: bool = False

    def raw(self) -> Expr:
        if self.category is None:
            return double(column(self.source))
        return double(
            case(column(self.source).eq(exp.Literal.string(self.category)), number(1), number(0))
        )

    def centered(self) -> Expr:
        if self.constant:  # held at zero weight; x − mean(x) need not round to 0 (x = 1e200)
            return number(0)
        return paren(self.raw() - number(self.mean)) if self.mean else self.raw()


@dataclass
class Design:
    relation: exp.Expression
    features: list[Feature]
    target: Expr  # double (regression, logistic, poisson) or class index (softmax)
    weight: Expr  # sample weight × class weight, per row
    validation: Expr | None = None  # true for validation rows
    groups: list[str] = field(default_factory=list)
    classes: list = field(default_factory=list)  # softmax only
    # The groups are not columns of the relation but rows of the parameter table, each row
    # read once per group: candidate models trained side by side on the same rows.
    fanned: bool = False

    @property
    def outputs(self) -> int:
        return max(len(self.classes), 1)

    @property
    def width(self) -> int:
        """Parameters per output: the intercept and one weight per feature."""
        return len(self.features) + 1

    def rows(self, batch: Expr | None = None) -> exp.Select:
        """One row per input row: group keys, centred features z1…zd, the target y, and
        the weight split into w_train and w_valid. `batch` keeps a subset in w_train."""
        train = exp.Not(this=paren(self.validation)) if self.validation is not None else None
        if batch is not None:
            train = batch if train is None else exp.and_(train, batch)
        weight = paren(self.weight)
        w_train = weight if train is None else case(train, weight, number(0))
        w_valid = (
            case(self.validation, weight, number(0)) if self.validation is not None else number(0)
        )
        selections = (
            [] if self.fanned else [exp.alias_(column(g), g, quoted=True) for g in self.groups]
        )
        selections += [exp.alias_(f.centered(), f"z{i}") for i, f in enumerate(self.features, 1)]
        selections += [
            exp.alias_(self.target, "y"),
            exp.alias_(w_train, "w_train"),
            exp.alias_(w_valid, "w_valid"),
        ]
        return exp.select(*selections).from_(self.relation.copy())  # each query its own copy

    @property
    def unscale(self) -> np.ndarray:
        """1/s per parameter, shape (outputs, width): θ·unscale are the coefficients of the
        centred columns, and a sum Σ g·(x − m) times unscale is Σ g·z."""
        row = np.concatenate([[1.0], [1.0 / f.scale for f in self.features]])
        return np.tile(row, (self.outputs, 1))

    def z(self, index: int) -> Expr:
        """Centred feature `index` (0 is the intercept's constant 1)."""
        return number(1) if index == 0 else exp.column(f"z{index}")

    def linear_predictor(self, coefficients: list[Expr]) -> Expr:
        """c0 + Σ cj·zj with the coefficients c = θ·unscale given as expressions (parameter
        placeholders or columns)."""
        return paren(
            total([coefficients[0]] + [coefficients[j] * self.z(j) for j in range(1, self.width)])
        )
