{#- The label a loss history records for `metric` (its `metric` column): the label loss_table
    gives a catalog name or mapping ('mse', 'huber(delta=10)', or the mapping's alias); any
    other string is taken as an alias already recorded. -#}
{% macro history_metric_label(metric, macro_name) -%}
  {%- if metric is mapping or (metric is string and metric in dbt_loss.metric_catalog()) -%}
    {{ return(dbt_loss.single_metric_spec(metric, macro_name).label) }}
  {%- endif -%}
  {%- if metric is not string or metric | trim == '' -%}
    {{ exceptions.raise_compiler_error("dbt_loss." ~ macro_name ~ ": argument 'metric' must be a metric name, a mapping like {name: huber, delta: 10}, or a recorded label, got " ~ (metric | tojson)) }}
  {%- endif -%}
  {{ return(metric) }}
{%- endmacro %}
