{#- Disabled unless tests/test_prediction_macro.py passes the runs to score as
    --vars '{scoring_runs: {kind: run_id or run_name}}'. -#}
{{ config(enabled=var('scoring_runs', none) is not none) }}
{%- set runs = var('scoring_runs', none) or {} -%}

select
    row_id,
    {{ dbt_loss.prediction(runs.get('linear', 'unset')) }} as linear_prediction,
    {{ dbt_loss.prediction(runs.get('logistic', 'unset'), schema='scoring_runs') }} as logistic_prediction,
    {{ dbt_loss.prediction(runs.get('poisson_grouped', 'unset')) }} as poisson_grouped_prediction,
    {{ dbt_loss.prediction(runs.get('linear_grouped', 'unset')) }} as linear_grouped_prediction,
    {{ dbt_loss.prediction(runs.get('linear_accounts', 'unset')) }} as linear_accounts_prediction,
    {{ dbt_loss.prediction(runs.get('softmax', 'unset')) }} as softmax_prediction,
    {%- for label in ['basic', 'pro', "o'max"] %}
    {{ dbt_loss.prediction(runs.get('softmax', 'unset'), class_value=label) }} as "softmax_probability_{{ label | replace("'", '') }}",
    {%- endfor %}
    {{ dbt_loss.prediction(runs.get('softmax_integer', 'unset'), class_value=2) }} as softmax_integer_probability_2,
    {{ dbt_loss.prediction(runs.get('softmax_integer', 'unset')) }} as softmax_integer_prediction
from {{ source('scoring', 'scoring_inputs') }}
