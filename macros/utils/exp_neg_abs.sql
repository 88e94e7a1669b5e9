{#- exp(−|x|) for any x. The argument is bounded at −700, where the result is far below
    anything that changes a sum with 1, because PostgreSQL raises on exp underflow. -#}
{% macro exp_neg_abs(x) -%}
  exp(-least(abs({{ x }}), 700))
{%- endmacro %}
