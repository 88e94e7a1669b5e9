{#- Weighted absolute percentage error Σ w|y − ŷ| / Σ w|y|: a ratio of sums, not a mean of
    ratios, so its parts add across groups. NULL where Σ|y| = 0.
    Reference: utilsforecast.losses (wape = Σ|y − ŷ| / Σ|y|). -#}
{% macro wape(actual, predicted, weight=none) -%}
  {{ return(adapter.dispatch('wape', 'dbt_loss')(actual, predicted, weight)) }}
{%- endmacro %}

{% macro default__wape(actual, predicted, weight=none) -%}
  {{ return(dbt_loss.aggregate(dbt_loss.wape_definition(actual, predicted), weight, 'wape')) }}
{%- endmacro %}

{% macro wape_definition(actual, predicted) -%}
  {{ return({'inputs': [actual, predicted],
             'numerator': "abs(" ~ dbt_loss.residual(actual, predicted) ~ ")",
             'denominator': "abs(" ~ dbt_loss.as_double(actual) ~ ")"}) }}
{%- endmacro %}
