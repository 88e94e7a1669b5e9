-- One row per dbt_loss.train run, flagged when it is the run dbt_loss.prediction(run_name)
-- scores with: the latest succeeded run of its name.
{{ dbt_loss.training_dependencies() }}
with runs as (
    select * from {{ source('dbt_loss', 'training_runs') }}
),

current_runs as (
    select run_name, max(started_at) as current_started_at
    from runs
    where status = 'succeeded' and run_name is not null
    group by run_name
)

select
    runs.run_id,
    runs.run_name,
    runs.model as model_type,
    runs.loss,
    runs.status,
    runs.message,
    runs.relation as training_relation,
    runs.target as target_column,
    runs.features,
    runs.group_by,
    runs.classes,
    runs.options,
    runs.started_at,
    runs.finished_at,
    {{ dbt.datediff('runs.started_at', 'runs.finished_at', 'millisecond') }} / 1000.0 as duration_seconds,
    runs.iterations,
    runs.objective,
    runs.train_loss,
    runs.validation_loss,
    coalesce(runs.status = 'succeeded' and runs.started_at = current_runs.current_started_at, false)
        as is_latest_succeeded
from runs
left join current_runs on runs.run_name = current_runs.run_name
