{#- Brier score (y − p)² for a binary label and the probability of the positive class.
    Reference: sklearn.metrics.brier_score_loss. -#}
{% macro brier_score(label, probability, weight=none) -%}
  {{ return(adapter.dispatch('brier_score', 'dbt_loss')(label, probability, weight)) }}
{%- endmacro %}

{% macro default__brier_score(label, probability, weight=none) -%}
  {{ return(dbt_loss.aggregate(dbt_loss.brier_score_definition(label, probability), weight, 'brier_score')) }}
{%- endmacro %}

{% macro brier_score_definition(label, probability) -%}
  {{ return(dbt_loss.mse_definition(label, probability)) }}
{%- endmacro %}
