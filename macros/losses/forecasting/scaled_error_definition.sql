{#- The shared shape of MASE and RMSSE: an error on the test rows, and the same error of the
    seasonal-naive forecast on the training rows as the scale. -#}
{% macro scaled_error_definition(actual, predicted, is_train, naive, error) -%}
  {%- set r = dbt_loss.residual(actual, predicted) -%}
  {%- set naive_r = dbt_loss.residual(actual, naive) -%}
  {%- if error == 'abs' -%}
    {%- set test_error = "abs(" ~ r ~ ")" -%}
    {%- set naive_error = "abs(" ~ naive_r ~ ")" -%}
  {%- else -%}
    {%- set test_error = r ~ " * " ~ r -%}
    {%- set naive_error = naive_r ~ " * " ~ naive_r -%}
  {%- endif -%}
  {{ return({'inputs': [actual, predicted],
             'conditions': [is_train ~ " = 0"],
             'numerator': test_error,
             'scale_numerator': "case when " ~ is_train ~ " = 1 then " ~ naive_error ~ " end",
             'error': error}) }}
{%- endmacro %}
