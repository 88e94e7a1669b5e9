{#- A list-of-columns argument (group_by, columns) as a list of names: none gives [], a single
    name gives [name]; anything else fails naming the argument. -#}
{% macro column_list(value, argument, macro_name) -%}
  {%- if value is none -%}
    {{ return([]) }}
  {%- endif -%}
  {%- if value is string -%}
    {{ return([value]) }}
  {%- endif -%}
  {%- if value is mapping or value is not iterable -%}
    {{ exceptions.raise_compiler_error("dbt_loss." ~ macro_name ~ ": argument '" ~ argument ~ "' must be a column name or a list of column names, got " ~ (value | tojson)) }}
  {%- endif -%}
  {%- for item in value if item is not string or item | trim == '' -%}
    {{ exceptions.raise_compiler_error("dbt_loss." ~ macro_name ~ ": argument '" ~ argument ~ "' must list column names, got " ~ (item | tojson)) }}
  {%- endfor -%}
  {{ return(value | list) }}
{%- endmacro %}
