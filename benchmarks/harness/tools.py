"""The translators the harness compares, and how each one runs a workload.

Every LoongArch64 program (BMBT's la64-linux build and both peers) runs under the same
qemu-loongarch64 on this machine, so the ratios compare translators, not emulators.
"""
import os
import re
import subprocess
import time
from dataclasses import dataclass, field


@dataclass
class Tool:
    key: str          # short name used in tables and on the command line
    label: str        # what the report calls it
    argv: list        # command prefix; the workload file is appended
    input_kind: str   # "img" (flat guest image) or "linux" (static x86-64 executable)
    env: dict = field(default_factory=dict)


def make_tools(bmbt, peers, emulator="qemu-loongarch64"):
    """The three translators plus the native reference run of the static executable."""
    return {
        "native": Tool("native", "x86-64 CPU (reference)", [], "linux"),
        # Timed without `-d stats` (counting executed instructions costs BMBT a few instructions per
        # block); the statistics come from one extra, untimed run (bench.py).
        "bmbt": Tool("bmbt", "BMBT (la64-linux, JIT)", [emulator, bmbt, "-kernel"], "img"),
        "qemu": Tool("qemu", "QEMU user qemu-x86_64 (loong64)",
                     [emulator, "-L", peers, os.path.join(peers, "usr/bin/qemu-x86_64")], "linux"),
        # box64 prints a banner and log lines unless told not to; keep stdout comparable.
        "box64": Tool("box64", "box64 (loong64)", [emulator, "-L", peers, os.path.join(peers, "usr/bin/box64")],
                      "linux", {"BOX64_LOG": "0", "BOX64_NOBANNER": "1"}),
    }


TRANSLATORS = ["bmbt", "qemu", "box64"]


def _first_line(cmd, env=None):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"unavailable ({e})"
    text = (out.stdout or out.stderr).strip().splitlines()
    return text[0].strip() if text else f"no output (exit {out.returncode})"


def git_revision(root):
    git = subprocess.run(["git", "-C", root, "describe", "--always", "--dirty", "--abbrev=12"],
                         capture_output=True, text=True)
    return git.stdout.strip() or "unknown"


def versions(root, tools, peers, emulator="qemu-loongarch64", bmbt_rev=""):
    """One line per component, for the report's header."""
    env = dict(os.environ, **tools["box64"].env)
    rev = bmbt_rev or git_revision(root)
    bmbt = tools["bmbt"].argv[1]
    try:
        built = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(os.path.getmtime(bmbt)))
    except OSError:
        built = "missing"
    return {
        "BMBT": f"{bmbt} (built {built}; source tree git {rev})",
        "qemu-loongarch64 (host)": _first_line([emulator, "--version"]),
        "qemu-x86_64 (peer)": _first_line(tools["qemu"].argv + ["-version"]),
        "box64 (peer)": _first_line(tools["box64"].argv + ["--version"], env),
        "workload compiler": _first_line([os.environ.get("CC", "gcc"), "--version"]),
    }


# ---------------------------------------------------------------- BMBT's -d stats

_STAT_PATTERNS = {
    "blocks_translated": r"blocks translated (\d+)",
    "guest_insns_translated": r"guest instructions translated (\d+)",
    "host_insns_emitted": r"LoongArch instructions emitted (\d+)",
    "host_per_guest": r"\(([\d.]+) per guest instruction\)",
    "blocks_executed": r"blocks executed (\d+)",
    "guest_insns_executed": r"guest instructions executed (\d+)",
    "host_insns_executed": r"LoongArch instructions executed (\d+)",
    "tlb_fills": r"soft-TLB fills (\d+)",
    "time_ms": r"stats: time (\d+) ms",
    "translate_ms": r"translating (\d+) ms",
}


def parse_bmbt_stats(stderr):
    """Pulls the numbers the report needs out of BMBT's `-d stats` lines. Unknown or renamed
    lines are kept verbatim in 'lines', so a format change loses a column, not the data."""
    lines = [l for l in stderr.splitlines() if l.startswith("stats:")]
    text = "\n".join(lines)
    stats = {"lines": lines}
    for key, pat in _STAT_PATTERNS.items():
        m = re.search(pat, text)
        if m:
            stats[key] = float(m.group(1)) if "." in m.group(1) else int(m.group(1))
    m = re.search(r"stats: exits: (.*)", text)
    if m:
        stats["exits"] = {k: int(v) for k, v in re.findall(r"([\w-]+) (\d+)", m.group(1))}
    return stats


def failure_reason(tool_key, rc, stdout, stderr, reference):
    """None when the run succeeded and printed what the native CPU printed; else a short reason."""
    if rc is None:
        return "timeout"
    if rc != 0 or stdout != reference:
        why = None
        if tool_key == "bmbt":
            for line in stderr.splitlines():
                if line.startswith("bmbt: ") and "halted" not in line:
                    why = line[len("bmbt: "):]
                    break
        if why is None:
            tail = [l for l in stderr.strip().splitlines() if l.strip()]
            why = tail[-1] if tail else ""
        if rc == 0:
            got = re.search(r"checksum: (0x[0-9a-f]+)", stdout)
            return "output differs from native" + (f" (checksum {got.group(1)})" if got else " (no checksum)")
        return f"exit {rc}" + (f": {why}" if why else "")
    return None
