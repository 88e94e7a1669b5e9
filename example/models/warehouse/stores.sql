-- Twelve stores of different sizes in four regions.
select
    store_id,
    'region_' || (store_id % 4) as region,
    round(0.6 + 1.2 * {{ uniform(['store_id'], 'size') }}, 2) as size_factor
from range(1, 13) as stores(store_id)
