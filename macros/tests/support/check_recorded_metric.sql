{#- Fails naming the metric when the history has rows but none for `label`: a misspelt metric
    would otherwise pass forever on no data. -#}
{% macro check_recorded_metric(history, label, macro_name) -%}
  {%- if not execute or history is string -%}
    {{ return(none) }}
  {%- endif -%}
  {%- set recorded = run_query("select distinct metric from " ~ history) -%}
  {%- set labels = recorded.columns[0].values() | list -%}
  {%- if labels | length > 0 and label not in labels -%}
    {{ exceptions.raise_compiler_error("dbt_loss." ~ macro_name ~ ": argument 'metric': no rows for metric '" ~ label ~ "' in " ~ history ~ "; it records: " ~ (labels | sort | join(', '))) }}
  {%- endif -%}
{%- endmacro %}
