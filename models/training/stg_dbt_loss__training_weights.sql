-- One row per run, group, class and feature: the weight in raw feature units.
{{ dbt_loss.training_dependencies() }}
select
    run_id,
    group_key,
    {{ adapter.quote('class') }} as class_label,
    feature,
    source_column,
    category,
    weight,
    source_column is null as is_intercept
from {{ source('dbt_loss', 'training_weights') }}
