# Tools for the side-by-side benchmark harness (benchmarks/run.sh): the system Python's matplotlib
# draws the results chart. The harness itself only needs python3; without matplotlib it still writes
# RESULTS.md and says that the chart was skipped.
apt_install_missing python3-matplotlib
log "benchmark tools: $(/usr/bin/python3 -c 'import matplotlib; print("matplotlib " + matplotlib.__version__)' 2>&1)"
