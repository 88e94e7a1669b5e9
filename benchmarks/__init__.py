"""The dbt_loss benchmark suite (GitHub issue 6): every case runs our side and its peer in one
process and reports times, ratios (ours / peer), peak RSS and whether the answers agree.

    python -m benchmarks --size full|smoke [--only NAME,...] [--json PATH]

See docs/benchmarks.md for the cases, the targets and the last measured table."""
