{#- A class value as a literal of its own type: numbers stay numbers, so a label
    column of integers compares without casts; anything else is a quoted string. -#}
{% macro value_literal(value) -%}
  {%- if value is number and value is not sameas true and value is not sameas false -%}
    {{ value }}
  {%- else -%}
    {{ dbt_loss.string_literal(value) }}
  {%- endif -%}
{%- endmacro %}
