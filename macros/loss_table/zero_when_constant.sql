{#- A sum of squared deviations forced to exactly 0 where the deviating quantity is constant
    over the counted rows: rounding in the mean must not turn a constant target into a
    tiny, meaningless variance. -#}
{% macro zero_when_constant(sum_expression, quantity, counted) -%}
  {{ return("case when max(case when " ~ counted ~ " then " ~ quantity ~ " end) = min(case when " ~ counted ~ " then " ~ quantity ~ " end) then 0 else " ~ sum_expression ~ " end") }}
{%- endmacro %}
