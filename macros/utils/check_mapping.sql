{#- Validates a class → column (or class → number) mapping: non-empty, and a dict. -#}
{% macro check_mapping(mapping, argument, macro_name) -%}
  {%- if mapping is not mapping or mapping | length == 0 -%}
    {{ exceptions.raise_compiler_error("dbt_loss." ~ macro_name ~ ": argument '" ~ argument ~ "' must be a non-empty mapping of class value to column, got " ~ (mapping | tojson)) }}
  {%- endif -%}
  {{ return(mapping) }}
{%- endmacro %}
