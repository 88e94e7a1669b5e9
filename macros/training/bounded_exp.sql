{#- e^x with x clamped to [−700, 700]: finite in double precision, and PostgreSQL, which
    raises on exp overflow and underflow, never sees a larger argument. A CASE rather than
    greatest/least, which skip NULLs on DuckDB and PostgreSQL (greatest(least(NULL, 700), −700)
    is 700): a NULL x must give NULL, as scoring.py's bounded_exp does. -#}
{% macro bounded_exp(x) -%}
  exp(case when {{ x }} > 700 then 700 when {{ x }} < -700 then -700 else {{ x }} end)
{%- endmacro %}
