{#- a = b, where two NULLs count as equal: joins on group keys must keep the NULL group. -#}
{% macro null_safe_equals(left, right) -%}
  ({{ left }} = {{ right }} or ({{ left }} is null and {{ right }} is null))
{%- endmacro %}
