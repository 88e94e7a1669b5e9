{#- A compile-time number written as a double literal, at full precision
    (Python's repr round-trips every double). -#}
{% macro number_literal(value) -%}
  {%- if value is sameas true or value is sameas false or value is not number -%}
    {{ exceptions.raise_compiler_error("dbt_loss: expected a number, got " ~ value) }}
  {%- endif -%}
  {{ dbt_loss.as_double(value | float) }}
{%- endmacro %}
