{#- Share of actuals inside the prediction interval, lower ≤ y ≤ upper (both ends inclusive).
    Reference: utilsforecast.losses.coverage. -#}
{% macro coverage(actual, lower, upper, weight=none) -%}
  {{ return(adapter.dispatch('coverage', 'dbt_loss')(actual, lower, upper, weight)) }}
{%- endmacro %}

{% macro default__coverage(actual, lower, upper, weight=none) -%}
  {{ return(dbt_loss.aggregate(dbt_loss.coverage_definition(actual, none, lower, upper), weight, 'coverage')) }}
{%- endmacro %}

{#- `predicted` is unused: loss_table passes it to every metric. -#}
{% macro coverage_definition(actual, predicted, lower, upper) -%}
  {%- set y = dbt_loss.as_double(actual) -%}
  {{ return({'inputs': [actual, lower, upper], 'numerator':
      "case when " ~ y ~ " >= " ~ dbt_loss.as_double(lower) ~ " and " ~ y ~ " <= " ~ dbt_loss.as_double(upper) ~ " then 1 else 0 end"}) }}
{%- endmacro %}
