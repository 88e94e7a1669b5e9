{#- A probability clipped to [ε, 1 − ε] with ε = 2.220446049250313e-16, the float64 machine
    epsilon, as sklearn.metrics.log_loss clips. -#}
{% macro clip_probability(probability) -%}
  least(greatest({{ dbt_loss.as_double(probability) }}, {{ dbt_loss.number_literal(2.220446049250313e-16) }}), {{ dbt_loss.number_literal(1 - 2.220446049250313e-16) }})
{%- endmacro %}
