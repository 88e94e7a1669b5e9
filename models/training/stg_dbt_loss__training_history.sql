-- One row per iteration of a training run: the objective and losses at the weights the
-- iteration started from, the gradient norm, the step taken and the time since the start.
{{ dbt_loss.training_dependencies() }}
select
    run_id,
    iteration,
    objective,
    train_loss,
    validation_loss,
    gradient_norm,
    step_size,
    elapsed_seconds
from {{ source('dbt_loss', 'training_history') }}
