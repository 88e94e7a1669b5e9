{#- Binary cross-entropy on a logit x: pw·y·softplus(−x) + (1 − y)·softplus(x), with a
    softplus that is finite for any x (no exp of an unbounded argument).
    Reference: torch.nn.BCEWithLogitsLoss(pos_weight). -#}
{% macro binary_cross_entropy_with_logits(label, logit, pos_weight=none, weight=none) -%}
  {{ return(adapter.dispatch('binary_cross_entropy_with_logits', 'dbt_loss')(label, logit, pos_weight, weight)) }}
{%- endmacro %}

{% macro default__binary_cross_entropy_with_logits(label, logit, pos_weight=none, weight=none) -%}
  {{ return(dbt_loss.aggregate(dbt_loss.binary_cross_entropy_with_logits_definition(label, logit, pos_weight), weight, 'binary_cross_entropy_with_logits')) }}
{%- endmacro %}

{% macro binary_cross_entropy_with_logits_definition(label, logit, pos_weight=none) -%}
  {%- set y = dbt_loss.as_double(label) -%}
  {%- set x = dbt_loss.as_double(logit) -%}
  {%- set positive = y ~ " * " ~ dbt_loss.softplus("-" ~ x) -%}
  {%- if pos_weight is not none -%}
    {%- set pw = dbt_loss.check_number(pos_weight, 'pos_weight', 'binary_cross_entropy_with_logits', minimum=0) -%}
    {%- set positive = dbt_loss.number_literal(pw) ~ " * " ~ positive -%}
  {%- endif -%}
  {{ return({'inputs': [label, logit], 'numerator':
      "(" ~ positive ~ " + (1 - " ~ y ~ ") * " ~ dbt_loss.softplus(x) ~ ")"}) }}
{%- endmacro %}
