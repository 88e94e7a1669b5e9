{#- Huber loss: ½r² where |r| ≤ δ, else δ(|r| − ½δ). Reference: torch.nn.HuberLoss(delta)
    (scikit-learn's HuberRegressor scales differently). -#}
{% macro huber(actual, predicted, delta=1.0, weight=none) -%}
  {{ return(adapter.dispatch('huber', 'dbt_loss')(actual, predicted, delta, weight)) }}
{%- endmacro %}

{% macro default__huber(actual, predicted, delta=1.0, weight=none) -%}
  {{ return(dbt_loss.aggregate(dbt_loss.huber_definition(actual, predicted, delta), weight, 'huber')) }}
{%- endmacro %}

{% macro huber_definition(actual, predicted, delta=1.0) -%}
  {%- set d = dbt_loss.number_literal(dbt_loss.check_number(delta, 'delta', 'huber', minimum=0, strict_minimum=true)) -%}
  {%- set r = dbt_loss.residual(actual, predicted) -%}
  {{ return({'inputs': [actual, predicted], 'numerator':
      "case when abs(" ~ r ~ ") <= " ~ d ~ " then 0.5 * " ~ r ~ " * " ~ r
      ~ " else " ~ d ~ " * (abs(" ~ r ~ ") - 0.5 * " ~ d ~ ") end"}) }}
{%- endmacro %}
