{#- First pass of the scaled metrics: a 0/1 training flag and the seasonal-naive forecast
    y_{t−m} (the value m training rows earlier in the same series), as window columns named
    <prefix>_is_train and <prefix>_naive. -#}
{% macro seasonal_naive_windows(actual, predicted, params, groups, prefix, metric_name) -%}
  {%- set m = dbt_loss.check_number(params.season_length, 'season_length', metric_name, minimum=1) -%}
  {%- if m != (m | int) -%}
    {{ exceptions.raise_compiler_error("dbt_loss." ~ metric_name ~ ": argument 'season_length' must be a whole number, got " ~ params.season_length) }}
  {%- endif -%}
  {%- if params.time_column is not string or params.time_column | trim == '' -%}
    {{ exceptions.raise_compiler_error("dbt_loss." ~ metric_name ~ ": argument 'time_column' must name the column that orders each series") }}
  {%- endif -%}
  {%- set train = params.train_condition or ("(" ~ predicted ~ ") is null") -%}
  {%- set flag = "case when " ~ train ~ " then 1 else 0 end" -%}
  {{ return([
      flag ~ " as " ~ prefix ~ "_is_train",
      "lag(" ~ dbt_loss.as_double(actual) ~ ", " ~ (m | int) ~ ") over (partition by " ~ ((groups + [flag]) | join(', ')) ~ " order by " ~ params.time_column ~ ") as " ~ prefix ~ "_naive",
  ]) }}
{%- endmacro %}
