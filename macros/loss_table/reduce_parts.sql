{#- The value of a metric from its aggregated parts, named <prefix>_loss_sum, _weight_sum
    (and _scale_sum, _scale_count for the scaled metrics). -#}
{% macro reduce_parts(spec, definition, prefix) -%}
  {%- set loss_sum = prefix ~ "_loss_sum" -%}
  {%- set weight_sum = prefix ~ "_weight_sum" -%}
  {%- set mean = "(" ~ loss_sum ~ " / nullif(" ~ weight_sum ~ ", 0))" -%}
  {%- if spec.reduction == 'mean' -%}
    {{ return(mean) }}
  {%- elif spec.reduction == 'root_mean' -%}
    {{ return("sqrt" ~ mean) }}
  {%- elif spec.reduction == 'centered' -%}
    {#- scikit-learn's force_finite: a zero denominator gives 1 for a zero numerator, else 0 -#}
    {%- set too_few = ("when " ~ prefix ~ "_row_count < " ~ definition.minimum_rows ~ " then " ~ dbt_loss.nan() ~ " ") if definition.get('minimum_rows') else "" -%}
    {{ return("case when " ~ prefix ~ "_row_count = 0 then null " ~ too_few
              ~ "when " ~ weight_sum ~ " = 0 then case when " ~ loss_sum ~ " = 0 then 1 else 0 end"
              ~ " else 1 - " ~ loss_sum ~ " / " ~ weight_sum ~ " end") }}
  {%- elif definition.error == 'abs' -%}
    {#- MASE: the scale is floored at the float64 epsilon, as sktime does -#}
    {{ return("case when " ~ prefix ~ "_scale_count > 0 then " ~ mean ~ " / greatest(" ~ prefix ~ "_scale_sum / "
              ~ prefix ~ "_scale_count, " ~ dbt_loss.number_literal(2.220446049250313e-16) ~ ") end") }}
  {%- else -%}
    {{ return("case when " ~ prefix ~ "_scale_count > 0 then sqrt(" ~ mean ~ " / nullif(" ~ prefix ~ "_scale_sum / "
              ~ prefix ~ "_scale_count, 0)) end") }}
  {%- endif -%}
{%- endmacro %}
