-- Sixteen products across four categories, each with a list price and a price elasticity.
select
    product_id,
    'category_' || (product_id % 4) as category,
    round(2 + 18 * {{ uniform(['product_id'], 'price') }}, 2) as list_price,
    -0.5 - 1.5 * {{ uniform(['product_id'], 'elasticity') }} as price_elasticity
from range(1, 17) as products(product_id)
