{#- ln(1 + x), accurate for tiny x. Few engines have log1p, so the default uses
    Goldberg's identity: log1p(x) = ln(u)·x / (u − 1) with u = 1 + x, and x where u = 1. -#}
{% macro log1p(x) -%}
  {{ return(adapter.dispatch('log1p', 'dbt_loss')(x)) }}
{%- endmacro %}

{% macro default__log1p(x) -%}
  (case when 1 + ({{ x }}) = 1 then ({{ x }})
        else ln(1 + ({{ x }})) * ({{ x }}) / ((1 + ({{ x }})) - 1) end)
{%- endmacro %}

{% macro spark__log1p(x) -%}
  log1p({{ x }})
{%- endmacro %}

{% macro databricks__log1p(x) -%}
  log1p({{ x }})
{%- endmacro %}
