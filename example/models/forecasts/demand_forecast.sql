-- The last 26 weeks held out: a model forecast (it knows trend, season and promotions, with
-- an error of its own and a slight over-forecast), and the two baselines every forecast must
-- beat: naive (last week) and seasonal-naive (same week last year).
with history as (
    select
        *,
        lag(demand, 1) over (partition by store_id, product_id order by week) as naive_forecast,
        lag(demand, 52) over (partition by store_id, product_id order by week) as seasonal_naive_forecast
    from {{ ref('weekly_sales') }}
)

select
    store_id, region, product_id, category, week, week_start, on_promotion, price, demand,
    round(expected_demand * (1.03 + 0.12 * {{ normal(['store_id', 'product_id', 'week'], 'model_error') }}), 2)
        as forecast,
    naive_forecast,
    seasonal_naive_forecast
from history
where week >= 130
