{#- The value of a metric from its aggregated parts: `names` maps row_count, loss_sum and
    weight_sum (and scale_sum, scale_count for the scaled metrics) to the columns holding them. -#}
{% macro reduce_parts(spec, definition, names) -%}
  {%- set loss_sum = names.loss_sum -%}
  {%- set weight_sum = names.weight_sum -%}
  {%- set row_count = names.row_count -%}
  {%- set mean = "(" ~ loss_sum ~ " / nullif(" ~ weight_sum ~ ", 0))" -%}
  {%- if spec.reduction == 'mean' -%}
    {{ return(mean) }}
  {%- elif spec.reduction == 'root_mean' -%}
    {{ return("sqrt" ~ mean) }}
  {%- elif spec.reduction == 'centered' -%}
    {#- scikit-learn's force_finite: a zero denominator gives 1 for a zero numerator, else 0 -#}
    {%- set too_few = ("when " ~ row_count ~ " < " ~ definition.minimum_rows ~ " then " ~ dbt_loss.nan() ~ " ") if definition.get('minimum_rows') else "" -%}
    {{ return("case when " ~ row_count ~ " = 0 then null " ~ too_few
              ~ "when " ~ weight_sum ~ " = 0 then case when " ~ loss_sum ~ " = 0 then 1 else 0 end"
              ~ " else 1 - " ~ loss_sum ~ " / " ~ weight_sum ~ " end") }}
  {%- elif definition.error == 'abs' -%}
    {#- MASE: the scale is floored at the float64 epsilon, as sktime does -#}
    {{ return("case when " ~ names.scale_count ~ " > 0 then " ~ mean ~ " / greatest(" ~ names.scale_sum ~ " / "
              ~ names.scale_count ~ ", " ~ dbt_loss.number_literal(2.220446049250313e-16) ~ ") end") }}
  {%- else -%}
    {{ return("case when " ~ names.scale_count ~ " > 0 then sqrt(" ~ mean ~ " / nullif(" ~ names.scale_sum ~ " / "
              ~ names.scale_count ~ ", 0)) end") }}
  {%- endif -%}
{%- endmacro %}
