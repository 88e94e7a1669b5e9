{#- Reduces a loss definition (see mean_parts) to one aggregate expression: the weighted
    mean, or its square root for the root-mean losses. NULL for empty input or all-zero
    weights, never a division error. -#}
{% macro aggregate(definition, weight=none, macro_name='aggregate') -%}
  {%- set reduction = definition.get('reduction', 'mean') -%}
  {%- if reduction not in ['mean', 'root_mean'] -%}
    {{ exceptions.raise_compiler_error("dbt_loss." ~ macro_name ~ " needs two passes over the data and is table-level: use dbt_loss.loss_table(...) or dbt_loss." ~ macro_name ~ "(relation, ...)") }}
  {%- endif -%}
  {%- set parts = dbt_loss.mean_parts(definition, weight) -%}
  {%- set mean = "(" ~ parts.loss_sum ~ " / nullif(" ~ parts.weight_sum ~ ", 0))" -%}
  {{ return("sqrt" ~ mean if reduction == 'root_mean' else mean) }}
{%- endmacro %}
