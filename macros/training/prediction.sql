{#- A trained model's prediction as a SQL expression over the raw feature columns, from the
    weights a dbt_loss.train run wrote to <schema>.training_runs and <schema>.training_weights.
    The weights are read when the model runs (run_query), so the expression follows the run
    tables without a re-parse. The same expression as python/dbt_loss/scoring.py:
    linear η, logistic 1 / (1 + e^−η), Poisson e^η, softmax the most likely class label or,
    with `class_value`, that class's probability. `run` is a run_id, or a run_name (its latest
    succeeded run). `schema` defaults to var('dbt_loss_schema', 'dbt_loss'), the schema the
    staging models read too. -#}
{% macro prediction(run, schema=none, class_value=none) -%}
  {{ return(adapter.dispatch('prediction', 'dbt_loss')(run, schema, class_value)) }}
{%- endmacro %}

{% macro default__prediction(run, schema=none, class_value=none) -%}
  {%- set schema = var('dbt_loss_schema', 'dbt_loss') if schema is none else schema -%}
  {%- if run is not string or run | trim == '' -%}
    {{ exceptions.raise_compiler_error("dbt_loss.prediction: argument 'run' must be a run_id or run_name, got " ~ (run | tojson)) }}
  {%- endif -%}
  {%- if schema is not string or schema | trim == '' -%}
    {{ exceptions.raise_compiler_error("dbt_loss.prediction: argument 'schema' must name the schema of the run tables, got " ~ (schema | tojson)) }}
  {%- endif -%}
  {#- the weights exist only in the warehouse: parse with a placeholder of no type -#}
  {%- if not execute -%}
    {{ return('null') }}
  {%- endif -%}
  {%- set loaded = dbt_loss.training_run(run, schema) -%}
  {%- set record = loaded.record -%}
  {%- set predictors = dbt_loss.linear_predictors(loaded.weights) -%}
  {%- set model = record['model'] -%}
  {%- set by_group = {} -%}
  {%- if model == 'softmax' -%}
    {%- set classes = [] -%}
    {%- for label in fromjson(record['classes']) -%}
      {%- do classes.append(label | string) -%}
    {%- endfor -%}
    {%- if class_value is not none and (class_value | string) not in classes -%}
      {{ exceptions.raise_compiler_error("dbt_loss.prediction: argument 'class_value': " ~ (class_value | tojson) ~ " is not a class of run '" ~ record['run_id'] ~ "'; its classes: " ~ (classes | join(', '))) }}
    {%- endif -%}
    {%- for group, etas in predictors.items() -%}
      {%- set top = 'greatest(' ~ (etas.values() | join(', ')) ~ ')' -%}
      {%- if class_value is none -%}
        {%- set ifs = [] -%}
        {%- for label in classes -%}
          {%- do ifs.append('when ' ~ etas[label] ~ ' = ' ~ top ~ ' then ' ~ dbt_loss.string_literal(label)) -%}
        {%- endfor -%}
        {%- do by_group.update({group: 'case ' ~ (ifs | join(' ')) ~ ' end'}) -%}
      {%- else -%}
        {%- set shifted = [] -%}
        {%- for eta in etas.values() -%}
          {%- do shifted.append(dbt_loss.bounded_exp(eta ~ ' - ' ~ top)) -%}
        {%- endfor -%}
        {%- set numerator = dbt_loss.bounded_exp(etas[class_value | string] ~ ' - ' ~ top) -%}
        {%- do by_group.update({group: numerator ~ ' / (' ~ (shifted | join(' + ')) ~ ')'}) -%}
      {%- endif -%}
    {%- endfor -%}
  {%- else -%}
    {%- if class_value is not none -%}
      {{ exceptions.raise_compiler_error("dbt_loss.prediction: argument 'class_value' is for softmax runs; run '" ~ record['run_id'] ~ "' is a " ~ model ~ " model") }}
    {%- endif -%}
    {%- for group, etas in predictors.items() -%}
      {%- set eta = etas[none] -%}
      {%- if model == 'linear' -%}
        {%- set expression = eta -%}
      {%- elif model == 'logistic' -%}
        {%- set expression = '1 / (1 + ' ~ dbt_loss.bounded_exp('-' ~ eta) ~ ')' -%}
      {%- elif model == 'poisson' -%}
        {%- set expression = dbt_loss.bounded_exp(eta) -%}
      {%- else -%}
        {{ exceptions.raise_compiler_error("dbt_loss.prediction: run '" ~ record['run_id'] ~ "' has model " ~ (model | tojson) ~ "; known models: linear, logistic, poisson, softmax") }}
      {%- endif -%}
      {%- do by_group.update({group: expression}) -%}
    {%- endfor -%}
  {%- endif -%}
  {{ return(dbt_loss.per_group_prediction(fromjson(record['group_by'] or '[]'), by_group)) }}
{%- endmacro %}
