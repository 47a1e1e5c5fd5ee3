"""Exact dynamic instruction counts from the LoongArch simulator.

bmbt-simrun (a host build, tests/la64-sim/la64_sim_run.cpp) boots a guest image on BMBT's real
engine (translation, chaining, jump cache, helpers) with the JIT's LoongArch code executed in the
in-tree simulator, and counts every LoongArch instruction it executes. The harness runs it once per
workload on the ci-size image (the ratio does not need the full size; simulation is ~15 M
LoongArch instructions per second) and reports LoongArch instructions executed per guest
instruction. See docs/benchmarks.md, "LoongArch instructions executed per guest instruction".
"""
import json
import os
import subprocess
import sys
import time

import measure

SIZE = "ci"


def default_path(root):
    return os.path.join(root, "build/host/tests/la64-sim/bmbt-simrun")


def ensure_simrun(path, root):
    """Builds bmbt-simrun with the host preset when the default path is missing."""
    if os.path.exists(path):
        return
    if os.path.abspath(path) != default_path(root):
        sys.exit(f"bench: {path} does not exist (build target bmbt-simrun of a host build, or --no-sim)")
    print("bench: building bmbt-simrun (preset host) ...", flush=True)
    subprocess.run(["cmake", "--preset", "host"], cwd=root, check=True)
    subprocess.run(["cmake", "--build", "build/host", "-j2", "--target", "bmbt-simrun"], cwd=root, check=True)


def run(simrun, name, files, timeout, lbt=False):
    """One simulator run of the ci image `files["img"]` (flag strategy: software, or LBT); its
    serial output must equal the native run of `files["linux"]`. Returns {"stats": the tool's
    JSON, "error": None or why, "wall": seconds}."""
    native = measure.run_to_exit([files["linux"]], timeout=timeout)
    json_path = files["img"][:-len(".img")] + (".simrun-lbt.json" if lbt else ".simrun.json")
    if os.path.exists(json_path):
        os.remove(json_path)
    res = measure.run_to_exit([simrun, "--json", json_path] + (["--lbt"] if lbt else []) + [files["img"]],
                              timeout=timeout)
    entry = {"wall": res.wall, "rc": res.rc, "error": None}
    if res.rc is None:
        entry["error"] = "timeout"
    elif res.rc != 0:
        own = [l for l in res.stderr.splitlines() if l.startswith(("bmbt-simrun: ", "bmbt: ")) and "halted" not in l]
        entry["error"] = f"exit {res.rc}" + (": " + " ".join(own[:2])[:300] if own else "")
    elif res.stdout != native.stdout or native.rc != 0:
        entry["error"] = "output differs from the native run"
    if os.path.exists(json_path):
        with open(json_path) as f:
            entry["stats"] = json.load(f)
    entry["summary"] = [l for l in res.stderr.splitlines() if l.startswith("simrun: ")]
    status = entry["error"] or "ok"
    st = entry.get("stats") or {}
    ratio = f"{st['la_per_guest']:.2f} LoongArch/guest" if st.get("guest_insns") else "no counts"
    print(f"  simulator {'LBT' if lbt else 'sw '} {res.wall:8.3f} s  {ratio}  {status}", flush=True)
    return entry


def version(simrun):
    try:
        built = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(os.path.getmtime(simrun)))
    except OSError:
        built = "missing"
    return f"{simrun} (built {built})"


def _count(v):
    for unit, div in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if v >= div:
            return f"{v / div:.1f} {unit}"
    return str(v)


def _per_k(a, b):
    return f"{1000 * a / b:.2f}" if b else "—"


def _ratio_cell(sim):
    """LA/guest and emitted per translated guest instruction of one run, or why there are none."""
    st = (sim or {}).get("stats") or {}
    if not st.get("guest_insns") or (sim or {}).get("error"):
        return ("FAILED: " + str((sim or {}).get("error")) if sim else "not run"), "—"
    emitted = st["la_insns_emitted"] / st["guest_insns_translated"] if st.get("guest_insns_translated") else 0
    return f"**{st['la_insns'] / st['guest_insns']:.2f}**", f"{emitted:.2f}"


def markdown(results):
    """The report section: one row per program workload that has a simulator run."""
    rows = [(n, e["sim"], e.get("sim_lbt")) for n, e in results.items() if e.get("kind") == "program" and e.get("sim")]
    if not rows:
        return []
    out = ["## LoongArch instructions executed per guest instruction (simulator, ci size)\n",
           "BMBT's engine with its LoongArch JIT, the code executed by the in-tree LoongArch simulator on the "
           "x86-64 host (`bmbt-simrun`, one run of each `ci` image per flag strategy; serial output checked "
           "against the native run). Exact counts of instructions, not cycles or time. *LA/guest* = LoongArch "
           "instructions executed (translated blocks + trampoline and soft-TLB miss stubs) per guest instruction "
           "executed; *emitted* = instructions generated per guest instruction translated (static) in the same "
           "run. Columns without a strategy are the software flag strategy (what `bmbt` uses here); *LBT* is the "
           "LBT flag strategy as the simulator executes it (no LBT hardware or emulator exists here). No "
           "counting code (as `bmbt` without `-d stats`). Helpers and slow paths run natively: counted as host "
           "calls, not instructions. See docs/benchmarks.md.\n",
           "| workload | guest insns | LA insns | **LA/guest** | in blocks | trampoline + stubs | emitted | "
           "LBT: LA/guest | LBT: emitted | host calls / 1k guest | returns to engine | most executed |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    tot = {"sw": [0, 0], "lbt": [0, 0]}
    for name, sim, sim_lbt in rows:
        lbt_ratio, lbt_emitted = _ratio_cell(sim_lbt)
        for key, run_ in (("sw", sim), ("lbt", sim_lbt)):
            st = (run_ or {}).get("stats") or {}
            if run_ and not run_.get("error") and st.get("guest_insns"):
                tot[key][0] += st["guest_insns"]
                tot[key][1] += st["la_insns"]
        st = sim.get("stats")
        if not st or not st.get("guest_insns"):
            out.append(f"| {name} | — | — | FAILED: {sim.get('error')} | | | | {lbt_ratio} | {lbt_emitted} | | | |")
            continue
        g, la = st["guest_insns"], st["la_insns"]
        ratio, emitted = _ratio_cell(sim)
        if sim.get("error"):
            ratio = f"{la / g:.2f} ({sim['error']})"
        calls = sum(st.get("host_calls", {}).values())
        returns = ", ".join(f"{k} {v}" for k, v in sorted(st.get("returns", {}).items(), key=lambda kv: -kv[1]))
        top = ", ".join(f"{k} {100 * v / la:.0f}%" for k, v in list(st.get("top_ops", {}).items())[:5])
        out.append(f"| {name} | {_count(g)} | {_count(la)} | {ratio} | {st['la_block_insns'] / g:.2f} "
                   f"| {st['la_trampoline_insns'] / g:.3f} | {emitted} | {lbt_ratio} | {lbt_emitted} "
                   f"| {_per_k(calls, g)} | {returns} | {top} |")
    if tot["sw"][0]:
        lbt_all = f"**{tot['lbt'][1] / tot['lbt'][0]:.2f}**" if tot["lbt"][0] else "—"
        out.append(f"| all (sum) | {_count(tot['sw'][0])} | {_count(tot['sw'][1])} | "
                   f"**{tot['sw'][1] / tot['sw'][0]:.2f}** | | | | {lbt_all} | | | | |")
    out.append("")
    return out
