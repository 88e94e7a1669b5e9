{#- {group_key or none: {class or none: η}} from training_weights rows, η = (w0 + w1·x1 + …)
    over the raw columns: a numeric feature is cast to double, a one-hot feature is
    `case when column = 'category' then 1 else 0 end` (an unseen category adds 0). Terms are
    summed in the order the rows come, as python/dbt_loss/scoring.py sums them. -#}
{% macro linear_predictors(weights) -%}
  {%- set terms = {} -%}
  {%- for row in weights -%}
    {%- if row['weight'] is none -%}
      {{ exceptions.raise_compiler_error("dbt_loss.prediction: the run's weight of feature '" ~ row['feature'] ~ "' is NULL") }}
    {%- endif -%}
    {%- set weight = dbt_loss.number_literal(row['weight'] | float) -%}
    {%- if row['source_column'] is none -%}
      {%- set term = weight -%}
    {%- elif row['category'] is none -%}
      {%- set term = weight ~ ' * ' ~ dbt_loss.as_double(adapter.quote(row['source_column'])) -%}
    {%- else -%}
      {%- set term = weight ~ ' * (case when ' ~ adapter.quote(row['source_column']) ~ ' = ' ~ dbt_loss.string_literal(row['category']) ~ ' then 1 else 0 end)' -%}
    {%- endif -%}
    {%- set group = row['group_key'] -%}
    {%- if group not in terms -%}
      {%- do terms.update({group: {}}) -%}
    {%- endif -%}
    {%- if row['class_label'] not in terms[group] -%}
      {%- do terms[group].update({row['class_label']: []}) -%}
    {%- endif -%}
    {%- do terms[group][row['class_label']].append(term) -%}
  {%- endfor -%}
  {%- set predictors = {} -%}
  {%- for group, by_class in terms.items() -%}
    {%- do predictors.update({group: {}}) -%}
    {%- for label, parts in by_class.items() -%}
      {%- do predictors[group].update({label: '(' ~ (parts | join(' + ')) ~ ')'}) -%}
    {%- endfor -%}
  {%- endfor -%}
  {{ return(predictors) }}
{%- endmacro %}
