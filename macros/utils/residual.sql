{#- r = ŷ − y in double precision: positive means over-forecast. -#}
{% macro residual(actual, predicted) -%}
  ({{ dbt_loss.as_double(predicted) }} - {{ dbt_loss.as_double(actual) }})
{%- endmacro %}
