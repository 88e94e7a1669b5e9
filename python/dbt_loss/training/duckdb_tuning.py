"""The DuckDB settings a training run changes while it lasts, and puts back after it.

Both are global to the database, so other connections to it run with them meanwhile. They are
set and put back through a cursor of their own: a connection apart from the caller's, whose
transaction (one a failed statement aborted, say) cannot stop the settings going back.

- DuckDB 2's partial-aggregate pushdown moves a grouped query's sums below its join with the
  parameter table, inlining every staged column into every sum: with 1,000 groups of 2,000
  rows, planning a step took 0.25 s and running it 1.7× longer. It is added to
  `disabled_optimizers`, and on the way out only the names this run added are taken off
  again, so runs that overlap leave the user's own value as they found it.
- DuckDB 2 reads Parquet ahead of the scan, which on a local file only costs memory: the peak
  grew 12 % from 1M to 16M rows and a pass took 10 % longer. When the database can read no
  remote files (no remote file system loaded, no fsspec one registered),
  `disable_parquet_prefetching` is set, and unset after only if the run set it."""

from __future__ import annotations

from contextlib import contextmanager, suppress
from typing import Any

OPTIMIZERS_OFF = ("partial_aggregate_pushdown",)
# Extensions through which DuckDB reads remote files, where Parquet read-ahead hides latency.
REMOTE_FILE_SYSTEMS = ("httpfs", "azure", "motherduck")


@contextmanager
def tuned_for_training(connection: Any):
    """The database tuned for a training run on `connection` while the block runs."""
    settings = connection.cursor()
    try:
        added = _disable_optimizers(settings, OPTIMIZERS_OFF)
        read_ahead_off = False
        try:
            read_ahead_off = _disable_local_read_ahead(connection, settings)
            yield
        except BaseException:
            with suppress(Exception):  # the run's own error matters more: a failed
                _restore(settings, added, read_ahead_off)  # restore only costs speed
            raise
        _restore(settings, added, read_ahead_off)
    finally:
        settings.close()


def _restore(settings, optimizers: list[str], read_ahead_off: bool) -> None:
    _enable_optimizers(settings, optimizers)
    if read_ahead_off:
        settings.execute("set global disable_parquet_prefetching = false")


def _disable_local_read_ahead(connection, settings) -> bool:
    """Turns Parquet read-ahead off when every file the database can read is local and the
    caller's connection reads ahead; returns whether it did."""
    try:
        ((already_off,),) = connection.execute(
            "select current_setting('disable_parquet_prefetching')"
        ).fetchall()
    except Exception:  # a DuckDB without the Parquet reader: nothing to turn off
        return False
    loaded = settings.execute("select extension_name from duckdb_extensions() where loaded")
    remote = any(name in REMOTE_FILE_SYSTEMS for (name,) in loaded.fetchall())
    fsspec = getattr(connection, "list_filesystems", list)()
    if already_off or remote or fsspec:
        return False
    settings.execute("set global disable_parquet_prefetching = true")
    return True


def _disabled_optimizers(settings) -> list[str]:
    ((value,),) = settings.execute("select current_setting('disabled_optimizers')").fetchall()
    return [name.strip() for name in value.split(",") if name.strip()]


def _disable_optimizers(settings, names: tuple[str, ...]) -> list[str]:
    """Disables those of these optimizers this DuckDB has and has not disabled yet; returns
    them."""
    known = settings.execute("select name from duckdb_optimizers()").fetchall()
    current = _disabled_optimizers(settings)
    added = [name for (name,) in known if name in names and name not in current]
    if added:
        settings.execute("set global disabled_optimizers = ?", [",".join(current + added)])
    return added


def _enable_optimizers(settings, names: list[str]) -> None:
    if names:
        kept = [name for name in _disabled_optimizers(settings) if name not in names]
        settings.execute("set global disabled_optimizers = ?", [",".join(kept)])
