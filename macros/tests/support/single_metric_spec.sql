{#- The `metric` argument of a test (a name, or a mapping with parameters) validated as one
    metric of loss_table's catalog; returns its spec (name, label, params). -#}
{% macro single_metric_spec(metric, macro_name) -%}
  {%- set where = "dbt_loss." ~ macro_name ~ ": argument 'metric'" -%}
  {%- if not (metric is string or metric is mapping) -%}
    {{ exceptions.raise_compiler_error(where ~ " must be one metric: a name or a mapping like {name: huber, delta: 10}, got " ~ (metric | tojson)) }}
  {%- endif -%}
  {%- set catalog = dbt_loss.metric_catalog() -%}
  {%- set name = metric if metric is string else metric.get('name') -%}
  {%- if name not in catalog -%}
    {{ exceptions.raise_compiler_error(where ~ ": unknown metric '" ~ name ~ "'; known metrics: " ~ (catalog.keys() | sort | join(', '))) }}
  {%- endif -%}
  {{ return(dbt_loss.metric_specs([metric], macro_name)[0]) }}
{%- endmacro %}
