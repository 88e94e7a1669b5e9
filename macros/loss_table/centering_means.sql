{#- First pass of the two-pass metrics: the weighted means of y and (if `mean_residual` names
    a column) of the residual, as select expressions aliased `mean_actual` and
    `mean_residual`: plain aggregates, or window columns with `over` (a window clause).
    Only rows where actual is not NULL count: the caller passes rows it has filtered with the
    row guard, or actual and weight already NULL on the rows the guard rejects.
    A quantity that is constant over the counted rows (non-zero weight) gets that constant as
    its mean, exactly: rounding in Σy/n must not turn a constant target into a tiny,
    meaningless variance, so its deviations are exactly 0 and r2 and explained variance take
    scikit-learn's force_finite branch. The min and max for that check cost less in this
    narrow pass than in the second one. -#}
{% macro centering_means(actual, predicted, weight, mean_actual, mean_residual=none, over=none) -%}
  {%- set y = dbt_loss.as_double(actual) -%}
  {%- set s = dbt_loss.as_double(weight) if weight is not none else none -%}
  {%- set over = (" " ~ over) if over else "" -%}
  {%- set total = "nullif(" ~ (("sum(" ~ s ~ ")") if s else ("count(" ~ y ~ ")")) ~ over ~ ", 0)" -%}
  {%- set terms = {mean_actual: y} -%}
  {%- if mean_residual -%}
    {%- do terms.update({mean_residual: dbt_loss.residual(actual, predicted)}) -%}
  {%- endif -%}
  {%- set means = [] -%}
  {%- for alias, term in terms.items() -%}
    {%- set counted = ("case when " ~ s ~ " <> 0 then " ~ term ~ " end") if s else term -%}
    {%- set lowest = "min(" ~ counted ~ ")" ~ over -%}
    {%- set mean = "sum(" ~ ((s ~ " * ") if s else "") ~ term ~ ")" ~ over ~ " / " ~ total -%}
    {%- do means.append("case when " ~ lowest ~ " = max(" ~ counted ~ ")" ~ over ~ " then " ~ lowest
                        ~ " else " ~ mean ~ " end as " ~ alias) -%}
  {%- endfor -%}
  {{ return(means) }}
{%- endmacro %}
