-- The demand model's inputs for every week: price, promotion, a yearly season as a sine and
-- cosine of the week of the year, a trend, and the store as a string (one-hot encoded by
-- dbt_loss.train). The same columns feed training and scoring.
select
    store_id,
    'store_' || store_id as store,
    region,
    product_id,
    category,
    week,
    week_start,
    price,
    cast(on_promotion as integer) as on_promotion,
    sin(2 * pi() * (week % 52) / 52.0) as season_sin,
    cos(2 * pi() * (week % 52) / 52.0) as season_cos,
    demand
from {{ ref('weekly_sales') }}
