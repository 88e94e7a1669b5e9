{#- The logistic function, evaluated on the side where exp cannot overflow. -#}
{% macro sigmoid(z) -%}
  (case when {{ z }} >= 0 then 1 / (1 + {{ dbt_loss.exp_neg_abs(z) }})
        else {{ dbt_loss.exp_neg_abs(z) }} / (1 + {{ dbt_loss.exp_neg_abs(z) }}) end)
{%- endmacro %}
