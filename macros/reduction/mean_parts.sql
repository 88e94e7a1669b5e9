{#- The additive parts of a weighted mean Σ s·numerator / Σ s·denominator as aggregates,
    where s is the sample weight (scikit-learn's convention) and the denominator is 1 unless
    the loss weights rows itself (class weights, as torch.nn.CrossEntropyLoss does; |y| for
    WAPE). BI tools re-aggregate across groups by summing loss_sum and weight_sum.
    Rows of zero sample weight count as removed, in the row count too. -#}
{% macro mean_parts(definition, weight=none) -%}
  {%- set guard = ([dbt_loss.row_guard(definition.inputs + [weight])] + (definition.get('conditions') or [])) | join(' and ') -%}
  {#- in double precision whatever the loss's SQL type: PostgreSQL divides integers -#}
  {%- set numerator = dbt_loss.as_double(definition.numerator) -%}
  {%- set denominator = definition.get('denominator') -%}
  {%- if weight is none and denominator is none -%}
    {%- do return({
        'row_count': "count(case when " ~ guard ~ " then 1 end)",
        'loss_sum': "sum(case when " ~ guard ~ " then " ~ numerator ~ " end)",
        'weight_sum': "count(case when " ~ guard ~ " then 1 end)",
    }) -%}
  {%- endif -%}
  {%- set s = dbt_loss.as_double(weight) if weight is not none else none -%}
  {%- set row_count_guard = guard ~ (" and " ~ s ~ " <> 0" if s else "") -%}
  {%- do return({
      'row_count': "count(case when " ~ row_count_guard ~ " then 1 end)",
      'loss_sum': "sum(case when " ~ guard ~ " then " ~ ((s ~ " * ") if s else "") ~ "(" ~ numerator ~ ") end)",
      'weight_sum': "sum(case when " ~ guard ~ " then " ~ ((s ~ " * ") if s else "") ~ "(" ~ (denominator or "1") ~ ") end)",
  }) -%}
{%- endmacro %}
