"""Wall time and peak resident memory of one phase of a case, and the machine a run was on.

Peak RSS per phase comes from the kernel's high-water mark (VmHWM in /proc/self/status), reset
at the start of each phase by writing 5 to /proc/self/clear_refs: an exact peak, not a polled
sample, and one that a phase run later in the same process does not inherit. Where the reset is
not allowed the process-wide peak (ru_maxrss) is reported instead, and `exact` says so."""

from __future__ import annotations

import os
import platform
import resource
import statistics
import subprocess
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def _status_kb(key: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def rss_mb() -> float:
    """The current resident set size in MiB."""
    kb = _status_kb("VmRSS")
    return (kb or 0) / 1024


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
        return True
    except OSError:
        return False


def _peak_mb() -> float:
    kb = _status_kb("VmHWM")
    if kb is None:  # not Linux: the process-wide peak (ru_maxrss: KiB on Linux, bytes on macOS)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / (1024 * 1024 if platform.system() == "Darwin" else 1024)
    return kb / 1024


@dataclass
class Phase:
    """What `phase()` measured: wall seconds, peak RSS during the phase and RSS at its start."""

    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    start_rss_mb: float = 0.0
    exact: bool = True
    samples: list[float] = field(default_factory=list)  # each repeat's seconds, when repeated

    @property
    def growth_mb(self) -> float:
        return self.peak_rss_mb - self.start_rss_mb


@contextmanager
def phase():
    """Measures the enclosed block: `with phase() as p: ...` then p.seconds, p.peak_rss_mb."""
    measured = Phase(start_rss_mb=rss_mb(), exact=_reset_peak())
    started = time.perf_counter()
    try:
        yield measured
    finally:
        measured.seconds = time.perf_counter() - started
        measured.peak_rss_mb = _peak_mb()


def repeated(function: Callable[[], object], repeats: int, warmup: int = 1) -> tuple[Phase, object]:
    """Runs `function` warmup + repeats times; seconds is the median of the timed repeats (the
    typical run, robust to a scheduler hiccup on a 2-core machine), the peak RSS covers all.
    Each run's result is dropped before the next starts, so peaks never hold two of them."""
    result = None
    with phase() as measured:
        for number in range(warmup + repeats):
            result = None
            started = time.perf_counter()
            result = function()
            if number >= warmup:
                measured.samples.append(time.perf_counter() - started)
    measured.seconds = statistics.median(measured.samples)
    return measured, result


def environment() -> dict:
    """The machine and library versions, and which BLAS kernel numpy runs (threadpoolctl)."""
    import duckdb
    import numpy
    import scipy
    import sklearn
    from threadpoolctl import threadpool_info

    def cpu_model() -> str:
        try:
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return platform.processor()

    def git(*args: str) -> str | None:
        try:
            return (
                subprocess.run(
                    ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10
                ).stdout.strip()
                or None
            )
        except (OSError, subprocess.SubprocessError):
            return None

    memory_kb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    except OSError:
        pass
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kb / 1024**2, 1) if memory_kb else None,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "scikit_learn": sklearn.__version__,
        "blas": [
            {
                k: info.get(k)
                for k in (
                    "internal_api",
                    "version",
                    "architecture",
                    "num_threads",
                    "threading_layer",
                )
            }
            for info in threadpool_info()
        ],
        "blas_environment": {name: os.environ.get(name) for name in BLAS_VARIABLES},
        "git_commit": git("rev-parse", "--short", "HEAD"),
        "git_dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
    }
