"""The `dbt-loss` command line: train a model, list runs and score a table from a shell.

It sits on top of the library (dbt_loss.train, dbt_loss.predict and the run tables) and adds
only what a terminal needs: option parsing (typer), a live progress bar and tables (rich),
JSON for scripts, and exit codes (0 done, 1 failed run, 2 bad input, 130 interrupted)."""

from .app import app, main

__all__ = ["app", "main"]
