{#- Fails naming the argument when the history has rows but none whose `column` is `value`: a
    misspelt metric or model_name would otherwise pass forever on no data. -#}
{% macro check_recorded(history, column, value, argument, macro_name) -%}
  {%- if not execute or history is string -%}
    {{ return(none) }}
  {%- endif -%}
  {%- set recorded = run_query("select distinct " ~ column ~ " from " ~ history) -%}
  {%- set values = recorded.columns[0].values() | reject('none') | list -%}
  {%- if values | length > 0 and value not in values -%}
    {{ exceptions.raise_compiler_error("dbt_loss." ~ macro_name ~ ": argument '" ~ argument ~ "': no rows for " ~ argument ~ " '" ~ value ~ "' in " ~ history ~ "; it records: " ~ (values | sort | join(', '))) }}
  {%- endif -%}
{%- endmacro %}
