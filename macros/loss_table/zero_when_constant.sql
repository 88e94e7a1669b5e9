{#- A sum of squared deviations forced to exactly 0 where the deviating quantity is constant
    over the counted rows (all rows where the quantity is not NULL when `counted` is none):
    rounding in the mean must not turn a constant target into a tiny, meaningless variance. -#}
{% macro zero_when_constant(sum_expression, quantity, counted=none) -%}
  {%- set counted_quantity = ("case when " ~ counted ~ " then " ~ quantity ~ " end") if counted else quantity -%}
  {{ return("case when max(" ~ counted_quantity ~ ") = min(" ~ counted_quantity ~ ") then 0 else " ~ sum_expression ~ " end") }}
{%- endmacro %}
