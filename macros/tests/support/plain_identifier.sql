{#- The column name when `expression` is a plain identifier (optionally quoted), else none:
    `actual` may be any SQL expression, and only a plain name can be looked up among the
    relation's columns. -#}
{% macro plain_identifier(expression) -%}
  {%- if expression is not string -%}
    {{ return(none) }}
  {%- endif -%}
  {%- set match = modules.re.match('^ *([`"]?)([A-Za-z_][A-Za-z0-9_]*)([`"]?) *$', expression) -%}
  {%- if match is none or match.group(1) != match.group(3)
        or match.group(2) | lower in ['null', 'true', 'false', 'current_date', 'current_timestamp'] -%}
    {{ return(none) }}
  {%- endif -%}
  {{ return(match.group(2)) }}
{%- endmacro %}
