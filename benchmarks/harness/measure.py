"""Running one command and measuring it: wall time, CPU time of the whole process tree, output.

Two shapes:
  run_to_exit    a benchmark program: runs to completion, stdout/stderr captured.
  run_to_marker  a boot: runs until a regex appears in the combined output, then is killed.
"""
import os
import re
import resource
import select
import signal
import subprocess
import time
from dataclasses import dataclass


@dataclass
class RunResult:
    rc: object        # exit status, or None after a timeout
    wall: float       # seconds
    cpu: float        # user + system seconds of the process and its children
    stdout: str
    stderr: str


def _children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_to_exit(argv, env=None, timeout=600):
    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
        rc = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        rc = None
    wall = time.perf_counter() - t0
    return RunResult(rc, wall, _children_cpu() - cpu0,
                     out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))


def run_to_marker(argv, marker, timeout, env=None):
    """Time until `marker` (a regex) matches a line of stdout+stderr. rc is 0 when it appeared,
    the exit status when the command ended first, None on timeout. The process group is killed
    as soon as the marker is seen: what follows (shutdown) is not part of the measurement."""
    pattern = re.compile(marker)
    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env=env, start_new_session=True)
    buf = b""
    seen = False
    deadline = t0 + timeout
    while True:
        left = deadline - time.perf_counter()
        if left <= 0:
            break
        ready, _, _ = select.select([proc.stdout], [], [], min(left, 0.5))
        if not ready:
            continue
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            break
        start = buf.rfind(b"\n") + 1
        buf += chunk
        # Only lines touched by this chunk need checking.
        if any(pattern.search(l) for l in buf[start:].decode("utf-8", "replace").splitlines()):
            seen = True
            break
    wall = time.perf_counter() - t0
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    rc = 0 if seen else (proc.returncode if time.perf_counter() < deadline else None)
    if not seen and rc == 0:
        rc = -1   # exited cleanly but never printed the marker: still a failure
    return RunResult(rc, wall, _children_cpu() - cpu0, buf.decode("utf-8", "replace"), "")
