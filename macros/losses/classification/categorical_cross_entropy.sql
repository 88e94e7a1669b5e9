{#- Multiclass log loss −ln p_y, p clipped to [ε, 1 − ε] as in log_loss. `probabilities` maps
    each class value to its probability column ({'basic': 'p_basic', 'pro': 'p_pro'}); the
    probabilities are used as given, not renormalised (scikit-learn ≥ 1.5 warns instead).
    A label not in the mapping gives NaN. Reference: sklearn.metrics.log_loss. -#}
{% macro categorical_cross_entropy(label, probabilities, weight=none) -%}
  {{ return(adapter.dispatch('categorical_cross_entropy', 'dbt_loss')(label, probabilities, weight)) }}
{%- endmacro %}

{% macro default__categorical_cross_entropy(label, probabilities, weight=none) -%}
  {{ return(dbt_loss.aggregate(dbt_loss.categorical_cross_entropy_definition(label, probabilities), weight, 'categorical_cross_entropy')) }}
{%- endmacro %}

{% macro categorical_cross_entropy_definition(label, probabilities) -%}
  {%- do dbt_loss.check_mapping(probabilities, 'probabilities', 'categorical_cross_entropy') -%}
  {%- set branches = [] -%}
  {%- for class_value, column in probabilities.items() -%}
    {%- do branches.append("when " ~ dbt_loss.value_literal(class_value) ~ " then -ln(" ~ dbt_loss.clip_probability(column) ~ ")") -%}
  {%- endfor -%}
  {{ return({'inputs': [label] + (probabilities.values() | list), 'numerator':
      "case " ~ label ~ " " ~ (branches | join(' ')) ~ " else " ~ dbt_loss.nan() ~ " end"}) }}
{%- endmacro %}
