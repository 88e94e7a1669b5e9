{#- Hinge loss max(0, 1 − t·f) with t = +1 for a positive label and −1 otherwise, so labels
    given as 0/1 map 0 → −1 and labels given as −1/+1 are kept.
    Reference: sklearn.metrics.hinge_loss (binary). -#}
{% macro hinge_loss(label, decision, weight=none) -%}
  {{ return(adapter.dispatch('hinge_loss', 'dbt_loss')(label, decision, weight)) }}
{%- endmacro %}

{% macro default__hinge_loss(label, decision, weight=none) -%}
  {{ return(dbt_loss.aggregate(dbt_loss.hinge_loss_definition(label, decision), weight, 'hinge_loss')) }}
{%- endmacro %}

{% macro hinge_loss_definition(label, decision) -%}
  {%- set sign = "case when " ~ dbt_loss.as_double(label) ~ " > 0 then 1 else -1 end" -%}
  {{ return({'inputs': [label, decision], 'numerator':
      "greatest(0, 1 - " ~ sign ~ " * " ~ dbt_loss.as_double(decision) ~ ")"}) }}
{%- endmacro %}
