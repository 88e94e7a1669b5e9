{#- softplus(z) = ln(1 + e^z), computed as max(z, 0) + log1p(e^−|z|): finite for any z. -#}
{% macro softplus(z) -%}
  (greatest({{ z }}, 0) + {{ dbt_loss.log1p(dbt_loss.exp_neg_abs(z)) }})
{%- endmacro %}
