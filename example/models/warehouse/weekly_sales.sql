-- Three years of weekly demand per store and product: trend, yearly seasonality, promotions
-- (a discount and an uplift), price changes with their elasticity, noise, and a few outliers
-- (stock-outs and bulk orders).
with grid as (
    select s.store_id, s.region, s.size_factor, p.product_id, p.category, p.list_price,
           p.price_elasticity, w.week
    from {{ ref('stores') }} as s
    cross join {{ ref('products') }} as p
    cross join range(0, 156) as w(week)
),

drivers as (
    select
        *,
        date '2023-01-02' + cast(week * 7 as integer) as week_start,
        {{ uniform(['store_id', 'product_id', 'week'], 'promo') }} < 0.08 as on_promotion,
        case when week >= 78 then 1.05 else 1.0 end
            * (1 + 0.1 * floor(product_id % 3) * (week >= 104)::int) as price_index,
        {{ normal(['store_id', 'product_id', 'week'], 'noise') }} as noise,
        {{ uniform(['store_id', 'product_id', 'week'], 'outlier') }} as outlier_draw
    from grid
),

demand as (
    select
        *,
        round(list_price * price_index * case when on_promotion then 0.8 else 1.0 end, 2) as price,
        20 * size_factor
            * (1 + 0.004 * week)
            * (1 + 0.25 * sin(2 * pi() * week / 52.0 + product_id))
            * case when on_promotion then 1.6 else 1.0 end
            * power(price_index * case when on_promotion then 0.8 else 1.0 end, price_elasticity)
            as expected_demand
    from drivers
)

select
    store_id, region, product_id, category, week, week_start, on_promotion, price,
    expected_demand,
    greatest(0, round(
        case
            when outlier_draw < 0.002 then 0                          -- stock-out
            when outlier_draw > 0.998 then expected_demand * 6        -- bulk order
            else expected_demand + sqrt(expected_demand) * noise
        end)) as demand
from demand
