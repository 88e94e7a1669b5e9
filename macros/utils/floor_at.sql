{#- max(value, floor) for a non-NULL floor. greatest() everywhere but DuckDB, where greatest is a
    variadic function and a CASE takes a third less time per row (a 10M-row mape: 31 ms → 20 ms).
    Both give what DuckDB's greatest gives: the floor for NULL, NaN for NaN. -#}
{% macro floor_at(value, floor) -%}
  {{ return(adapter.dispatch('floor_at', 'dbt_loss')(value, floor)) }}
{%- endmacro %}

{% macro default__floor_at(value, floor) -%}
  greatest({{ value }}, {{ floor }})
{%- endmacro %}

{% macro duckdb__floor_at(value, floor) -%}
  (case when {{ value }} >= {{ floor }} then {{ value }} else {{ floor }} end)
{%- endmacro %}
