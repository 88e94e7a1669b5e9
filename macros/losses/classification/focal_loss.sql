{#- Sigmoid focal loss α_t·(1 − p_t)^γ·BCE-with-logits, mean over rows. 1 − p_t is computed
    as y·σ(−x) + (1 − y)·σ(x), so it keeps its precision where p_t is near 1.
    α < 0 turns the α_t factor off, as in torchvision.
    Reference: torchvision.ops.sigmoid_focal_loss(reduction='mean'). -#}
{% macro focal_loss(label, logit, alpha=0.25, gamma=2.0, weight=none) -%}
  {{ return(adapter.dispatch('focal_loss', 'dbt_loss')(label, logit, alpha, gamma, weight)) }}
{%- endmacro %}

{% macro default__focal_loss(label, logit, alpha=0.25, gamma=2.0, weight=none) -%}
  {{ return(dbt_loss.aggregate(dbt_loss.focal_loss_definition(label, logit, alpha, gamma), weight, 'focal_loss')) }}
{%- endmacro %}

{% macro focal_loss_definition(label, logit, alpha=0.25, gamma=2.0) -%}
  {%- set a = dbt_loss.check_number(alpha, 'alpha', 'focal_loss', maximum=1) -%}
  {%- set g = dbt_loss.check_number(gamma, 'gamma', 'focal_loss', minimum=0) -%}
  {%- set y = dbt_loss.as_double(label) -%}
  {%- set x = dbt_loss.as_double(logit) -%}
  {%- set bce = dbt_loss.binary_cross_entropy_with_logits_definition(label, logit).numerator -%}
  {%- set one_minus_pt = "(" ~ y ~ " * " ~ dbt_loss.sigmoid("-" ~ x) ~ " + (1 - " ~ y ~ ") * " ~ dbt_loss.sigmoid(x) ~ ")" -%}
  {%- set loss = bce if g == 0 else dbt_loss.power(one_minus_pt, dbt_loss.number_literal(g)) ~ " * " ~ bce -%}
  {%- if a >= 0 -%}
    {%- set loss = "(" ~ dbt_loss.number_literal(a) ~ " * " ~ y ~ " + " ~ dbt_loss.number_literal(1 - a) ~ " * (1 - " ~ y ~ ")) * " ~ loss -%}
  {%- endif -%}
  {{ return({'inputs': [label, logit], 'numerator': loss}) }}
{%- endmacro %}
