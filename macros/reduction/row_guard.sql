{#- True where every input of a loss is non-NULL: numerator and denominator of the mean
    skip exactly the same rows. -#}
{% macro row_guard(inputs) -%}
  {%- set checks = [] -%}
  {%- for expression in inputs if expression is not none -%}
    {%- do checks.append("(" ~ expression ~ ") is not null") -%}
  {%- endfor -%}
  {{ checks | join(' and ') if checks else '1 = 1' }}
{%- endmacro %}
