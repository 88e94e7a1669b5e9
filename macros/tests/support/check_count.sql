{#- A whole-number argument (min_rows, lookback, season_length) at or above `minimum`,
    returned as an int. -#}
{% macro check_count(value, argument, macro_name, minimum=0) -%}
  {%- set number = dbt_loss.check_number(value, argument, macro_name, minimum=minimum) -%}
  {%- if number != (number | int) -%}
    {{ exceptions.raise_compiler_error("dbt_loss." ~ macro_name ~ ": argument '" ~ argument ~ "' must be a whole number, got " ~ value) }}
  {%- endif -%}
  {{ return(number | int) }}
{%- endmacro %}
