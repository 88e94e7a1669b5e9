{#- Validates a compile-time numeric argument and returns it as a float, so a bad delta
    or alpha fails when the model compiles, with a message naming the macro and argument. -#}
{% macro check_number(value, argument, macro_name, minimum=none, maximum=none, strict_minimum=false, strict_maximum=false) -%}
  {%- set where = "dbt_loss." ~ macro_name ~ ": argument '" ~ argument ~ "'" -%}
  {%- if value is sameas true or value is sameas false or value is not number -%}
    {{ exceptions.raise_compiler_error(where ~ " must be a number, got " ~ (value | tojson)) }}
  {%- endif -%}
  {%- set number = value | float -%}
  {%- if number != number -%}
    {{ exceptions.raise_compiler_error(where ~ " must be a number, got NaN") }}
  {%- endif -%}
  {%- if number != 0 and number * 2 == number -%}
    {{ exceptions.raise_compiler_error(where ~ " must be finite, got " ~ value) }}
  {%- endif -%}
  {%- if minimum is not none and (number < minimum or (strict_minimum and number == minimum)) -%}
    {{ exceptions.raise_compiler_error(where ~ " must be " ~ (">" if strict_minimum else ">=") ~ " " ~ minimum ~ ", got " ~ value) }}
  {%- endif -%}
  {%- if maximum is not none and (number > maximum or (strict_maximum and number == maximum)) -%}
    {{ exceptions.raise_compiler_error(where ~ " must be " ~ ("<" if strict_maximum else "<=") ~ " " ~ maximum ~ ", got " ~ value) }}
  {%- endif -%}
  {{ return(number) }}
{%- endmacro %}
