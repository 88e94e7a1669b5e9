"""Synthetic tables generated inside DuckDB from range(): deterministic (hash-based uniforms,
Box–Muller normals), so every run and every size sees the same rows, and nothing is written
into the repository. The SQL is fixed text with constants from this module only.

Features x1…xd have different means and scales (a model must standardise); the targets are
drawn from known linear predictors:

- y_lin: linear, Gaussian noise (ridge);
- y_rob: y_lin with 5 % gross outliers (Huber);
- y_bin: Bernoulli with a logistic link;
- y_cls: one of 3 classes by a Gumbel-max draw over three linear scores (softmax).

With `group_rows`, row i belongs to group g = i // group_rows and each group has its own
intercept and coefficients."""

from __future__ import annotations

import math

PRIME = 1_000_003  # hash(i, tag) % PRIME / PRIME: a uniform on ~1e6 levels
CLASSES = 3


def uniform(tag: str) -> str:
    """A uniform in (0, 1), a deterministic function of the row number i and the tag."""
    return f"((hash(i, '{tag}') % {PRIME} + 0.5) / {PRIME}.0)"


def normal(tag: str) -> str:
    """A standard normal by Box–Muller from two uniforms."""
    return f"(sqrt(-2.0 * ln({uniform(tag + ':u')})) * cos(2.0 * pi() * {uniform(tag + ':v')}))"


def feature_mean(j: int) -> float:
    return (-1) ** j * 0.25 * j


def feature_scale(j: int) -> float:
    return 0.5 + 0.25 * j


def coefficient(j: int, features: int) -> float:
    """Slopes on the standardised features, alternating in sign, with Σc² ≈ 1."""
    return (-1) ** j * (0.5 + j / features) / math.sqrt(features * 0.9)


def class_coefficient(k: int, j: int, features: int) -> float:
    return 1.2 * math.cos(j + 2.1 * k) / math.sqrt(features)


def training_query(rows: int, features: int, group_rows: int | None = None) -> str:
    """The training table: [g,] x1…xd, y_lin, y_rob, y_bin, y_cls."""
    d = features
    normals = ", ".join(f"{normal(f'n{j}')} as n{j}" for j in range(1, d + 1))
    group = f"i // {group_rows}" if group_rows else "0"

    def slope(j: int, c: float) -> str:
        if not group_rows:
            return repr(c)
        return f"{c!r} * (1 + 0.5 * cos(0.7 * g + {j}))"  # each group its own slopes

    eta = " + ".join(f"{slope(j, coefficient(j, d))} * n{j}" for j in range(1, d + 1))
    intercept = "0.3 + 0.5 * sin(g)" if group_rows else "0.3"
    scores = ", ".join(
        " + ".join(f"{class_coefficient(k, j, d)!r} * n{j}" for j in range(1, d + 1))
        + f" - ln(-ln({uniform(f'gumbel{k}')})) as s{k}"
        for k in range(CLASSES)
    )
    inner = (
        f"select i, {group} as g, {normals}, {normal('noise')} as noise, "
        f"{normal('outlier')} as outlier, {uniform('is_outlier')} as is_outlier, "
        f"{uniform('label')} as label from range({rows}) as t(i)"
    )
    middle = f"select *, {eta} as eta, {scores} from ({inner}) as normals"
    xs = ", ".join(
        f"{feature_mean(j)!r} + {feature_scale(j)!r} * n{j} as x{j}" for j in range(1, d + 1)
    )
    y_lin = "1.5 + 2.0 * eta + noise"
    return (
        f"select {'g, ' if group_rows else ''}{xs}, "
        f"{y_lin} as y_lin, "
        f"{y_lin} + case when is_outlier < 0.05 then 20.0 * outlier else 0.0 end as y_rob, "
        f"case when label < 1.0 / (1.0 + exp(-({intercept} + eta))) then 1 else 0 end as y_bin, "
        f"case when s0 >= s1 and s0 >= s2 then 0 when s1 >= s2 then 1 else 2 end as y_cls "
        f"from ({middle}) as scored"
    )


def metric_query(rows: int) -> str:
    """Case 1's prediction table: an actual y around 100 and a forecast p with error and bias."""
    return (
        f"select y, y + 0.5 + 5.0 * {normal('error')} as p from "
        f"(select i, 100.0 + 10.0 * {normal('actual')} as y from range({rows}) as t(i)) as a"
    )


def create_table(connection, name: str, query: str) -> None:
    connection.execute(f'create or replace table "{name}" as {query}')


def write_parquet(connection, path: str, query: str) -> None:
    connection.execute(f"copy ({query}) to '{path}' (format parquet)")


def feature_names(features: int) -> list[str]:
    return [f"x{j}" for j in range(1, features + 1)]
