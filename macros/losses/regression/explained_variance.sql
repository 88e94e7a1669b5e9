{#- Explained variance 1 − Var_w(y − ŷ) / Var_w(y), both variances taken about their weighted
    means in a second pass (table-level, like r2_score). Constant y: 1 if the residual is
    constant too, else 0 (scikit-learn's force_finite). Returns one row per group, with the
    columns of loss_table. Reference: sklearn.metrics.explained_variance_score. -#}
{% macro explained_variance(relation, actual, predicted, group_by=[], weight=none, row_condition=none) -%}
  {{ return(adapter.dispatch('explained_variance', 'dbt_loss')(relation, actual, predicted, group_by, weight, row_condition)) }}
{%- endmacro %}

{% macro default__explained_variance(relation, actual, predicted, group_by=[], weight=none, row_condition=none) -%}
  {{ return(dbt_loss.loss_table(relation, actual, predicted, ['explained_variance'], group_by, weight, row_condition)) }}
{%- endmacro %}

{% macro explained_variance_definition(actual, predicted, mean_actual, mean_residual) -%}
  {%- set r = dbt_loss.residual(actual, predicted) -%}
  {%- set residual_deviation = "(" ~ r ~ " - " ~ mean_residual ~ ")" -%}
  {%- set deviation = "(" ~ dbt_loss.as_double(actual) ~ " - " ~ mean_actual ~ ")" -%}
  {{ return({'inputs': [actual, predicted],
             'numerator': residual_deviation ~ " * " ~ residual_deviation,
             'denominator': deviation ~ " * " ~ deviation}) }}
{%- endmacro %}
