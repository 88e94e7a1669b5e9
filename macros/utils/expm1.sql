{#- e^u − 1, accurate for tiny u (Kahan's identity (e^u − 1)·u / ln e^u). The argument is
    bounded below at −700, where the result is −1 to double precision, because PostgreSQL
    raises on exp underflow. -#}
{% macro expm1(u) -%}
  {{ return(adapter.dispatch('expm1', 'dbt_loss')(u)) }}
{%- endmacro %}

{% macro default__expm1(u) -%}
  {%- set e = "exp(greatest(" ~ u ~ ", -700))" -%}
  (case when {{ e }} = 1 then ({{ u }})
        when {{ e }} - 1 = -1 then -1
        else ({{ e }} - 1) * ({{ u }}) / ln({{ e }}) end)
{%- endmacro %}

{% macro spark__expm1(u) -%}
  expm1({{ u }})
{%- endmacro %}

{% macro databricks__expm1(u) -%}
  expm1({{ u }})
{%- endmacro %}
