-- Every week of demand with the two forecasts of the hold-out weeks (NULL before week 130):
-- the hand-made one and the trained Huber model, scored in SQL from its weights. The data
-- tests compute the seasonal-naive baseline from the weeks before.
-- depends_on: {{ ref('trained_models') }}
with scored as (
    -- the prediction reads unqualified columns: score before the join
    select
        *,
        case when week >= 130 then {{ dbt_loss.prediction('demand_huber') }} end as model_forecast
    from {{ ref('demand_features') }}
)

select
    s.store_id,
    s.region,
    s.product_id,
    s.category,
    s.week,
    s.demand,
    h.forecast,
    s.model_forecast
from scored as s
left join {{ ref('demand_forecast') }} as h
    on s.store_id = h.store_id and s.product_id = h.product_id and s.week = h.week
