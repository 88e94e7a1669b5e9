"""One unit of the suite in this process: `python -m benchmarks.case UNIT --size S --workdir D
--out FILE` runs it and writes its result rows as JSON. The runner starts one such process per
unit, so each unit's peak memory is its own."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from .cases import case_of
from .report import _default
from .sizes import SIZES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.case", description=__doc__)
    parser.add_argument("unit")
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    results = case_of(args.unit).run(args.unit, SIZES[args.size], args.workdir)
    args.out.write_text(json.dumps([r.as_dict() for r in results], default=_default))
    print(
        f"  {args.unit}: {len(results)} result(s) in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
