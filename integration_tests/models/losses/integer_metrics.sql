-- Integer columns: every mean must still be a double, never a truncated integer division.
select
    {{ dbt_loss.mse('actual', 'predicted') }} as mse,
    {{ dbt_loss.mae('actual', 'predicted', weight='weight') }} as mae_weighted,
    {{ dbt_loss.mape('actual', 'predicted') }} as mape,
    {{ dbt_loss.wape('actual', 'predicted') }} as wape,
    {{ dbt_loss.coverage('actual', 'lower', 'upper') }} as coverage,
    {{ dbt_loss.hinge_loss('label', 'predicted') }} as hinge,
    {{ dbt_loss.quantile_loss('actual', 'predicted', alpha=0.9) }} as quantile_09
from {{ source('cases', 'integer_cases') }}
