#!/bin/sh
# Side-by-side timing of BMBT, QEMU user and box64 on the benchmark workloads (docs/benchmarks.md).
#   benchmarks/run.sh [--runs N] [--size ci|full] [--workloads a,b,...] [--tools bmbt,qemu,box64] ...
# Writes benchmarks/RESULTS.md and benchmarks/results.png. `benchmarks/run.sh --help` lists all options.
# Uses the system Python (its python3-matplotlib comes from scripts/setup step 90-bench-tools).
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
exec "$PY" "$HERE/harness/bench.py" "$@"
