"""dbt_loss."""
