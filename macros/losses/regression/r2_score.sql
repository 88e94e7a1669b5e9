{#- Coefficient of determination 1 − Σw r² / Σw (y − ȳ_w)². Table-level: ȳ_w is taken in a first
    pass (a window), then the deviations in a second, because Σy² − (Σy)²/n loses every digit
    for targets near 1e9. Constant y (all weighted rows equal, detected exactly): 1 if the
    prediction is perfect, else 0 (scikit-learn's force_finite); NaN for a single row, where
    R² is not defined (scikit-learn warns and returns NaN). Returns one row per group,
    with the columns of loss_table. Reference: sklearn.metrics.r2_score. -#}
{% macro r2_score(relation, actual, predicted, group_by=[], weight=none, row_condition=none) -%}
  {{ return(adapter.dispatch('r2_score', 'dbt_loss')(relation, actual, predicted, group_by, weight, row_condition)) }}
{%- endmacro %}

{% macro default__r2_score(relation, actual, predicted, group_by=[], weight=none, row_condition=none) -%}
  {{ return(dbt_loss.loss_table(relation, actual, predicted, ['r2_score'], group_by, weight, row_condition)) }}
{%- endmacro %}

{#- mean_actual and mean_residual name columns loss_table computed in its first pass. -#}
{% macro r2_score_definition(actual, predicted, mean_actual, mean_residual) -%}
  {%- set r = dbt_loss.residual(actual, predicted) -%}
  {%- set deviation = "(" ~ dbt_loss.as_double(actual) ~ " - " ~ mean_actual ~ ")" -%}
  {{ return({'inputs': [actual, predicted],
             'numerator': r ~ " * " ~ r,
             'denominator': deviation ~ " * " ~ deviation,
             'minimum_rows': 2}) }}
{%- endmacro %}
