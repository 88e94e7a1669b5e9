"""Trains the example's two models inside `dbt build`: every step of the optimizer is an
aggregate query over the upstream tables, and the runs land in the run tables
(dbt_loss.training_runs, training_history, training_weights) that the scoring models read
with dbt_loss.prediction. The model's own table is a one-row-per-run summary."""

import pandas as pd

import dbt_loss


def model(dbt, session):
    dbt.config(materialized="table")
    # ref() makes dbt build the inputs first; train() reads them by name in the warehouse.
    dbt.ref("demand_training_rows")
    dbt.ref("churn_training_rows")

    def table(name):
        return f"{dbt.this.schema}.{name}"

    # dbt holds a transaction open on `session`; a cursor of its own lets every training
    # iteration commit its checkpoint.
    connection = session.cursor()
    try:
        runs = [
            # One model per product (its own season and price response), robust to the
            # stock-outs and bulk orders in the history: Huber with delta 10 units.
            dbt_loss.train(
                connection,
                table("demand_training_rows"),
                target="demand",
                features=["price", "on_promotion", "season_sin", "season_cos", "week", "store"],
                group_by=["product_id"],
                model="linear",
                loss="huber",
                delta=10,
                run_name="demand_huber",
            ),
            dbt_loss.train(
                connection,
                table("churn_training_rows"),
                target="churned",
                features=["plan", "tenure_months", "monthly_spend", "support_tickets"],
                model="logistic",
                loss="binary_cross_entropy",
                run_name="churn_logistic",
            ),
        ]
    finally:
        connection.close()
    return pd.DataFrame(
        {
            "run_name": [run.run_name for run in runs],
            "run_id": [run.run_id for run in runs],
            "model": [run.model for run in runs],
            "loss": [run.loss for run in runs],
            "status": [run.status for run in runs],
            "iterations": [run.iterations for run in runs],
            "train_loss": [run.train_loss for run in runs],
        }
    )
