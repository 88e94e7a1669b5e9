{#- The parts of a strict metric (see metric_catalog) over loss_table's row columns: on the rows
    the metrics skip, `__dbt_loss_actual` and `__dbt_loss_weight` are NULL (or the rows are
    filtered out), and `__dbt_loss_counted` is 1 on the rows that count (non-zero weight). A
    strict numerator is NULL wherever actual is, so the sums need no guard of their own. The
    same parts as mean_parts: Σ s·numerator, Σ s·denominator (Σ s, or the row count when
    unweighted, without a denominator) and the number of rows of non-zero weight. -#}
{% macro guarded_parts(definition, weighted) -%}
  {%- set s = "__dbt_loss_weight" -%}
  {%- set conditions = definition.get('conditions') or [] -%}
  {%- set only = ("case when " ~ (conditions | join(' and ')) ~ " then ") if conditions else "" -%}
  {%- set close = " end" if conditions else "" -%}
  {%- set numerator = ((s ~ " * ") if weighted else "") ~ "(" ~ dbt_loss.as_double(definition.numerator) ~ ")" -%}
  {%- set denominator = definition.get('denominator') -%}
  {%- if denominator is not none -%}
    {%- set weight_sum = "sum(" ~ only ~ ((s ~ " * ") if weighted else "") ~ "(" ~ denominator ~ ")" ~ close ~ ")" -%}
  {%- elif weighted -%}
    {%- set weight_sum = "sum(" ~ only ~ s ~ close ~ ")" -%}
  {%- else -%}
    {%- set weight_sum = "count(" ~ only ~ "__dbt_loss_counted" ~ close ~ ")" -%}
  {%- endif -%}
  {{ return({
      'row_count': "count(" ~ only ~ "__dbt_loss_counted" ~ close ~ ")",
      'loss_sum': "sum(" ~ only ~ numerator ~ close ~ ")",
      'weight_sum': weight_sum,
  }) }}
{%- endmacro %}
