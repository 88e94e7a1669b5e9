{#- First pass of the two-pass metrics: the weighted means of y and of the residual over the
    rows the metric uses, per group, as window columns named <prefix>_mean_actual and
    <prefix>_mean_residual. -#}
{% macro centering_windows(actual, predicted, weight, groups, prefix) -%}
  {%- set guard = dbt_loss.row_guard([actual, predicted, weight]) -%}
  {%- set s = dbt_loss.as_double(weight) if weight is not none else "1" -%}
  {%- set over = "over (" ~ (("partition by " ~ (groups | join(', '))) if groups else "") ~ ")" -%}
  {%- set total = "nullif(sum(case when " ~ guard ~ " then " ~ s ~ " end) " ~ over ~ ", 0)" -%}
  {{ return([
      "sum(case when " ~ guard ~ " then " ~ s ~ " * " ~ dbt_loss.as_double(actual) ~ " end) " ~ over ~ " / " ~ total ~ " as " ~ prefix ~ "_mean_actual",
      "sum(case when " ~ guard ~ " then " ~ s ~ " * " ~ dbt_loss.residual(actual, predicted) ~ " end) " ~ over ~ " / " ~ total ~ " as " ~ prefix ~ "_mean_residual",
  ]) }}
{%- endmacro %}
