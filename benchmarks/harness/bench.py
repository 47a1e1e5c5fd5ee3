#!/usr/bin/env python3
"""Side-by-side benchmark harness: BMBT vs QEMU user (qemu-x86_64) vs box64, all LoongArch64 builds
running under the same qemu-loongarch64. See docs/benchmarks.md. Entry point: benchmarks/run.sh.

For every workload: build it (benchmarks/build.sh), run the static executable natively once (the
reference output), then N interleaved rounds of BMBT, QEMU, box64 (A B C A B C ...). Writes
RESULTS.md, a PNG chart and the raw measurements as JSON.
"""
import argparse
import datetime
import json
import os
import platform
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
ROOT = os.path.dirname(BENCH)
sys.path.insert(0, HERE)

import measure  # noqa: E402
import report   # noqa: E402
import simstats  # noqa: E402
import tools as toolmod  # noqa: E402


def program_workloads():
    names = sorted(f[:-2] for f in os.listdir(os.path.join(BENCH, "workloads")) if f.endswith(".c"))
    return names


def boot_workloads(path):
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        entries = json.load(f)["boot_workloads"]
    return {e["name"]: e for e in entries}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="Program workloads: " + ", ".join(program_workloads()))
    p.add_argument("--runs", type=int, default=5, help="interleaved rounds per workload (default 5)")
    p.add_argument("--size", choices=["ci", "full"], default="full", help="workload size (default full)")
    p.add_argument("--workloads", default="", help="comma-separated names (program or boot); default: "
                   "every program workload plus the boot workloads marked default")
    p.add_argument("--tools", default=",".join(toolmod.TRANSLATORS), help="subset of bmbt,qemu,box64")
    p.add_argument("--bmbt", default=os.path.join(ROOT, "build/la64-linux/tools/bmbt"),
                   help="BMBT la64-linux executable (built with the la64-linux preset if missing)")
    p.add_argument("--peers", default=os.path.join(os.environ.get("BMBT_CACHE", os.path.join(ROOT, ".cache")), "peers"),
                   help="loong64 root with qemu-x86_64 and box64 (scripts/setup puts it in .cache/peers)")
    p.add_argument("--emulator", default="qemu-loongarch64", help="how LoongArch64 programs are run here")
    p.add_argument("--boot-file", default=os.path.join(BENCH, "boot-workloads.json"))
    p.add_argument("--build-dir", default=os.path.join(ROOT, "build/bench"), help="where workloads are built")
    p.add_argument("--results", default=os.path.join(BENCH, "RESULTS.md"))
    p.add_argument("--chart", default=os.path.join(BENCH, "results.png"))
    p.add_argument("--bmbt-rev", default="", help="source revision of --bmbt for the report, when it was not "
                   "built from this tree (default: git describe of this tree)")
    p.add_argument("--timeout", type=float, default=600, help="per run, seconds (program workloads)")
    p.add_argument("--simrun", default=simstats.default_path(ROOT),
                   help="bmbt-simrun of a host build: LoongArch instructions executed per guest instruction, "
                   "from the simulator on the ci images (built with the host preset if missing)")
    p.add_argument("--no-sim", action="store_true", help="skip the simulator counts")
    p.add_argument("--report-from", default="", metavar="RESULTS_JSON",
                   help="time nothing: rewrite the report of an earlier run (its raw results.json) "
                   "with fresh simulator counts")
    return p.parse_args()


def ensure_bmbt(path):
    if os.path.exists(path):
        return
    default = os.path.join(ROOT, "build/la64-linux/tools/bmbt")
    if os.path.abspath(path) != default:
        sys.exit(f"bench: {path} does not exist")
    print("bench: building BMBT (preset la64-linux) ...", flush=True)
    subprocess.run(["cmake", "--preset", "la64-linux"], cwd=ROOT, check=True)
    subprocess.run(["cmake", "--build", "build/la64-linux", "-j2", "--target", "bmbt"], cwd=ROOT, check=True)


def build_workload(name, size, out_dir):
    res = subprocess.run([os.path.join(BENCH, "build.sh"), out_dir, name, size], capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"bench: building {name} ({size}) failed:\n{res.stderr}")
    stem = os.path.join(out_dir, f"{name}-{size}")
    return {"img": stem + ".img", "linux": stem + ".linux"}


def run_program(name, files, tools, chosen, runs, timeout):
    """Native reference once, then `runs` interleaved rounds of the chosen translators."""
    print(f"== {name}", flush=True)
    native = measure.run_to_exit([files["linux"]], timeout=timeout)
    ref = native.stdout
    entry = {"kind": "program", "reference": ref, "native_wall": native.wall, "native_rc": native.rc,
             "runs": {k: [] for k in chosen}}
    if native.rc != 0 or "check: ok" not in ref:
        entry["error"] = f"native run failed (exit {native.rc}): {ref.strip()} {native.stderr.strip()}"
        print("  " + entry["error"], flush=True)
        return entry
    active = list(chosen)
    for r in range(runs):
        for key in active:
            tool = tools[key]
            env = dict(os.environ, **tool.env)
            res = measure.run_to_exit(tool.argv + [files[tool.input_kind]], env=env, timeout=timeout)
            rec = {"wall": res.wall, "cpu": res.cpu, "rc": res.rc,
                   "error": toolmod.failure_reason(key, res.rc, res.stdout, res.stderr, ref)}
            if rec["error"]:
                rec["stdout_tail"] = res.stdout[-400:]
                rec["stderr_tail"] = res.stderr[-1500:]
            entry["runs"][key].append(rec)
            print(f"  round {r + 1} {key:6s} {res.wall:8.3f} s  {rec['error'] or 'ok'}", flush=True)
        if r == 0:
            # A tool that cannot run the workload fails the same way every round: do not repeat it.
            active = [k for k in active if not entry["runs"][k][0]["error"]]
    if "bmbt" in chosen and entry["runs"]["bmbt"]:
        # BMBT's statistics from one untimed run with `-d stats` (instruction counting on).
        tool = tools["bmbt"]
        argv = tool.argv[:-1] + ["-d", "stats", tool.argv[-1], files[tool.input_kind]]
        res = measure.run_to_exit(argv, env=dict(os.environ, **tool.env), timeout=timeout)
        stats = toolmod.parse_bmbt_stats(res.stderr)
        for rec in entry["runs"]["bmbt"]:
            rec["stats"] = stats
        print(f"  stats  bmbt   {res.wall:8.3f} s  (untimed, -d stats)", flush=True)
    return entry


def fill_placeholders(argv, values):
    return [a.format(**values) for a in argv]


def _why(output):
    """The line that explains a failed boot: BMBT's own message if there is one, else the last line."""
    lines = [l for l in output.strip().splitlines() if l.strip()]
    own = [l for l in lines if l.startswith("bmbt: ") and "halted" not in l]
    return (own or lines or ["(no output)"])[0 if own else -1][:200]


def run_boot(spec, tools_avail, chosen, runs, values):
    print(f"== {spec['name']} (boot until /{spec['marker']}/)", flush=True)
    entry = {"kind": "boot", "marker": spec["marker"], "timeout": spec["timeout"],
             "description": spec.get("description", ""), "runs": {}}
    keys = [k for k in chosen if k in spec["commands"]]
    entry["commands"] = {k: fill_placeholders(spec["commands"][k], values) for k in keys}
    for k in keys:
        entry["runs"][k] = []
    # Boots are long: an entry may cap its rounds ("max_runs").
    runs = min(runs, spec.get("max_runs", runs))
    entry["rounds"] = runs
    for r in range(runs):
        for k in list(keys):
            argv = entry["commands"][k]
            res = measure.run_to_marker(argv, spec["marker"], spec["timeout"])
            err = None if res.rc == 0 else ("timeout" if res.rc is None else
                                            f"ended (exit {res.rc}) before the marker: " + _why(res.stdout))
            entry["runs"][k].append({"wall": res.wall, "cpu": res.cpu, "rc": res.rc, "error": err,
                                     "stdout_tail": res.stdout[-1500:] if err else ""})
            print(f"  round {r + 1} {k:6s} {res.wall:8.3f} s  {err or 'marker seen'}", flush=True)
        if r == 0:
            keys = [k for k in keys if not entry["runs"][k][0]["error"]]
    return entry


def machine_info():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            mem = f"{int(f.readline().split()[1]) >> 20} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    load = os.getloadavg()
    return {"host": f"{platform.node()}: {cpu}, {os.cpu_count()} cores, {mem}",
            "os": f"{platform.system()} {platform.release()} ({platform.machine()})",
            "load_at_start": f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"}


def main():
    args = parse_args()
    if args.report_from:
        return report_from(args)
    chosen = [t for t in args.tools.split(",") if t]
    for t in chosen:
        if t not in toolmod.TRANSLATORS:
            sys.exit(f"bench: unknown tool '{t}' (bmbt, qemu, box64)")
    programs = program_workloads()
    boots = boot_workloads(args.boot_file)
    if args.workloads:
        names = [w for w in args.workloads.split(",") if w]
    else:
        names = programs + [n for n, b in boots.items() if b.get("default")]
    for n in names:
        if n not in programs and n not in boots:
            sys.exit(f"bench: unknown workload '{n}' (programs: {', '.join(programs)}; boots: {', '.join(boots)})")

    if "bmbt" in chosen:
        ensure_bmbt(args.bmbt)
    for key, path in (("qemu", "usr/bin/qemu-x86_64"), ("box64", "usr/bin/box64")):
        if key in chosen and not os.path.exists(os.path.join(args.peers, path)):
            sys.exit(f"bench: {os.path.join(args.peers, path)} missing; run scripts/setup (step 60-peers-loong64)")
    if not args.no_sim:
        simstats.ensure_simrun(args.simrun, ROOT)
    tools = toolmod.make_tools(os.path.abspath(args.bmbt), args.peers, args.emulator)
    started = datetime.datetime.now(datetime.timezone.utc)
    info = {"started": started.strftime("%Y-%m-%d %H:%M UTC"), "machine": machine_info(),
            "versions": toolmod.versions(ROOT, tools, args.peers, args.emulator, args.bmbt_rev),
            "command": "benchmarks/run.sh " + " ".join(shlex.quote(a) for a in sys.argv[1:]),
            "runs": args.runs, "size": args.size, "tools": chosen,
            "tool_labels": {k: tools[k].label for k in tools}}

    if not args.no_sim:
        info["versions"]["bmbt-simrun (host, simulator counts)"] = simstats.version(os.path.abspath(args.simrun))
    out_dir = os.path.join(args.build_dir, args.size)
    values = {"root": ROOT, "bmbt": os.path.abspath(args.bmbt), "peers": args.peers,
              "cache": os.environ.get("BMBT_CACHE", os.path.join(ROOT, ".cache")),
              "emulator": args.emulator, "out": out_dir, "size": args.size}
    results = {}
    for name in names:
        if name in programs:
            files = build_workload(name, args.size, out_dir)
            results[name] = run_program(name, files, tools, list(chosen), args.runs, args.timeout)
            results[name]["mnemonics"] = open(os.path.join(out_dir, f"{name}-{args.size}.mnemonics")).read().split()
            if not args.no_sim:
                run_simulator(args, name, results[name], files if args.size == simstats.SIZE else None)
        else:
            results[name] = run_boot(boots[name], tools, chosen, args.runs, values)
    info["finished"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    write_outputs(args, info, results, out_dir)


def run_simulator(args, name, entry, ci_files):
    """Counts, not times: one simulator run of the ci image, whatever --size is."""
    files = ci_files or build_workload(name, simstats.SIZE, os.path.join(args.build_dir, simstats.SIZE))
    entry["sim"] = simstats.run(os.path.abspath(args.simrun), name, files, args.timeout)
    entry["sim_lbt"] = simstats.run(os.path.abspath(args.simrun), name, files, args.timeout, lbt=True)


def report_from(args):
    """--report-from: the report of an earlier campaign (its raw results.json) with fresh simulator
    counts, without timing anything again."""
    with open(args.report_from) as f:
        raw = json.load(f)
    info, results = raw["info"], raw["results"]
    if not args.no_sim:
        simstats.ensure_simrun(args.simrun, ROOT)
        info["versions"]["bmbt-simrun (host, simulator counts)"] = simstats.version(os.path.abspath(args.simrun))
        for name, entry in results.items():
            if entry["kind"] == "program":
                print(f"== {name}", flush=True)
                run_simulator(args, name, entry, None)
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        info["sim_note"] = (f"simulator counts added on {now} by `benchmarks/run.sh "
                            + " ".join(shlex.quote(a) for a in sys.argv[1:]) + "` (source tree git "
                            + toolmod.git_revision(ROOT) + "); the timings are the command's above")
    write_outputs(args, info, results, os.path.join(args.build_dir, info["size"]))


def write_outputs(args, info, results, out_dir):
    raw = os.path.join(out_dir, "results.json")
    os.makedirs(out_dir, exist_ok=True)
    with open(raw, "w") as f:
        json.dump({"info": info, "results": results}, f, indent=1)
    summary = report.summarize(results, info["tools"])
    chart_note = report.write_chart(summary, info, args.chart)
    with open(args.results, "w") as f:
        f.write(report.markdown(summary, results, info, os.path.relpath(args.chart, os.path.dirname(args.results)),
                                chart_note, os.path.relpath(raw, ROOT)))
    print(f"bench: wrote {args.results}" + (f" and {args.chart}" if not chart_note else f" ({chart_note})"))
    print(f"bench: raw measurements in {raw}")


if __name__ == "__main__":
    main()
