{#- Log loss −[y ln p + (1 − y) ln(1 − p)] with p clipped to [ε, 1 − ε], ε the float64
    machine epsilon 2.220446049250313e-16, so a row costs at most ≈ 36.04.
    Reference: sklearn.metrics.log_loss (scikit-learn ≥ 1.5). -#}
{% macro binary_cross_entropy(label, probability, weight=none) -%}
  {{ return(adapter.dispatch('binary_cross_entropy', 'dbt_loss')(label, probability, weight)) }}
{%- endmacro %}

{% macro default__binary_cross_entropy(label, probability, weight=none) -%}
  {{ return(dbt_loss.aggregate(dbt_loss.binary_cross_entropy_definition(label, probability), weight, 'binary_cross_entropy')) }}
{%- endmacro %}

{% macro binary_cross_entropy_definition(label, probability) -%}
  {%- set y = dbt_loss.as_double(label) -%}
  {%- set p = dbt_loss.clip_probability(probability) -%}
  {{ return({'inputs': [label, probability], 'numerator':
      "-(" ~ y ~ " * ln(" ~ p ~ ") + (1 - " ~ y ~ ") * ln(1 - " ~ p ~ "))"}) }}
{%- endmacro %}
