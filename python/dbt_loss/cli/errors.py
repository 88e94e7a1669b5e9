"""Exit codes and one-line messages for what goes wrong: the user's input (2), a run that
failed or a database error (1), Ctrl-C (130). Bugs still show their traceback."""

from __future__ import annotations

import re
from contextlib import contextmanager

import duckdb
import typer

from ..scoring import UnknownRunError
from ..training.options import OptionError
from ..training.profile import TrainingInputError
from .output import error

USAGE, FAILED, INTERRUPTED = 2, 1, 130

# Errors that mean "this table or column is not there": bad input, as much as a bad option.
_INPUT_DATABASE_ERRORS = (duckdb.CatalogException, duckdb.BinderException, duckdb.ParserException)


class CliError(Exception):
    """A message for the user and the exit code that goes with it."""

    def __init__(self, message: str, code: int = USAGE):
        super().__init__(message)
        self.code = code


def with_flag(message: str, flags: dict[str, str]) -> str:
    """The library names its arguments as train() spells them ('validation_fraction'); add the
    flag a shell user typed (--validation-fraction)."""
    named = re.search(r"argument '(\w+)'", message)
    if named and named.group(1) in flags:
        return f"{message} ({flags[named.group(1)]})"
    return message


def _one_line(error_: Exception) -> str:
    # DuckDB adds a blank line and the offending SQL after the message; keep the message.
    text = str(error_).strip().split("\n\n")[0]
    return " ".join(line.strip() for line in text.splitlines())


@contextmanager
def handled(flags: dict[str, str] | None = None):
    """Turns the library's input errors into a message on stderr and exit code 2."""
    try:
        yield
    except CliError as failure:
        error(str(failure))
        raise typer.Exit(failure.code) from None
    except (OptionError, TrainingInputError, UnknownRunError) as failure:
        error(with_flag(str(failure), flags or {}))
        raise typer.Exit(USAGE) from None
    except _INPUT_DATABASE_ERRORS as failure:
        error(_one_line(failure))
        raise typer.Exit(USAGE) from None
    except duckdb.Error as failure:
        error(f"database error: {_one_line(failure)}")
        raise typer.Exit(FAILED) from None
