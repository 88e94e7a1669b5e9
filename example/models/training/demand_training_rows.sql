-- The weeks before the hand-made forecast's hold-out (week 130): what the model learns from.
select * from {{ ref('demand_features') }}
where week < 130
